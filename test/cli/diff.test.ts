// `readiness diff` on real report pairs: each pair is two runs of the built CLI on a profile whose
// scripted checks change between the runs, exactly as CI would compare the last release with this one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempProject } from '../support/temp-profile.js';

interface Spec {
  status: 'pass' | 'warn' | 'fail' | 'error' | 'skip';
  severity?: 'critical' | 'recommended' | 'optional';
  message?: string;
  extra?: string;
}

const profile = (checks: Record<string, Spec>) =>
  `version: 1\nname: Diff test\nchecks:\n${Object.entries(checks)
    .map(
      ([id, c]) =>
        `  ${id}:\n    type: ./checks/scripted.js\n    severity: ${c.severity ?? 'critical'}\n${c.extra ?? ''}    with: { status: ${c.status}, message: ${JSON.stringify(c.message ?? `${id} ${c.status}`)} }\n`,
    )
    .join('')}`;

/** Runs `readiness check -f json:<name>` on the profile in `dir`; returns the report path. */
async function runReport(dir: string, checks: Record<string, Spec>, name: string, env?: Record<string, string>): Promise<string> {
  writeFileSync(join(dir, 'readiness.yaml'), profile(checks));
  const result = await runCli(['check', '-f', `json:${name}`], { cwd: dir, env });
  expect(result.code === 0 || result.code === 1, result.stderr).toBe(true);
  return name;
}

async function pair(before: Record<string, Spec>, after: Record<string, Spec>, env?: Record<string, string>): Promise<string> {
  const dir = tempProject({});
  await runReport(dir, before, 'old.json', env);
  await runReport(dir, after, 'new.json', env);
  return dir;
}

