// systemd.unit: a service (or timer) is enabled, so it starts on boot, and active right now.
// Read-only: runs `systemctl is-enabled <unit>` and `systemctl is-active <unit>` and nothing else.
import { execFile } from 'node:child_process';
import { z } from 'zod';
import { combine, defineCheck, error, fail, pass, warn, type Verdict } from '../../src/check.js';
import { formatDuration } from '../../src/duration.js';
import { boolish } from '../../src/params.js';

/** Unit names only: never something systemctl could read as an option. */
const UNIT_NAME = /^[A-Za-z0-9_@:\\.-]+$/;

export const params = z
  .object({
    unit: z
      .string()
      .trim()
      .min(1)
      .regex(UNIT_NAME, 'expected a unit name such as nginx, nginx.service or certbot.timer')
      .refine((u) => !u.startsWith('-'), 'a unit name cannot start with "-"')
      .describe('Unit name: `nginx` (means nginx.service), `gunicorn.service`, `certbot.timer`.'),
    enabled: boolish().default(true).describe('Require the unit to start on boot (`systemctl is-enabled`: enabled, static, generated or alias). Default true.'),
    active: boolish().default(true).describe('Require the unit to be running now (`systemctl is-active`: active). Default true.'),
  })
  .strict();

export type Params = z.output<typeof params>;

/** What one `systemctl is-… <unit>` call answered. */
export interface SystemctlAnswer {
  /** First line of stdout, e.g. `enabled`, `active`, `failed`. Empty when nothing was printed. */
  state: string;
  exitCode: number | null;
  stderr: string;
}

export interface UnitFacts {
  unit: string;
  /** systemctl could not be run at all. */
  spawnError?: { code: 'not-found' | 'permission' | 'timeout' | 'other'; message: string };
  isEnabled?: SystemctlAnswer;
  isActive?: SystemctlAnswer;
  timeoutMs?: number;
}

// `systemctl is-enabled` states (systemctl(1)).
const STARTS_ON_BOOT = new Set(['enabled', 'static', 'generated', 'alias']);
const ENABLED_WITH_CONCERN: Record<string, string> = {
  'enabled-runtime': 'enabled only until the next reboot (enabled-runtime)',
  indirect: 'enabled only indirectly (indirect: started through another unit or socket)',
  transient: 'a transient unit: it will not exist after a reboot',
};
const NOT_ON_BOOT: Record<string, string> = {
  disabled: 'disabled: it will not start on boot',
  masked: 'masked: it cannot be started at all',
  'masked-runtime': 'masked until the next reboot: it cannot be started',
  linked: 'only linked, not enabled: it will not start on boot',
  'linked-runtime': 'only linked, not enabled: it will not start on boot',
  bad: 'a broken unit file (bad)',
};

/** systemd is not PID 1 or its bus is unreachable (containers, CI runners, WSL without systemd). */
const NO_SYSTEMD = /has not been booted with systemd|Failed to connect to bus|System has not been booted|Host is down/i;
const NO_UNIT = /No such file or directory|not found|does not exist|could not be found/i;

/** `nginx` → `nginx.service`, as systemctl itself reads it. */
export function unitName(unit: string): string {
  return /\.(service|socket|timer|target|mount|automount|path|slice|scope|swap|device)$/.test(unit) ? unit : `${unit}.service`;
}

const firstLine = (text: string) => text.trim().split('\n')[0]?.trim() ?? '';

/** The fix when this machine cannot answer at all: run host checks where systemd runs, not "enable the unit". */
export const NOT_A_SYSTEMD_HOST_FIX =
  'Run the checks tagged `host` on the production server itself: `readiness check --only tag:host`; from CI or a container use `readiness check --skip tag:host`.';

/** An `error` verdict with its own fix (the type's remediation, "enable the unit", would mislead here). */
const errorWithFix = (message: string, evidence: Verdict['evidence'], remediation: string): Verdict => ({ status: 'error', message, evidence, remediation });

