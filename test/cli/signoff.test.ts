import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { reportFingerprint } from '../../src/attest/fingerprint.js';
import { runCli } from '../support/cli.js';
import { tempProject } from '../support/temp-profile.js';

const ROLES = 'signoff:\n  roles: [Technical Lead, DevOps Engineer, Security Officer, Product Manager]\n';
// The TLS check's message comes from the environment, so a run's findings can be changed without editing the profile.
const profile = (head = ROLES, name = 'Signoff test') => `version: 1
name: ${name}
${head}checks:
  backend.up:
    type: ./checks/scripted.js
    with: { message: backend answers }
  tls.expiry:
    type: ./checks/scripted.js
    with: { status: warn, message: "certificate expires in \${CERT_DAYS:-20} days" }
`;

describe('readiness signoff', () => {
  it('binds a sign-off to the report fingerprint; later reports show it current while the findings are the same', async () => {
    const dir = tempProject({ 'readiness.yaml': profile() });
    const first = await runCli(['check', '-f', 'json:reports/r1.json'], { cwd: dir });
    expect(first.code).toBe(0);
    const r1 = JSON.parse(readFileSync(join(dir, 'reports', 'r1.json'), 'utf8'));
    expect(r1.fingerprint).toBe(reportFingerprint(r1));
    expect(r1.signoffs).toEqual([]);
    expect(r1.signoffRoles).toEqual(['Technical Lead', 'DevOps Engineer', 'Security Officer', 'Product Manager']);

    const sign = await runCli(['signoff', '--role', 'Technical Lead', '--by', 'alice', '--report', 'reports/r1.json', '--note', 'TLS renewal scheduled'], { cwd: dir });
    expect(sign.code, sign.stderr).toBe(0);
    expect(sign.stdout).toMatch(/signed off as Technical Lead by alice: reports\/r1\.json \(2 checks, gate PASSED, sha256:/);
    expect(sign.stdout).toMatch(/still to sign these findings: DevOps Engineer, Security Officer, Product Manager/);
    const stored = parse(readFileSync(join(dir, '.readiness', 'signoffs.yaml'), 'utf8'));
    expect(stored.signoffs).toEqual([
      expect.objectContaining({ role: 'Technical Lead', by: 'alice', note: 'TLS renewal scheduled', profile: 'Signoff test', fingerprint: r1.fingerprint }),
    ]);

    // A role matched case-insensitively is stored as the profile spells it.
    expect((await runCli(['signoff', '--role', 'devops engineer', '--by', 'bob', '--report', 'reports/r1.json'], { cwd: dir })).code).toBe(0);

    // Same findings (timings differ): the sign-offs are current.
    const same = await runCli(['check', '-f', 'json'], { cwd: dir });
    const r2 = JSON.parse(same.stdout);
    expect(r2.fingerprint).toBe(r1.fingerprint);
    expect(r2.signoffs.map((s: any) => [s.role, s.by, s.current])).toEqual([
      ['Technical Lead', 'alice', true],
      ['DevOps Engineer', 'bob', true],
    ]);
    expect(r2.signoffs[0]).toMatchObject({ note: 'TLS renewal scheduled', fingerprint: r1.fingerprint });
    const pretty = await runCli(['check'], { cwd: dir });
    expect(pretty.stdout).toMatch(/Sign-off: 2 of 4 roles signed these findings \(Technical Lead: alice, DevOps Engineer: bob\); missing: Security Officer, Product Manager/);

    // Different findings: the sign-offs are shown, but no longer current.
    const changed = await runCli(['check', '-f', 'json'], { cwd: dir, env: { CERT_DAYS: '5' } });
    const r3 = JSON.parse(changed.stdout);
    expect(r3.fingerprint).not.toBe(r1.fingerprint);
    expect(r3.signoffs.map((s: any) => s.current)).toEqual([false, false]);
    const stalePretty = await runCli(['check'], { cwd: dir, env: { CERT_DAYS: '5' } });
    expect(stalePretty.stdout).toMatch(/Sign-off: 0 of 4 roles signed these findings; signed earlier findings: Technical Lead \(alice, \d{4}-\d{2}-\d{2}\), DevOps Engineer \(bob, /);
  });

  it('refuses roles the profile does not name, with a suggestion', async () => {
    const dir = tempProject({ 'readiness.yaml': profile() });
    await runCli(['check', '-f', 'json:r.json'], { cwd: dir });
    const typo = await runCli(['signoff', '--role', 'Technical Leed', '--by', 'a', '--report', 'r.json'], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/--role "Technical Leed" is not a sign-off role of readiness\.yaml — did you mean "Technical Lead"\? \(roles: Technical Lead, DevOps Engineer, Security Officer, Product Manager\)/);
    const missing = await runCli(['signoff', '--by', 'a', '--report', 'r.json'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--role/);

    const noRoles = tempProject({ 'readiness.yaml': profile('') });
    await runCli(['check', '-f', 'json:r.json'], { cwd: noRoles });
    const none = await runCli(['signoff', '--role', 'Technical Lead', '--by', 'a', '--report', 'r.json'], { cwd: noRoles });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/names no sign-off roles; add them to the profile, e.g. signoff: \{ roles:/);
  });

  it('refuses an edited report, a report of another profile, and files that are not reports', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(), 'other.yaml': profile(ROLES, 'Another service') });
    await runCli(['check', '-f', 'json:r.json'], { cwd: dir });
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    report.results[1].status = 'pass';
    writeFileSync(join(dir, 'edited.json'), JSON.stringify(report));
    const edited = await runCli(['signoff', '--role', 'Technical Lead', '--by', 'a', '--report', 'edited.json'], { cwd: dir });
    expect(edited.code).toBe(2);
    expect(edited.stderr).toMatch(/edited\.json was changed after readiness wrote it/);

    await runCli(['check', '-p', 'other.yaml', '-f', 'json:other.json'], { cwd: dir });
    const other = await runCli(['signoff', '--role', 'Technical Lead', '--by', 'a', '--report', 'other.json'], { cwd: dir });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/other\.json is a report of profile "Another service", not of "Signoff test"/);

    writeFileSync(join(dir, 'junk.json'), '{"hello": 1}');
    expect((await runCli(['signoff', '--role', 'Technical Lead', '--by', 'a', '--report', 'junk.json'], { cwd: dir })).stderr).toMatch(/junk\.json is not a readiness JSON report/);
    writeFileSync(join(dir, 'broken.json'), '{');
    expect((await runCli(['signoff', '--role', 'Technical Lead', '--by', 'a', '--report', 'broken.json'], { cwd: dir })).stderr).toMatch(/broken\.json is not valid JSON/);
    expect((await runCli(['signoff', '--role', 'Technical Lead', '--by', 'a', '--report', 'nope.json'], { cwd: dir })).stderr).toMatch(/report nope\.json not found/);
    // Nothing was recorded by the refused attempts.
    expect(() => readFileSync(join(dir, '.readiness', 'signoffs.yaml'))).toThrow();
  });

  it('signing a failing report is recorded with a warning', async () => {
    const dir = tempProject({ 'readiness.yaml': profile().replace('with: { message: backend answers }', 'with: { status: fail, message: backend down }') });
    expect((await runCli(['check', '-f', 'json:r.json'], { cwd: dir })).code).toBe(1);
    const sign = await runCli(['signoff', '--role', 'Product Manager', '--by', 'pat', '--report', 'r.json'], { cwd: dir });
    expect(sign.code).toBe(0);
    expect(sign.stdout).toMatch(/gate FAILED \(backend\.up\)/);
    expect(sign.stderr).toMatch(/the signed report did not pass its gate/);
  });
});
