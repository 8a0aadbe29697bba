import { describe, expect, it } from 'vitest';
import { json } from '../../../src/report/reporters/json.js';
import { FIXTURES, fullReport, report, result } from '../fixtures/reports.js';

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
    expect(parsed.schemaVersion).toBe(1);
    expect(parsed.gate).toEqual({ passed: false, failOn: 'critical', strict: false, failedBy: ['db.schema', 'redis.ping', 'stripe.keys'] });
    expect(parsed.summary.total).toBe(13);
    expect(parsed.results.map((r: { status: string }) => r.status)).toEqual(fullReport.results.map((r) => r.status));
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
