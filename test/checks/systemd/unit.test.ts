// systemd.unit: the decision is tested directly; the I/O runs the real check against a small fake
// `systemctl` shell script put first on PATH (this machine, like CI containers, has no running systemd).
// The fake answers `is-enabled`/`is-active` from files in $FAKE_SYSTEMCTL_DIR the way systemctl(1) does:
// state on stdout, exit 0 only for good states, "No such file" on stderr for an unknown unit.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import unit, { evaluateUnit, params, unitName, type SystemctlAnswer, type UnitFacts } from '../../../checks/systemd/unit.js';
import { runCheck } from '../../support/run-check.js';

const both = { enabled: true, active: true };
const ok = (state: string, exitCode = 0): SystemctlAnswer => ({ state, exitCode, stderr: '' });
const facts = (isEnabled?: SystemctlAnswer, isActive?: SystemctlAnswer, extra: Partial<UnitFacts> = {}): UnitFacts => ({ unit: 'nginx', isEnabled, isActive, ...extra });

describe('evaluateUnit (decision)', () => {
  it('passes when enabled and active', () => {
    const v = evaluateUnit(both, facts(ok('enabled'), ok('active')));
    expect(v.status).toBe('pass');
    expect(v.message).toBe('nginx.service is enabled and active');
    expect(v.evidence?.actual).toEqual({ enabled: 'enabled', active: 'active' });
  });

  it.each(['static', 'generated', 'alias'])('counts %s as starting on boot', (state) => {
    expect(evaluateUnit(both, facts(ok(state), ok('active'))).status).toBe('pass');
  });

  it.each([
    ['enabled-runtime', /until the next reboot/],
    ['indirect', /indirectly/],
    ['transient', /transient/],
  ])('warns for %s', (state, message) => {
    const v = evaluateUnit(both, facts(ok(state), ok('active')));
    expect(v.status).toBe('warn');
    expect(v.message).toMatch(message);
  });

  it.each([
    ['disabled', /disabled: it will not start on boot \(expected enabled\)/],
    ['masked', /masked: it cannot be started/],
    ['linked', /only linked/],
  ])('fails for %s, with the command that fixes it', (state, message) => {
    const v = evaluateUnit(both, facts(ok(state, 1), ok('active')));
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(message);
    expect(v.remediation).toContain('systemctl enable nginx.service');
  });

  it('fails for a failed or inactive unit and warns while it is starting', () => {
    const failed = evaluateUnit(both, facts(ok('enabled'), ok('failed', 3)));
    expect(failed).toMatchObject({ status: 'fail', message: 'nginx.service has failed (expected active)' });
    expect(failed.remediation).toContain('journalctl -u nginx.service');
    expect(evaluateUnit(both, facts(ok('enabled'), ok('inactive', 3))).message).toBe('nginx.service is inactive (expected active)');
    expect(evaluateUnit(both, facts(ok('enabled'), ok('activating', 3))).status).toBe('warn');
  });

  it('lists both problems when the unit is disabled and stopped', () => {
    const v = evaluateUnit(both, facts(ok('disabled', 1), ok('inactive', 3)));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('disabled');
    expect(v.message).toContain('inactive');
  });

  it('says a unit is not installed instead of "disabled and inactive"', () => {
    const missing = facts({ state: '', exitCode: 1, stderr: 'Failed to get unit file state for nope.service: No such file or directory\n' }, ok('inactive', 3), { unit: 'nope' });
    expect(evaluateUnit(both, missing)).toMatchObject({ status: 'fail', message: 'nope.service not found: no such unit is installed on this host' });
    expect(evaluateUnit(both, facts(ok('not-found', 4), ok('inactive', 3))).message).toMatch(/not found/);
  });

  it('checks only what is asked', () => {
    expect(evaluateUnit({ enabled: false, active: true }, facts(undefined, ok('active'))).message).toBe('nginx.service is active');
    expect(evaluateUnit({ enabled: true, active: false }, facts(ok('disabled', 1))).status).toBe('fail');
  });

  it('keeps "could not check" apart: no systemctl, no systemd, a hang', () => {
    const notFound = evaluateUnit(both, facts(undefined, undefined, { spawnError: { code: 'not-found', message: 'spawn systemctl ENOENT' } }));
    expect(notFound.status).toBe('error');
    expect(notFound.message).toMatch(/systemctl not found.*--only tag:host/);
    const noBus = evaluateUnit(both, facts({ state: '', exitCode: 1, stderr: 'System has not been booted with systemd as init system (PID 1). Can\'t operate.\nFailed to connect to bus: Host is down\n' }));
    expect(noBus.status).toBe('error');
    expect(noBus.message).toMatch(/^systemd is not running on this machine/);
    // The fix says where to run host checks, not "systemctl enable --now" (which cannot help here).
    expect(notFound.remediation).toMatch(/--only tag:host.*--skip tag:host/);
    expect(noBus.remediation).toBe(notFound.remediation);
    const hung = evaluateUnit(both, facts(undefined, undefined, { spawnError: { code: 'timeout', message: 'timed out' }, timeoutMs: 2000 }));
    expect(hung).toMatchObject({ status: 'error', message: 'systemctl did not answer for nginx.service: timed out after 2s' });
  });

  it('fails a disabled unit even when is-active could not be asked, naming that as unchecked', () => {
    const v = evaluateUnit(both, facts(ok('disabled', 1), undefined, { spawnError: { code: 'timeout', message: 'timed out' }, timeoutMs: 2000 }));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('nginx.service is disabled: it will not start on boot (expected enabled)');
    expect(v.unchecked).toEqual(['could not check whether nginx.service is active: systemctl did not answer for nginx.service: timed out after 2s']);
    expect(evaluateUnit(both, facts(ok('enabled'), undefined, { spawnError: { code: 'timeout', message: 'timed out' }, timeoutMs: 2000 })).status).toBe('error');
  });

  it('reports an empty answer as an error, not a pass', () => {
    expect(evaluateUnit(both, facts(ok('', 1), ok('active'))).status).toBe('error');
  });

  it('names units the way systemctl reads them', () => {
    expect(unitName('nginx')).toBe('nginx.service');
    expect(unitName('certbot.timer')).toBe('certbot.timer');
    expect(unitName('multi-user.target')).toBe('multi-user.target');
  });

  it('refuses unit names that could be read as options or shell', () => {
    expect(params.safeParse({ unit: '--root=/' }).success).toBe(false);
    expect(params.safeParse({ unit: 'nginx; reboot' }).success).toBe(false);
    expect(params.safeParse({ unit: 'getty@tty1.service' }).success).toBe(true);
    expect(params.parse({ unit: 'nginx', enabled: 'false' })).toEqual({ unit: 'nginx', enabled: false, active: true });
  });
});