describe('readiness diff on real reports', () => {
  it('exits 1 on a critical regression and lists regressions, fixed, still failing, new and removed checks', async () => {
    const dir = await pair(
      { 'db.schema': { status: 'pass' }, 'tls.cert': { status: 'fail' }, 'cache.up': { status: 'error' }, 'old.check': { status: 'pass' } },
      { 'db.schema': { status: 'fail', message: '3 of 11 tables missing' }, 'tls.cert': { status: 'pass' }, 'cache.up': { status: 'fail' }, 'new.check': { status: 'warn' } },
    );
    const result = await runCli(['diff', 'old.json', 'new.json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^Regressions \(1\)\n {2}db\.schema {2}pass → fail {2}\[critical\] {2}Scripted check failed\n {6}3 of 11 tables missing$/m);
    expect(result.stdout).toMatch(/^Fixed \(1\)\n {2}tls\.cert {2}fail → pass/m);
    expect(result.stdout).toMatch(/^Still failing \(1\)\n {2}cache\.up {2}error → fail .*\n.*\(was error\)$/m);
    expect(result.stdout).toMatch(/^New checks \(1\)\n {2}new\.check {2}⚠ warn/m);
    expect(result.stdout).toMatch(/^Removed checks \(1\)\n {2}old\.check {2}was pass/m);
    expect(result.stdout).toMatch(/^Diff: FAILED — 1 regression at or above critical$/m);
    expect(result.stdout).not.toMatch(/\u001b\[/);
    expect(result.stderr).toBe('');

    const markdown = await runCli(['diff', 'old.json', 'new.json', '-f', 'markdown'], { cwd: dir });
    expect(markdown.code).toBe(1);
    expect(markdown.stdout).toMatch(/^## ❌ Readiness diff: FAILED — 1 regression at or above critical$/m);
    expect(markdown.stdout).toMatch(/^\| \*\*Scripted check failed\*\*<br>db\.schema \| pass → \*\*fail\*\* \| critical \| 3 of 11 tables missing \|$/m);

    const json = await runCli(['diff', 'old.json', 'new.json', '-f', 'json'], { cwd: dir });
    expect(json.code).toBe(1);
    const data = JSON.parse(json.stdout);
    expect(data).toMatchObject({ passed: false, failOn: 'critical', gatingRegressions: ['db.schema'], old: { profile: 'Diff test', gatePassed: false }, new: { gatePassed: false } });
    expect(data.fixed.map((e: { id: string }) => e.id)).toEqual(['tls.cert']);
  });

  it('--fail-on decides: a recommended regression passes by default and fails with --fail-on recommended', async () => {
    const dir = await pair(
      { 'docs.present': { status: 'pass', severity: 'recommended' }, 'api.up': { status: 'pass' } },
      { 'docs.present': { status: 'error', severity: 'recommended' }, 'api.up': { status: 'pass' } },
    );
    const lenient = await runCli(['diff', 'old.json', 'new.json'], { cwd: dir });
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/^Diff: PASSED — 1 regression, none at or above critical$/m);
    const strict = await runCli(['diff', 'old.json', 'new.json', '--fail-on', 'recommended'], { cwd: dir });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^Diff: FAILED — 1 regression at or above recommended$/m);
    const bad = await runCli(['diff', 'old.json', 'new.json', '--fail-on', 'high'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Allowed choices are critical, recommended, optional/);
  });

  it('exits 0 when nothing got worse, and a waiver that ran out shows as still failing, not as a regression', async () => {
    const waiver = (until: string) => `    waiver: { reason: vendor upgrade, until: ${until} }\n`;
    const dir = await pair(
      { legacy: { status: 'fail', extra: waiver('2099-12-31') }, api: { status: 'fail' } },
      { legacy: { status: 'fail', extra: waiver('2020-01-01') }, api: { status: 'pass' } },
    );
    const result = await runCli(['diff', 'old.json', 'new.json'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Still failing \(1\)\n {2}legacy {2}waived → fail .*\n.*\(waiver expired on 2020-01-01\)$/m);
    expect(result.stdout).toMatch(/^Fixed \(1\)\n {2}api {2}fail → pass/m);
    expect(result.stdout).toMatch(/^Diff: PASSED — no regression$/m);

    // Arguments the wrong way round: the api fix reads as a regression, and the note says why.
    const swapped = await runCli(['diff', 'new.json', 'old.json'], { cwd: dir });
    expect(swapped.code).toBe(1);
    expect(swapped.stdout).toMatch(/^note: the old report \(.+\) is newer than the new one \(.+\): are the files swapped\? The order is readiness diff <old\.json> <new\.json>$/m);
    expect(swapped.stdout).toMatch(/^Regressions \(1\)\n {2}api {2}pass → fail/m);

    const same = await runCli(['diff', 'new.json', 'new.json'], { cwd: dir });
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/No changes: every check compared has the same status and severity\./);
  });

  it('shows secrets only as the reports hold them: redacted', async () => {
    const secret = 'sk_live_51Hq9xExampleSecretValue0123456789';
    const dir = tempProject({});
    await runReport(dir, { 'stripe.keys': { status: 'pass' } }, 'old.json');
    writeFileSync(
      join(dir, 'readiness.yaml'),
      `version: 1\nname: Diff test\nchecks:\n  stripe.keys:\n    type: ./checks/scripted.js\n    with: { status: fail, message: "key is", echo_env: STRIPE_SECRET_KEY }\n`,
    );
    expect((await runCli(['check', '-f', 'json:new.json'], { cwd: dir, env: { STRIPE_SECRET_KEY: secret } })).code).toBe(1);
    for (const format of ['pretty', 'markdown', 'json']) {
      const result = await runCli(['diff', 'old.json', 'new.json', '-f', format], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/key is \\?\[redacted\\?\]/);
      expect(result.stdout).not.toContain(secret);
      expect(result.stdout).not.toContain('0123456789');
    }
  });

  it('exits 2 with one clear line on a missing file, a non-JSON file and an unknown schemaVersion', async () => {
    const dir = await pair({ a: { status: 'pass' } }, { a: { status: 'pass' } });
    const missing = await runCli(['diff', 'nope.json', 'new.json'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('readiness: cannot read the old report nope.json: file not found\n');

    expect((await runCli(['check', '-f', 'junit:report.xml'], { cwd: dir })).code).toBe(0);
    const xml = await runCli(['diff', 'old.json', 'report.xml'], { cwd: dir });
    expect(xml.code).toBe(2);
    expect(xml.stderr).toMatch(/^readiness: report\.xml is not valid JSON \(.+\); write reports with readiness check -f json:FILE\n$/);

    const future = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(dir, 'new.json'), 'utf8')));
    writeFileSync(join(dir, 'future.json'), JSON.stringify({ ...future, schemaVersion: 3 }));
    const unknown = await runCli(['diff', 'old.json', 'future.json'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('readiness: future.json has report schemaVersion 3, but this readiness reads schemaVersion 1 and 2: upgrade readiness to compare it\n');
    expect(unknown.stdout).toBe('');

    const usage = await runCli(['diff', 'old.json'], { cwd: dir });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/missing required argument 'new'/);
    const format = await runCli(['diff', 'old.json', 'new.json', '-f', 'html'], { cwd: dir });
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/Allowed choices are pretty, markdown, json/);
  });
});
