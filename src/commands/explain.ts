import { existsSync } from 'node:fs';
import { explainType } from '../docs/describe.js';
import { builtinTypes, closest, loadAllBuiltins, loadCheckType, UnknownTypeError } from '../engine/registry.js';
import { formatDuration } from '../duration.js';
import { makeRedactor } from '../redact.js';
import { createOutput } from '../write.js';
import { EXIT, UsageError } from './errors.js';
import { loadProfile } from '../profile/load.js';
import { loadForCommand, type ProfileOptions } from './profile.js';
import { formatTable } from './list.js';

export async function explainCommand(target: string | undefined, options: ProfileOptions): Promise<number> {
  const out = createOutput();
  if (!target) {
    const checks = await loadAllBuiltins();
    out.stdout(formatTable(['TYPE', 'WHAT IT VERIFIES', ''], checks.map((c) => [c.meta.type, c.meta.title, c.meta.active ? '(active, opt-in)' : ''])));
    out.stdout(
      [
        '',
        'readiness explain <type> for parameters and remediation.',
        '',
        'The gate: PASSED (exit 0) when every gating check (severity at or above --fail-on) reached a verdict and',
        'none failed; FAILED (exit 1) when one failed or could not be checked; INCOMPLETE (exit 1, or 0 with',
        '--allow-unverified) when none failed but one was not verified: blocked by a needed check that did not',
        'pass, an active check not enabled, or stopped by --deadline or Ctrl-C (exit 130). Usage errors exit 2.',
      ].join('\n'),
    );
    return EXIT.ok;
  }
  // A check id in the profile explains that check as configured; otherwise the argument is a type.
  if (existsSync(options.profile)) {
    // A type's documentation helps most while the profile is broken: a problem in the profile only
    // stops `explain` when the argument is not a check type.
    const isType = builtinTypes().includes(target);
    const profile = isType ? await loadProfile(options.profile, { envFiles: options.envFile }).catch(() => undefined) : await loadForCommand(options, out);
    if (profile && isType) out.setRedactor(makeRedactor(profile.env, profile.secretNames));
    if (!profile && !isType) return EXIT.usage;
    const check = profile?.checks.find((c) => c.id === target);
    if (check) {
      out.stdout([
        `${check.id}: ${check.title ?? check.check.meta.title}`,
        `  type: ${check.type}   severity: ${check.severity}   section: ${check.section}`,
        `  tags: ${check.tags.join(', ') || '-'}   needs: ${check.needs.join(', ') || '-'}   timeout: ${formatDuration(check.timeoutMs)}   retries: ${check.retries}`,
        ...(check.waiver ? [`  waiver: ${check.waiver.reason} (until ${check.waiver.until}${check.waiver.by ? `, by ${check.waiver.by}` : ''})`] : []),
        ...(check.description ? ['', check.description] : []),
        ...(check.remediation ? [`When it fails: ${check.remediation}`] : []),
        '',
        explainType(check.check),
      ].join('\n'));
      return EXIT.ok;
    }
  }
  try {
    const text = explainType(await loadCheckType(target));
    // A type's documentation is the tool's own text and holds no value from the environment: mask only
    // secret shapes, so a weak secret in the profile's env (e.g. "changeme") does not garble its examples.
    out.setRedactor(makeRedactor({}));
    out.stdout(text);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UnknownTypeError) {
      const suggestion = closest(target, builtinTypes());
      throw new UsageError(`"${target}" is neither a check id in ${options.profile} nor a check type${suggestion ? ` — did you mean "${suggestion}"?` : ''} (readiness explain lists the types)`);
    }
    throw err;
  }
}