/** The decision: what systemctl answered in, verdict out. */
export function evaluateUnit(p: Pick<Params, 'enabled' | 'active'>, facts: UnitFacts): Verdict {
  const unit = unitName(facts.unit);
  const expected = { enabled: p.enabled, active: p.active };
  const evidence = (actual?: Record<string, unknown>) => ({ expected, actual, details: { unit, commands: commandsFor(p, facts.unit) } });

  const answers = [facts.isEnabled, facts.isActive].filter((a): a is SystemctlAnswer => Boolean(a));
  let couldNotRun: Verdict | undefined;
  if (facts.spawnError) {
    const e = facts.spawnError;
    couldNotRun =
      e.code === 'not-found'
        ? errorWithFix(`systemctl not found: ${unit} can only be checked on a systemd host — run host checks on the production server (readiness check --only tag:host)`, evidence(), NOT_A_SYSTEMD_HOST_FIX)
        : e.code === 'timeout'
          ? error(`systemctl did not answer for ${unit}: timed out after ${formatDuration(facts.timeoutMs ?? 0)}`, evidence())
          : e.code === 'permission'
            ? errorWithFix(`permission denied running systemctl (${firstLine(e.message)})`, evidence(), 'Run the host checks as a user allowed to run `systemctl is-enabled` / `systemctl is-active` (any normal login user can; a sandbox or seccomp profile may forbid it).')
            : error(`could not run systemctl for ${unit}: ${firstLine(e.message)}`, evidence());
    // Nothing answered: nothing known. An earlier answer (is-enabled) is still judged below.
    if (!answers.length) return couldNotRun;
  }

  const noSystemd = answers.find((a) => NO_SYSTEMD.test(a.stderr));
  if (noSystemd) return errorWithFix(`systemd is not running on this machine (${firstLine(noSystemd.stderr)}): run host checks on the production server`, evidence(), NOT_A_SYSTEMD_HOST_FIX);

  const actual: Record<string, unknown> = {};
  if (facts.isEnabled) actual.enabled = facts.isEnabled.state || firstLine(facts.isEnabled.stderr) || `exit code ${facts.isEnabled.exitCode}`;
  if (facts.isActive) actual.active = facts.isActive.state || `exit code ${facts.isActive.exitCode}`;

  // A unit systemd does not know at all: one clear message instead of "disabled and inactive".
  const enabledState = facts.isEnabled?.state ?? '';
  if (facts.isEnabled && (enabledState === 'not-found' || (!enabledState && NO_UNIT.test(facts.isEnabled.stderr)))) {
    return fail(`${unit} not found: no such unit is installed on this host`, evidence(actual), `Install the unit file (e.g. /etc/systemd/system/${unit}), then \`systemctl daemon-reload\` and \`systemctl enable --now ${unit}\`.`);
  }

  const parts: Verdict[] = [];
  if (p.enabled && facts.isEnabled) {
    const state = enabledState;
    if (STARTS_ON_BOOT.has(state)) parts.push(pass(`${unit} is ${state}`));
    else if (ENABLED_WITH_CONCERN[state]) parts.push(warn(`${unit} is ${ENABLED_WITH_CONCERN[state]}`));
    else if (NOT_ON_BOOT[state]) parts.push(fail(`${unit} is ${NOT_ON_BOOT[state]} (expected enabled)`, undefined, `Run \`systemctl enable ${unit}\`${state.startsWith('masked') ? ` after \`systemctl unmask ${unit}\`` : ''}.`));
    else if (!state) parts.push(error(`systemctl is-enabled ${unit} printed nothing (exit code ${facts.isEnabled.exitCode})${facts.isEnabled.stderr.trim() ? `: ${firstLine(facts.isEnabled.stderr)}` : ''}`));
    else parts.push(facts.isEnabled.exitCode === 0 ? pass(`${unit} is ${state}`) : fail(`${unit} is ${state} (expected enabled)`));
  }
  if (p.active && facts.isActive) {
    const state = facts.isActive.state;
    if (state === 'active') parts.push(pass(`${unit} is active`));
    else if (state === 'reloading' || state === 'activating') parts.push(warn(`${unit} is ${state} (not yet active)`));
    else if (state === 'failed') parts.push(fail(`${unit} has failed (expected active)`, undefined, `Read \`journalctl -u ${unit} -n 50\`, fix the cause, then \`systemctl restart ${unit}\`.`));
    else if (state) parts.push(fail(`${unit} is ${state} (expected active)`, undefined, `Start it with \`systemctl start ${unit}\` and read \`journalctl -u ${unit}\` if it stops again.`));
    else parts.push(error(`systemctl is-active ${unit} printed nothing (exit code ${facts.isActive.exitCode})${facts.isActive.stderr.trim() ? `: ${firstLine(facts.isActive.stderr)}` : ''}`));
  }
  if (couldNotRun) parts.push({ ...couldNotRun, message: `could not check whether ${unit} is ${p.active && !facts.isActive ? 'active' : 'enabled'}: ${couldNotRun.message}` });
  if (!parts.length) return pass(`${unit}: nothing to check (enabled and active both false)`, evidence(actual));
  const wanted = [p.enabled && 'enabled', p.active && 'active'].filter(Boolean).join(' and ');
  return combine(parts, `${unit} is ${wanted}`, evidence(actual));
}

