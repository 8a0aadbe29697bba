import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import manual, { decideManual } from '../../checks/manual.js';
import { writeAttestation, type Attestation } from '../../src/attest/attestations.js';
import { itemHash } from '../../src/attest/hash.js';
import { runCheck } from '../support/run-check.js';

const item = { question: 'Team briefed on launch plan?', evidence: 'Link to the meeting notes' };
const now = new Date('2026-03-10T12:00:00Z');
const attestation = (over: Partial<Attestation> = {}): Attestation => ({
  by: 'alice',
  at: '2026-03-01T09:30:00.000Z',
  note: 'https://wiki.example.org/launch-briefing',
  expires: '2026-05-30',
  item: itemHash(item),
  ...over,
});

describe('manual: decision', () => {
  it('fails with the command to run when nothing is recorded', () => {
    const v = decideManual({ id: 'launch.briefed', item, now });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('not attested — run: readiness attest launch.briefed --by <name>');
    expect(v.evidence?.details).toMatchObject({ question: item.question, evidence_to_keep: item.evidence });
    expect(v.remediation).toMatch(/Link to the meeting notes/);
  });

  it('passes a current attestation and shows who, when, note and expiry', () => {
    const v = decideManual({ id: 'launch.briefed', item, attestation: attestation(), now });
    expect(v.status).toBe('pass');
    expect(v.message).toBe('attested by alice on 2026-03-01 (valid until 2026-05-30)');
    expect(v.evidence?.details).toMatchObject({
      attested_by: 'alice',
      attested_at: '2026-03-01T09:30:00.000Z',
      note: 'https://wiki.example.org/launch-briefing',
      expires: '2026-05-30',
    });
  });

  it('passes an attestation without expiry, and one on its last valid day', () => {
    expect(decideManual({ id: 'x', item, attestation: attestation({ expires: undefined }), now }).message).toBe('attested by alice on 2026-03-01');
    expect(decideManual({ id: 'x', item, attestation: attestation({ expires: '2026-03-10' }), now }).status).toBe('pass');
  });

  it('fails an expired attestation, naming the day it expired', () => {
    const v = decideManual({ id: 'x', item, attestation: attestation({ expires: '2026-03-09' }), now });
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^attestation expired on 2026-03-09 \(attested by alice on 2026-03-01\)/);
    expect(v.evidence?.actual).toBe('expired');
  });

  it('fails when the question or the evidence changed after the attestation', () => {
    const changedQuestion = decideManual({ id: 'x', item: { ...item, question: 'Team briefed on launch and rollback plan?' }, attestation: attestation(), now });
    expect(changedQuestion.status).toBe('fail');
    expect(changedQuestion.message).toMatch(/^item changed since it was attested on 2026-03-01 by alice/);
    const changedEvidence = decideManual({ id: 'x', item: { ...item, evidence: 'Recording of the meeting' }, attestation: attestation(), now });
    expect(changedEvidence.status).toBe('fail');
    // Whitespace alone is not a change.
    expect(decideManual({ id: 'x', item: { question: `  ${item.question}\n`, evidence: 'Link to the  meeting notes' }, attestation: attestation(), now }).status).toBe('pass');
  });

  it('quotes an id that a shell would split', () => {
    expect(decideManual({ id: 'launch briefed', item, now }).message).toBe('not attested — run: readiness attest "launch briefed" --by <name>');
  });
});

describe('manual: params', () => {
  it('requires a question and rejects unknown keys', () => {
    expect(manual.params.safeParse({}).success).toBe(false);
    expect(manual.params.safeParse({ question: '  ' }).success).toBe(false);
    expect(manual.params.safeParse({ question: 'Q?', proof: 'x' }).success).toBe(false);
    expect(manual.params.safeParse({ question: 'Q?' }).success).toBe(true);
  });
});

describe('manual: run (reads the attestations file)', () => {
  const project = () => {
    const dir = mkdtempSync(join(tmpdir(), 'readiness-manual-'));
    return { dir, file: join(dir, '.readiness', 'attestations.yaml') };
  };

  it('fails "not attested" when the file does not exist, and passes once the item is attested', async () => {
    const { dir, file } = project();
    const before = await runCheck(manual, item, { id: 'launch.briefed', baseDir: dir });
    expect(before.status).toBe('fail');
    expect(before.message).toMatch(/^not attested/);
    writeAttestation(file, 'launch.briefed', { by: 'bob', at: new Date().toISOString(), item: itemHash(item) });
    const after = await runCheck(manual, item, { id: 'launch.briefed', baseDir: dir });
    expect(after.status).toBe('pass');
    expect(after.message).toMatch(/^attested by bob on \d{4}-\d{2}-\d{2}$/);
    // Another item's attestation does not count for this one.
    const other = await runCheck(manual, { question: 'Support rota staffed?' }, { id: 'launch.support', baseDir: dir });
    expect(other.message).toMatch(/^not attested/);
  });

  it('reads the file named by attestations_file (as the engine sets it from the profile)', async () => {
    const { dir } = project();
    const custom = join(dir, 'ops', 'signed.yaml');
    writeAttestation(custom, 'launch.briefed', { by: 'carol', at: new Date().toISOString(), item: itemHash(item) });
    expect((await runCheck(manual, item, { id: 'launch.briefed', baseDir: dir })).status).toBe('fail');
    expect((await runCheck(manual, { ...item, attestations_file: 'ops/signed.yaml' }, { id: 'launch.briefed', baseDir: dir })).status).toBe('pass');
  });

  it('is an error (could not check), not a failure, when the file is malformed', async () => {
    const { dir, file } = project();
    mkdirSync(join(dir, '.readiness'));
    writeFileSync(file, 'version: 1\nattestations:\n  launch.briefed: { by: alice }\n');
    const v = await runCheck(manual, item, { id: 'launch.briefed', baseDir: dir });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/attestations file .* is malformed at attestations\.launch\.briefed/);
    writeFileSync(file, 'version: 1\nattestations: [unclosed\n');
    const broken = await runCheck(manual, item, { id: 'launch.briefed', baseDir: dir });
    expect(broken.status).toBe('error');
    expect(broken.message).toMatch(/cannot read attestations file/);
  });
});
