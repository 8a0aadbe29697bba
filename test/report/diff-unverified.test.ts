// `readiness diff` and unverified checks: a check that becomes unverified (blocked, not opted in, stopped)
// is a regression; --strict makes pass → warn one; reports of schemaVersion 1 are read and upgraded.
import { describe, expect, it } from 'vitest';
import { diffReports, gatingRegressions, parseReport, renderDiffMarkdown, renderDiffPretty } from '../../src/report/diff.js';
import { upgradeReport, legacySkip } from '../../src/report/compat.js';
import type { CheckResult, Report, SkipInfo } from '../../src/report/model.js';
import { report, result } from './fixtures/reports.js';

const blocked: SkipInfo = { kind: 'blocked', detail: 'blocked by dns.root (failed: DOMAIN is not set)', blockedBy: ['dns.root'] };

describe('diff with unverified checks', () => {
  const before = report([
    result({ id: 'tls', status: 'pass' }),
    result({ id: 'rate', status: 'pass' }),
    result({ id: 'was.blocked', status: 'skip', skip: blocked, message: blocked.detail, unverified: true }),
    result({ id: 'fail.to.blocked', status: 'fail', message: 'bad' }),
    result({ id: 'na', status: 'skip', skip: { kind: 'not-applicable', detail: 'no SMTP' }, message: 'no SMTP' }),
    result({ id: 'warns', status: 'pass' }),
  ]);
  const after = report([
    result({ id: 'tls', status: 'skip', skip: blocked, message: blocked.detail, unverified: true }),
    result({ id: 'rate', status: 'skip', skip: { kind: 'opt-in', detail: 'set send_requests: true' }, message: 'set send_requests: true', severity: 'optional' }),
    result({ id: 'was.blocked', status: 'pass' }),
    result({ id: 'fail.to.blocked', status: 'skip', skip: blocked, message: blocked.detail, unverified: true }),
    result({ id: 'na', status: 'skip', skip: { kind: 'profile', detail: 'not on staging' }, message: 'not on staging' }),
    result({ id: 'warns', status: 'warn', message: 'expires in 20 days' }),
  ]);

  it('becoming unverified is a regression (at the new severity); unverified → pass is fixed; fail → unverified still failing', () => {
    const diff = diffReports(before, after);
    expect(diff.regressions.map((e) => [e.id, e.afterKind])).toEqual([
      ['tls', 'blocked'],
      ['rate', 'opt-in'],
    ]);
    expect(diff.regressions[0].note).toBe('not verified: blocked by dns.root (failed: DOMAIN is not set)');
    expect(gatingRegressions(diff, 'critical').map((e) => e.id)).toEqual(['tls']);
    expect(diff.fixed.map((e) => e.id)).toEqual(['was.blocked']);
    expect(diff.stillFailing.map((e) => [e.id, e.note])).toEqual([['fail.to.blocked', 'was fail; not verified: blocked by dns.root (failed: DOMAIN is not set)']]);
    // A decision changed (not applicable → skipped in the profile): shown, not a regression.
    expect(diff.changed.map((e) => e.id)).toEqual(['na', 'warns']);
  });

  it('--strict: pass → warn is a regression', () => {
    const diff = diffReports(before, after, { strict: true });
    expect(diff.regressions.map((e) => e.id)).toEqual(['tls', 'rate', 'warns']);
    expect(diff.changed.map((e) => e.id)).toEqual(['na']);
  });

  it('renders the skip kind: "pass → not verified (blocked)"', () => {
    const diff = diffReports(before, after);
    expect(renderDiffPretty(diff, { failOn: 'critical' })).toMatch(/^ {2}tls {2}pass → not verified \(blocked\) {2}\[critical\]/m);
    expect(renderDiffMarkdown(diff, { failOn: 'critical' })).toContain('pass → **not verified (blocked)**');
  });
});

describe('reports of schemaVersion 1', () => {
  const v1 = (results: Partial<CheckResult>[], passed: boolean): string =>
    JSON.stringify({
      schemaVersion: 1,
      tool: { name: 'readiness', version: '0.1.0' },
      profile: { name: 'P', path: 'readiness.yaml' },
      startedAt: '2026-11-01T00:00:00.000Z',
      durationMs: 1,
      summary: { total: results.length, pass: 0, warn: 0, fail: 0, error: 0, skip: 0, waived: 0 },
      gate: { passed, failOn: 'critical', strict: false, failedBy: [] },
      notes: [],
      results: results.map((r) => ({ type: 't', title: r.id, section: 'S', severity: 'critical', tags: [], message: '', durationMs: 0, attempts: 1, gating: false, ...r })),
    });

  it('reads them, giving skips their kind and the gate a status as it was decided then', () => {
    const old = parseReport(
      v1(
        [
          { id: 'a', status: 'pass' },
          { id: 'b', status: 'skip', message: 'blocked by dns.root (fail), env (error)' },
          { id: 'c', status: 'skip', message: 'not selected' },
        ],
        true,
      ),
      'old.json',
    );
    expect(old.gate.status).toBe('passed');
    expect(old.results[1]).toMatchObject({ skip: { kind: 'blocked', blockedBy: ['dns.root', 'env'] }, unverified: true });
    expect(old.results[2].skip?.kind).toBe('not-selected');
    expect(old.gate.unverified.map((u) => u.id)).toEqual(['b']);
  });

  it('compares a v1 report with a v2 one: blocked then and now is still failing, pass → blocked a regression', () => {
    const old = parseReport(v1([{ id: 'x', status: 'pass' }, { id: 'y', status: 'skip', message: 'blocked by z (fail)' }], true), 'old.json');
    const now: Report = report([
      result({ id: 'x', status: 'skip', skip: blocked, message: blocked.detail, unverified: true }),
      result({ id: 'y', status: 'skip', skip: blocked, message: blocked.detail, unverified: true }),
    ]);
    const diff = diffReports(old, now);
    expect(diff.regressions.map((e) => e.id)).toEqual(['x']);
    expect(diff.stillFailing.map((e) => e.id)).toEqual(['y']);
    expect(diff.old.gateStatus).toBe('passed');
    expect(diff.new.gateStatus).toBe('incomplete');
  });

  it('legacySkip reads the fixed wordings of version 1', () => {
    expect(legacySkip('not started: the run was interrupted').kind).toBe('interrupted');
    expect(legacySkip('not sent: email.send sends a real message; set allow_send: true to opt in').kind).toBe('opt-in');
    expect(legacySkip('skipped in the profile').kind).toBe('not-applicable');
    expect(upgradeReport(report([result({ id: 'a', status: 'pass' })])).schemaVersion).toBe(2);
  });
});
