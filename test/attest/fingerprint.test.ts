import { describe, expect, it } from 'vitest';
import { reportFingerprint } from '../../src/attest/fingerprint.js';

const report = (results: { id: string; status: string; message: string; durationMs?: number }[], name = 'Acme') => ({ profile: { name }, results });

describe('reportFingerprint', () => {
  const base = [
    { id: 'db', status: 'pass', message: 'connected', durationMs: 12 },
    { id: 'tls', status: 'warn', message: 'expires in 20 days', durationMs: 80 },
  ];

  it('is a sha256 of the findings, stable across timings', () => {
    const a = reportFingerprint(report(base));
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(reportFingerprint(report(base.map((r) => ({ ...r, durationMs: r.durationMs * 3 }))))).toBe(a);
  });

  it('changes with the profile name, any status, message or id', () => {
    const a = reportFingerprint(report(base));
    expect(reportFingerprint(report(base, 'Other'))).not.toBe(a);
    expect(reportFingerprint(report([base[0], { ...base[1], status: 'fail' }]))).not.toBe(a);
    expect(reportFingerprint(report([base[0], { ...base[1], message: 'expires in 19 days' }]))).not.toBe(a);
    expect(reportFingerprint(report([{ ...base[0], id: 'db2' }, base[1]]))).not.toBe(a);
    expect(reportFingerprint(report([base[0]]))).not.toBe(a);
  });

  it('cannot be fooled by moving text between fields', () => {
    expect(reportFingerprint(report([{ id: 'a', status: 'pass', message: 'b c' }]))).not.toBe(reportFingerprint(report([{ id: 'a b', status: 'pass', message: 'c' }])));
  });
});
