import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attestationState, readAttestations, StoreError, writeAttestation } from '../../src/attest/attestations.js';
import { expiryDay, isIsoDay } from '../../src/attest/dates.js';
import { itemHash } from '../../src/attest/hash.js';
import { appendSignoff, readSignoffs, signoffsFileFor, signoffsForReport, type RecordedSignoff } from '../../src/attest/signoffs.js';

const temp = () => mkdtempSync(join(tmpdir(), 'readiness-attest-'));

describe('itemHash', () => {
  it('depends on the question and the evidence, not on whitespace', () => {
    const h = itemHash({ question: 'Team briefed?', evidence: 'Notes' });
    expect(h).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(itemHash({ question: ' Team  briefed? ', evidence: 'Notes\n' })).toBe(h);
    expect(itemHash({ question: 'Team briefed?' })).not.toBe(h);
    expect(itemHash({ question: 'Team briefed!', evidence: 'Notes' })).not.toBe(h);
  });
});

describe('dates', () => {
  const now = new Date('2026-01-30T23:30:00Z');
  it('turns a duration or a date into the last valid day', () => {
    expect(expiryDay('90d', now)).toEqual({ day: '2026-04-30' });
    expect(expiryDay('2w', now)).toEqual({ day: '2026-02-13' });
    expect(expiryDay('2026-06-01', now)).toEqual({ day: '2026-06-01' });
  });
  it('rejects nonsense, zero and past dates', () => {
    expect(expiryDay('soon', now)).toHaveProperty('problem', expect.stringMatching(/expected a duration/));
    expect(expiryDay('0d', now)).toHaveProperty('problem');
    expect(expiryDay('2025-12-31', now)).toEqual({ problem: '2025-12-31 is in the past' });
    expect(expiryDay('2026-02-30', now)).toHaveProperty('problem');
  });
  it('knows real calendar dates', () => {
    expect(isIsoDay('2028-02-29')).toBe(true);
    expect(isIsoDay('2027-02-29')).toBe(false);
    expect(isIsoDay('2027-2-1')).toBe(false);
  });
});

describe('attestations file', () => {
  it('is created with its directory, commented, and keeps one attestation per item (the latest)', () => {
    const file = join(temp(), '.readiness', 'attestations.yaml');
    expect(readAttestations(file)).toEqual({});
    writeAttestation(file, 'launch.briefed', { by: 'alice', at: '2026-01-02T10:00:00.000Z', item: 'sha256:aaaa', note: 'notes link' });
    writeAttestation(file, 'email.inbox', { by: 'bob', at: '2026-01-03T10:00:00.000Z', item: 'sha256:bbbb', expires: '2026-04-03' });
    writeAttestation(file, 'launch.briefed', { by: 'carol', at: '2026-01-04T10:00:00.000Z', item: 'sha256:cccc' });
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# Attestations of manual readiness items/);
    expect(text).not.toMatch(/undefined|null/);
    const all = readAttestations(file);
    expect(Object.keys(all)).toEqual(['email.inbox', 'launch.briefed']);
    expect(all['launch.briefed']).toEqual({ by: 'carol', at: '2026-01-04T10:00:00.000Z', item: 'sha256:cccc' });
    expect(all['email.inbox'].expires).toBe('2026-04-03');
  });

  it('reports a malformed file as a StoreError naming where', () => {
    const file = join(temp(), 'a.yaml');
    writeFileSync(file, 'version: 1\nattestations:\n  x: { by: alice, at: yesterday, item: h }\n');
    expect(() => readAttestations(file)).toThrow(StoreError);
    expect(() => readAttestations(file)).toThrow(/malformed at attestations\.x\.at/);
    writeFileSync(file, 'version: 2\n');
    expect(() => readAttestations(file)).toThrow(/malformed at version/);
    writeFileSync(file, '');
    expect(readAttestations(file)).toEqual({});
  });

  it('states: missing, attested, expired (after the last day), changed', () => {
    const now = new Date('2026-03-10T08:00:00Z');
    const a = { by: 'a', at: '2026-03-01T00:00:00Z', item: 'sha256:1' };
    expect(attestationState(undefined, 'sha256:1', now).state).toBe('missing');
    expect(attestationState(a, 'sha256:1', now).state).toBe('attested');
    expect(attestationState({ ...a, expires: '2026-03-10' }, 'sha256:1', now).state).toBe('attested');
    expect(attestationState({ ...a, expires: '2026-03-09' }, 'sha256:1', now).state).toBe('expired');
    expect(attestationState({ ...a, expires: '2026-03-09' }, 'sha256:2', now).state).toBe('changed');
  });
});

describe('sign-offs', () => {
  const s = (over: Partial<RecordedSignoff>): RecordedSignoff => ({ role: 'Technical Lead', by: 'alice', at: '2026-03-01T10:00:00.000Z', fingerprint: 'sha256:f1', profile: 'Acme', ...over });

  it('live beside the attestations and are appended, never replaced', () => {
    const dir = temp();
    const file = signoffsFileFor(join(dir, '.readiness', 'attestations.yaml'));
    expect(file).toBe(join(dir, '.readiness', 'signoffs.yaml'));
    expect(readSignoffs(file)).toEqual([]);
    appendSignoff(file, s({}));
    appendSignoff(file, s({ role: 'DevOps Engineer', by: 'bob', note: 'looked at the TLS warning' }));
    expect(existsSync(file)).toBe(true);
    expect(readSignoffs(file)).toHaveLength(2);
    expect(readSignoffs(file)[1]).toMatchObject({ role: 'DevOps Engineer', note: 'looked at the TLS warning' });
    writeFileSync(file, 'version: 1\nsignoffs: [{ role: x }]\n');
    expect(() => readSignoffs(file)).toThrow(/sign-off file .* is malformed at signoffs\.0\.by/);
  });

  it('show the latest per role, in the profile\'s role order, current only for the same fingerprint', () => {
    const recorded = [
      s({ role: 'DevOps Engineer', by: 'bob', at: '2026-03-01T09:00:00Z', fingerprint: 'sha256:old' }),
      s({}),
      s({ role: 'DevOps Engineer', by: 'dan', at: '2026-03-02T09:00:00Z', fingerprint: 'sha256:f1' }),
      s({ role: 'Technical Lead', by: 'erin', profile: 'Other profile', at: '2026-03-05T00:00:00Z' }),
      s({ role: 'Auditor', by: 'fay', fingerprint: 'sha256:old' }),
    ];
    const shown = signoffsForReport(recorded, { profileName: 'Acme', roles: ['Technical Lead', 'DevOps Engineer', 'Security Officer'], fingerprint: 'sha256:f1' });
    expect(shown.map((x) => [x.role, x.by, x.current])).toEqual([
      ['Technical Lead', 'alice', true],
      ['DevOps Engineer', 'dan', true],
      ['Auditor', 'fay', false],
    ]);
    const later = signoffsForReport(recorded, { profileName: 'Acme', roles: ['Technical Lead'], fingerprint: 'sha256:f2' });
    expect(later.every((x) => x.current === false)).toBe(true);
  });
});
