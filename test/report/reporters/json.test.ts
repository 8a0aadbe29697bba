import { describe, expect, it } from 'vitest';
import { json } from '../../../src/report/reporters/json.js';
import { FIXTURES, allowedReport, fullReport, incompleteReport, report, result } from '../fixtures/reports.js';

const opts = { color: false, verbose: false };

describe('json reporter', () => {
  it('is the report itself, pretty-printed, with a trailing newline', () => {
    for (const fixture of Object.values(FIXTURES)) {
      const out = json(fixture, opts);
      expect(out).toBe(`${JSON.stringify(fixture, null, 2)}\n`);
      expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(fixture)));
    }
  });

  it('carries the versioned shape: schema version, gate, summary and every result with its status', () => {
    const parsed = JSON.parse(json(fullReport, opts));
    expect(parsed.schemaVersion).toBe(2);
    expect(parsed.gate).toEqual({
      status: 'failed',
      passed: false,
      failOn: 'critical',
      strict: false,
      allowUnverified: false,
      failedBy: ['db.schema', 'redis.ping', 'stripe.keys'],
      unverified: [],
    });
    expect(parsed.summary).toMatchObject({ total: 13, skip: 3, unverified: 0 });
    expect(parsed.results.map((r: { status: string }) => r.status)).toEqual(fullReport.results.map((r) => r.status));
    expect(parsed.results[3]).toMatchObject({ title: 'Schema is up to date', failureTitle: 'Schema is not up to date' });
  });

  it('carries an INCOMPLETE gate with its unverified checks and their cause, and every skip with its kind', () => {
    const parsed = JSON.parse(json(incompleteReport, opts));
    expect(parsed.gate).toMatchObject({ status: 'incomplete', passed: false, allowUnverified: false, failedBy: [] });
    expect(parsed.gate.unverified).toEqual([
      { id: 'tls.frontend', severity: 'critical', kind: 'blocked', detail: 'blocked by dns.frontend (failed: DOMAIN is not set (with.name))', blockedBy: ['dns.frontend'] },
      { id: 'email.send', severity: 'critical', kind: 'opt-in', detail: 'not sent: email.send sends a real message; set allow_send: true to opt in' },
      { id: 'stripe.account', severity: 'critical', kind: 'deadline', detail: 'stopped after 29.9s: the run deadline (30s) was reached' },
    ]);
    expect(parsed.summary).toMatchObject({ total: 9, skip: 7, unverified: 3 });
    expect(parsed.interrupted).toBe('deadline');
    const skips = parsed.results.filter((r: { status: string }) => r.status === 'skip');
    expect(skips.map((r: { id: string; skip: { kind: string }; unverified?: boolean }) => [r.id, r.skip.kind, r.unverified ?? false])).toEqual([
      ['tls.frontend', 'blocked', true],
      ['headers.hsts', 'blocked', false],
      ['email.send', 'opt-in', true],
      ['email.mx', 'not-applicable', false],
      ['stripe.account', 'deadline', true],
      ['backup.restore', 'profile', false],
      ['redis.ping', 'not-selected', false],
    ]);
    expect(JSON.parse(json(allowedReport, opts)).gate).toMatchObject({ status: 'incomplete', passed: false, allowUnverified: true });
  });

  it('keeps hostile characters escaped as JSON', () => {
    const out = json(fullReport, opts);
    expect(out).not.toContain('\u001b');
    expect(out).toContain('\\u001b[31mred');
  });

  it('does not throw on BigInt evidence', () => {
    const r = report([result({ id: 'rows', status: 'pass', evidence: { actual: 12345678901234567890n } })]);
    expect(JSON.parse(json(r, opts)).results[0].evidence.actual).toBe('12345678901234567890');
  });
});