function commandsFor(p: Pick<Params, 'enabled' | 'active'>, unit: string): string[] {
  return [p.enabled && `systemctl is-enabled ${unit}`, p.active && `systemctl is-active ${unit}`].filter((c): c is string => Boolean(c));
}

interface RunResult {
  answer?: SystemctlAnswer;
  spawnError?: UnitFacts['spawnError'];
}

function systemctl(args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile('systemctl', args, { env, signal, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: string | number }) | null;
      if (e && typeof e.code === 'string') {
        if (e.code === 'ENOENT') return resolve({ spawnError: { code: 'not-found', message: e.message } });
        if (e.code === 'EACCES' || e.code === 'EPERM') return resolve({ spawnError: { code: 'permission', message: e.message } });
        if (e.code === 'ABORT_ERR') return resolve({ spawnError: { code: 'timeout', message: 'aborted' } });
        return resolve({ spawnError: { code: 'other', message: e.message } });
      }
      if (e?.killed || signal.aborted) return resolve({ spawnError: { code: 'timeout', message: 'timed out' } });
      resolve({ answer: { state: firstLine(String(stdout)), exitCode: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stderr: String(stderr) } });
    });
  });
}

export default defineCheck({
  meta: {
    type: 'systemd.unit',
    title: 'Service is enabled and running',
    failureTitle: 'Service is not enabled or not running',
    description:
      'The services a deployment needs (gunicorn, the front end, redis, postgresql, nginx, a backup or certificate renewal timer) must run now and start again after a reboot. ' +
      'Asks systemd with `systemctl is-enabled` and `systemctl is-active`; meant to run on the production server (tag it `host`). Changes nothing.',
    remediation: 'Enable and start the unit: `systemctl enable --now <unit>`; if it fails, read `journalctl -u <unit> -n 50`.',
    docs: 'docs/checks.md#systemd-unit',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    // The check's environment carries PATH (the engine passes the process environment).
    const env: NodeJS.ProcessEnv = { ...process.env, ...ctx.env, LC_ALL: 'C', SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '' };
    const facts: UnitFacts = { unit: p.unit, timeoutMs: ctx.timeoutMs };
    const asks: ['is-enabled' | 'is-active', boolean][] = [
      ['is-enabled', p.enabled],
      ['is-active', p.active],
    ];
    // One deadline for both calls, the check's own: a hang in the second one still leaves (the runner's grace)
    // time to report what the first one showed.
    const deadline = Date.now() + ctx.timeoutMs;
    for (const [verb, wanted] of asks) {
      if (!wanted) continue;
      const result = await systemctl([verb, p.unit], env, ctx.signal, Math.max(1, deadline - Date.now()));
      ctx.log.debug(`systemctl ${verb} ${p.unit}: ${result.spawnError ? result.spawnError.message : `${result.answer?.state} (exit ${result.answer?.exitCode})`}`);
      if (result.spawnError) {
        facts.spawnError = result.spawnError;
        break;
      }
      if (verb === 'is-enabled') facts.isEnabled = result.answer;
      else facts.isActive = result.answer;
    }
    return evaluateUnit(p, facts);
  },
});
