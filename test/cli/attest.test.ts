import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { itemHash } from '../../src/attest/hash.js';
import { runCli } from '../support/cli.js';
import { tempProject } from '../support/temp-profile.js';

const BRIEFED = { question: 'Team briefed on launch plan?', evidence: 'Link to the meeting notes' };
const profile = (head = '', briefedQuestion = BRIEFED.question) => `version: 1
name: Attest test
${head}checks:
  launch.briefed:
    type: manual
    section: Launch Preparation
    with: { question: "${briefedQuestion}", evidence: "${BRIEFED.evidence}" }
  email.inbox:
    type: manual
    section: Email Service
    severity: recommended
    with: { question: "Test email received in inbox (not spam)?" }
  backend.up:
    type: ./checks/scripted.js
    with: { message: backend answers }
`;

const results = (stdout: string) => Object.fromEntries((JSON.parse(stdout).results as { id: string }[]).map((r) => [r.id, r])) as Record<string, any>;

describe('readiness attest', () => {
  it('lists manual items, records an attestation, and the item then passes readiness check', async () => {
    const dir = tempProject({ 'readiness.yaml': profile() });
    const list = await runCli(['attest', '--list'], { cwd: dir });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/2 manual items in readiness.yaml: 0 attested, 2 to attest/);
    expect(list.stdout).toMatch(/✖ launch\.briefed\s+not attested/);
    expect(list.stdout).toMatch(/Team briefed on launch plan\? \(keep: Link to the meeting notes\)/);
    expect(list.stdout).not.toMatch(/backend\.up/);

    const before = await runCli(['check', '-f', 'json'], { cwd: dir });
    expect(before.code).toBe(1); // a critical manual item that is not attested fails the gate
    const r0 = results(before.stdout);
    expect(r0['launch.briefed']).toMatchObject({ status: 'fail', severity: 'critical', gating: true, message: 'not attested — run: readiness attest launch.briefed --by <name>' });
    expect(r0['email.inbox']).toMatchObject({ status: 'fail', severity: 'recommended', gating: false });

    const attest = await runCli(['attest', 'launch.briefed', '--by', 'Alice Martin', '--note', 'https://wiki.internal/launch-notes', '--expires', '30d'], { cwd: dir });
    expect(attest.code, attest.stderr).toBe(0);
    expect(attest.stdout).toMatch(/attested launch\.briefed \("Team briefed on launch plan\?"\) by Alice Martin, valid until \d{4}-\d{2}-\d{2}/);
    expect(attest.stdout).toMatch(/recorded in \.readiness\/attestations\.yaml/);

    const file = join(dir, '.readiness', 'attestations.yaml');
    const stored = parse(readFileSync(file, 'utf8'));
    expect(stored.version).toBe(1);
    expect(stored.attestations['launch.briefed']).toMatchObject({ by: 'Alice Martin', note: 'https://wiki.internal/launch-notes', item: itemHash(BRIEFED) });
    const expires = stored.attestations['launch.briefed'].expires as string;
    const days = Math.round((Date.parse(`${expires}T00:00:00Z`) - Date.parse(new Date().toISOString().slice(0, 10))) / 86_400_000);
    expect(days).toBe(30);

    const after = await runCli(['check', '-f', 'json'], { cwd: dir });
    expect(after.code).toBe(0); // only the recommended item is left
    const r1 = results(after.stdout);
    expect(r1['launch.briefed'].status).toBe('pass');
    expect(r1['launch.briefed'].title).toBe('Team briefed on launch plan?'); // an untitled manual item shows its question
    expect(r1['launch.briefed'].message).toBe(`attested by Alice Martin on ${new Date().toISOString().slice(0, 10)} (valid until ${expires})`);
    expect(r1['launch.briefed'].evidence.details).toMatchObject({ attested_by: 'Alice Martin', note: 'https://wiki.internal/launch-notes', expires, evidence_to_keep: BRIEFED.evidence });
    expect(r1['email.inbox'].status).toBe('fail');

    const json = await runCli(['attest', '--list', '--json'], { cwd: dir });
    const items = JSON.parse(json.stdout) as { id: string; state: string }[];
    expect(items.map((i) => [i.id, i.state])).toEqual([
      ['launch.briefed', 'attested'],
      ['email.inbox', 'missing'],
    ]);
  });

  it('a changed question needs a new attestation', async () => {
    const dir = tempProject({ 'readiness.yaml': profile() });
    expect((await runCli(['attest', 'launch.briefed', '--by', 'alice'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 'readiness.yaml'), profile('', 'Team briefed on launch and rollback plan?'));
    const check = await runCli(['check', '-f', 'json', '--only', 'launch.briefed'], { cwd: dir });
    expect(check.code).toBe(1);
    expect(results(check.stdout)['launch.briefed'].message).toMatch(/^item changed since it was attested on \d{4}-\d{2}-\d{2} by alice — run: readiness attest launch\.briefed --by <name>$/);
    const list = await runCli(['attest', '--list'], { cwd: dir });
    expect(list.stdout).toMatch(/✖ launch\.briefed\s+item changed since it was attested/);
    const again = await runCli(['attest', 'launch.briefed', '--by', 'bob'], { cwd: dir });
    expect(again.stdout).toMatch(/replaces the attestation by alice on/);
    expect(results((await runCli(['check', '-f', 'json', '--only', 'launch.briefed'], { cwd: dir })).stdout)['launch.briefed'].status).toBe('pass');
  });

  it('an expired attestation fails with the day it expired', async () => {
    const dir = tempProject({
      'readiness.yaml': profile(),
      '.readiness/attestations.yaml': `version: 1\nattestations:\n  launch.briefed: { by: carol, at: "2020-01-01T10:00:00Z", expires: "2020-03-31", item: "${itemHash(BRIEFED)}" }\n`,
    });
    const check = await runCli(['check', '-f', 'json', '--only', 'launch.briefed'], { cwd: dir });
    expect(check.code).toBe(1);
    expect(results(check.stdout)['launch.briefed'].message).toMatch(/^attestation expired on 2020-03-31 \(attested by carol on 2020-01-01\)/);
  });

  it("writes to the profile's attestations path, creating its directory", async () => {
    const dir = tempProject({ 'readiness.yaml': profile('attestations: ops/signed/attest.yaml\n') });
    const attest = await runCli(['attest', 'email.inbox', '--by', 'dana'], { cwd: dir });
    expect(attest.code, attest.stderr).toBe(0);
    expect(existsSync(join(dir, 'ops', 'signed', 'attest.yaml'))).toBe(true);
    expect(existsSync(join(dir, '.readiness'))).toBe(false);
    expect(results((await runCli(['check', '-f', 'json'], { cwd: dir })).stdout)['email.inbox'].status).toBe('pass');
  });

  it('refuses ids that are not manual items, with a suggestion, and bad flags', async () => {
    const dir = tempProject({ 'readiness.yaml': profile() });
    const typo = await runCli(['attest', 'launch.breifed', '--by', 'alice'], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/"launch\.breifed" is not a check in readiness\.yaml — did you mean "launch\.briefed"\?/);
    const notManual = await runCli(['attest', 'backend.up', '--by', 'alice'], { cwd: dir });
    expect(notManual.code).toBe(2);
    expect(notManual.stderr).toMatch(/"backend\.up" is not a manual item \(its type is \.\/checks\/scripted\.js\)/);
    const noBy = await runCli(['attest', 'launch.briefed'], { cwd: dir });
    expect(noBy.code).toBe(2);
    expect(noBy.stderr).toMatch(/add --by <name>/);
    const badExpiry = await runCli(['attest', 'launch.briefed', '--by', 'a', '--expires', 'someday'], { cwd: dir });
    expect(badExpiry.code).toBe(2);
    expect(badExpiry.stderr).toMatch(/--expires someday: expected a duration/);
    const past = await runCli(['attest', 'launch.briefed', '--by', 'a', '--expires', '2020-01-01'], { cwd: dir });
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/2020-01-01 is in the past/);
    const noId = await runCli(['attest', '--by', 'a'], { cwd: dir });
    expect(noId.code).toBe(2);
    expect(noId.stderr).toMatch(/which item\?/);
    expect(existsSync(join(dir, '.readiness'))).toBe(false);
  });

  it('a malformed attestations file is an error for the item, not a crash, and attest will not overwrite it', async () => {
    const dir = tempProject({ 'readiness.yaml': profile(), '.readiness/attestations.yaml': 'version: 1\nattestations: [oops\n' });
    const check = await runCli(['check', '-f', 'json', '--only', 'launch.briefed'], { cwd: dir });
    expect(results(check.stdout)['launch.briefed']).toMatchObject({ status: 'error' });
    expect(results(check.stdout)['launch.briefed'].message).toMatch(/cannot read attestations file \.readiness\/attestations\.yaml/);
    const attest = await runCli(['attest', 'launch.briefed', '--by', 'a'], { cwd: dir });
    expect(attest.code).toBe(2);
    expect(readFileSync(join(dir, '.readiness', 'attestations.yaml'), 'utf8')).toBe('version: 1\nattestations: [oops\n');
  });
});
