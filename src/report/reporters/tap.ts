// TAP version 13: one test point per check (`id: title`, the same whether it passes or fails), `# SKIP`
// for skipped and waived checks with the skip's kind, a YAML diagnostics block for failures. A fail or error
// that does not gate (severity below --fail-on) is marked `# TODO` so a TAP harness agrees with the gate; a
// gating check that was not verified is `not ok` (the gate is INCOMPLETE) unless --allow-unverified allowed it.
import { stringify } from 'yaml';
import type { CheckResult, Report, Reporter } from '../model.js';
import { attemptsText, defaultsUsedLines, formatValue, gateVerdict, oneLine, summaryCounts, visibleControls, waiverText } from '../format-value.js';
import { blocksGate, reportNotes, skipCause, skipText } from './unverified.js';

/** A test point description: one line, `#` and `\` escaped so no directive is misread. */
export function tapDescription(text: string): string {
  return oneLine(text).replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

function diagnostics(r: CheckResult, verbose: boolean): string[] {
  const data: Record<string, unknown> = { status: r.status, severity: r.severity };
  if (r.failureTitle) data.failure_title = visibleControls(r.failureTitle);
  data.message = visibleControls(r.message);
  if (r.unchecked?.length) data.unchecked = r.unchecked.map(visibleControls);
  if (r.evidence && Object.hasOwn(r.evidence, 'expected')) data.expected = formatValue(r.evidence.expected);
  if (r.evidence && Object.hasOwn(r.evidence, 'actual')) data.actual = formatValue(r.evidence.actual);
  if (verbose && r.evidence?.details) {
    data.details = Object.fromEntries(Object.entries(r.evidence.details).map(([k, v]) => [k, formatValue(v)]));
  }
  if (r.remediation && r.status !== 'pass') data.remediation = visibleControls(r.remediation);
  if (r.waiver) data.waiver = waiverText(r);
  if (r.attempts > 1) data.attempts = r.attempts;
  data.duration_ms = Math.round(r.durationMs);
  const yaml = stringify(data, { lineWidth: 0 }).trimEnd();
  return ['  ---', ...yaml.split('\n').map((line) => `  ${line}`), '  ...'];
}

/** A gating check that was not verified: status skip, its kind and cause, what blocked it. */
function unverifiedDiagnostics(r: CheckResult): string[] {
  const data: Record<string, unknown> = { status: r.status, not_verified: true, severity: r.severity };
  if (r.skip) data.kind = r.skip.kind;
  data.cause = visibleControls(r.skip ? skipCause(r.skip) : r.message);
  if (r.skip?.blockedBy?.length) data.blocked_by = r.skip.blockedBy.map(visibleControls);
  data.duration_ms = Math.round(r.durationMs);
  const yaml = stringify(data, { lineWidth: 0 }).trimEnd();
  return ['  ---', ...yaml.split('\n').map((line) => `  ${line}`), '  ...'];
}

function testPoint(r: CheckResult, n: number, report: Report, verbose: boolean): string[] {
  const description = `${n} - ${tapDescription(`${r.id}: ${r.title}`)}`;
  switch (r.status) {
    case 'skip':
      // Not verified is not passed: the harness must not count it as ok.
      if (blocksGate(r, report)) return [`not ok ${description}`, ...unverifiedDiagnostics(r)];
      return [`ok ${description} # SKIP ${oneLine(skipText(r, report))}`];
    case 'waived':
      return [`ok ${description} # SKIP waived: ${oneLine(waiverText(r) ?? r.message)}`, ...diagnostics(r, verbose)];
    case 'fail':
    case 'error': {
      const todo = r.gating ? '' : ` # TODO does not gate (${r.severity})`;
      return [`not ok ${description}${todo}`, ...diagnostics(r, verbose)];
    }
    case 'warn':
      // A warning passes unless --strict made it gate.
      return [`${r.gating ? 'not ok' : 'ok'} ${description}`, ...diagnostics(r, verbose)];
    case 'pass': {
      const attempts = attemptsText(r);
      const line = `ok ${description}${attempts ? ` (${attempts})` : ''}`;
      return verbose ? [line, ...diagnostics(r, verbose)] : [line];
    }
  }
}

export const tap: Reporter = (report, options) => {
  const lines = ['TAP version 13', report.results.length === 0 ? '1..0 # SKIP no checks in the profile' : `1..${report.results.length}`];
  report.results.forEach((r, i) => lines.push(...testPoint(r, i + 1, report, options.verbose)));
  lines.push(`# ${summaryCounts(report)}`, `# gate: ${oneLine(gateVerdict(report))}`);
  for (const line of defaultsUsedLines(report)) lines.push(`# default used: ${oneLine(line)}`);
  for (const note of reportNotes(report)) lines.push(`# note: ${oneLine(note)}`);
  return `${lines.join('\n')}\n`;
};