describe('systemd.unit run (fake systemctl on PATH)', () => {
  let dir: string;
  let states: string;
  let env: Record<string, string>;
  const FAKE = `#!/bin/sh
# Fake systemctl for tests: is-enabled / is-active answered from $FAKE_SYSTEMCTL_DIR/<unit>.<verb>.
echo "$@" >> "$FAKE_SYSTEMCTL_DIR/calls.log"
if [ -n "$FAKE_SYSTEMCTL_NO_SYSTEMD" ]; then
  echo "System has not been booted with systemd as init system (PID 1). Can't operate." >&2
  echo "Failed to connect to bus: Host is down" >&2
  exit 1
fi
if [ -n "$FAKE_SYSTEMCTL_HANG" ]; then exec sleep 30; fi
if [ -n "$FAKE_SYSTEMCTL_HANG_ON" ] && [ "$1" = "$FAKE_SYSTEMCTL_HANG_ON" ]; then exec sleep 30; fi
verb="$1"; unit="$2"
case "$verb" in is-enabled|is-active) ;; *) echo "fake systemctl: unsupported $verb" >&2; exit 64;; esac
file="$FAKE_SYSTEMCTL_DIR/$unit.$verb"
if [ ! -f "$file" ]; then
  if [ "$verb" = is-enabled ]; then echo "Failed to get unit file state for $unit.service: No such file or directory" >&2; exit 1; fi
  echo inactive; exit 3
fi
state=$(cat "$file")
echo "$state"
case "$state" in enabled|static|alias|generated|indirect|enabled-runtime|active) exit 0;; *) exit 3;; esac
`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'readiness-systemctl-'));
    states = join(dir, 'states');
    writeFileSync(join(dir, 'systemctl'), FAKE);
    chmodSync(join(dir, 'systemctl'), 0o755);
    rmSync(states, { recursive: true, force: true });
    mkdirSync(states);
    writeFileSync(join(states, 'nginx.is-enabled'), 'enabled\n');
    writeFileSync(join(states, 'nginx.is-active'), 'active\n');
    writeFileSync(join(states, 'gunicorn.is-enabled'), 'disabled\n');
    writeFileSync(join(states, 'gunicorn.is-active'), 'failed\n');
    env = { PATH: `${dir}${delimiter}${process.env.PATH}`, FAKE_SYSTEMCTL_DIR: states };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes for an enabled, active unit, asking only is-enabled and is-active', async () => {
    const v = await runCheck(unit, { unit: 'nginx' }, { env });
    expect(v).toMatchObject({ status: 'pass', message: 'nginx.service is enabled and active' });
    const calls = readFileSync(join(states, 'calls.log'), 'utf8').trim().split('\n');
    expect(calls.slice(-2)).toEqual(['is-enabled nginx', 'is-active nginx']);
  });

  it('fails for a disabled, failed unit with both reasons', async () => {
    const v = await runCheck(unit, { unit: 'gunicorn' }, { env });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('gunicorn.service is disabled: it will not start on boot (expected enabled); gunicorn.service has failed (expected active)');
  });

  it('fails for a unit that is not installed', async () => {
    const v = await runCheck(unit, { unit: 'nope' }, { env });
    expect(v).toMatchObject({ status: 'fail', message: 'nope.service not found: no such unit is installed on this host' });
  });

  it('fails a disabled unit although is-active hangs, naming is-active as unchecked', async () => {
    const v = await runCheck(unit, { unit: 'gunicorn' }, { env: { ...env, FAKE_SYSTEMCTL_HANG_ON: 'is-active' }, timeoutMs: 1500 });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('gunicorn.service is disabled: it will not start on boot (expected enabled)');
    expect(v.unchecked).toEqual(['could not check whether gunicorn.service is active: systemctl did not answer for gunicorn.service: timed out after 1.5s']);
  });

  it('errors (not fails) without a running systemd', async () => {
    const v = await runCheck(unit, { unit: 'nginx' }, { env: { ...env, FAKE_SYSTEMCTL_NO_SYSTEMD: '1' } });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/^systemd is not running on this machine/);
    expect(v.remediation).toMatch(/readiness check --only tag:host/);
  });

  it('errors when systemctl is not installed', async () => {
    const v = await runCheck(unit, { unit: 'nginx' }, { env: { PATH: join(dir, 'empty-bin') } });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/^systemctl not found/);
  });

  it('ends with an error when systemctl hangs, within its timeout', async () => {
    const started = Date.now();
    const v = await runCheck(unit, { unit: 'nginx' }, { env: { ...env, FAKE_SYSTEMCTL_HANG: '1' }, timeoutMs: 500 });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/did not answer|timed out/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
