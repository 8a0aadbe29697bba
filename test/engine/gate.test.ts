import { describe, expect, it } from 'vitest';
import { evaluateGate, gateExitCode, summarize, type GatePolicy } from '../../src/engine/gate.js';
import { isWaiverExpired } from '../../src/engine/waiver.js';
import type { CheckResult, SkipInfo, SkipKind } from '../../src/report/model.js';

const result = (id: string, status: CheckResult['status'], severity: CheckResult['severity'], skip?: CheckResult['skip']): CheckResult => ({
  id, type: 't', title: id, section: 'S', severity, tags: [], status, message: skip?.detail ?? '', ...(skip ? { skip } : {}), durationMs: 0, attempts: 1, gating: false,
});
const skipped = (id: string, kind: SkipKind, severity: CheckResult['severity'] = 'critical', extra: Partial<SkipInfo> = {}) =>
  result(id, 'skip', severity, { kind, detail: `${kind} reason`, ...extra });
const policy = (failOn: GatePolicy['failOn'] = 'critical', strict = false, allowUnverified = false): GatePolicy => ({ failOn, strict, allowUnverified });

describe('evaluateGate', () => {
  const results = [
    result('crit-fail', 'fail', 'critical'),
    result('rec-error', 'error', 'recommended'),
    result('opt-fail', 'fail', 'optional'),
    result('crit-warn', 'warn', 'critical'),
    result('crit-waived', 'waived', 'critical'),
    skipped('crit-na', 'not-applicable'),
  ];

  it('fails on fail and error at or above --fail-on', () => {
    expect(evaluateGate(results, policy()).gate).toEqual({
      status: 'failed',
      passed: false,
      failOn: 'critical',
      strict: false,
      allowUnverified: false,
      failedBy: ['crit-fail'],
      unverified: [],
    });
    expect(evaluateGate(results, policy('recommended')).gate.failedBy).toEqual(['crit-fail', 'rec-error']);
    expect(evaluateGate(results, policy('optional')).gate.failedBy).toEqual(['crit-fail', 'rec-error', 'opt-fail']);
  });

  it('counts warnings with --strict, and never waived or skipped results', () => {
    expect(evaluateGate(results, policy('critical', true)).gate.failedBy).toEqual(['crit-fail', 'crit-warn']);
  });

  it('passes when nothing gating failed and every gating check was verified, and marks gating results', () => {
    const { gate, results: marked } = evaluateGate([result('a', 'pass', 'critical'), result('b', 'fail', 'optional'), skipped('c', 'blocked', 'optional')], policy());
    expect(gate).toMatchObject({ status: 'passed', passed: true, unverified: [] });
    expect(marked.map((r) => r.gating)).toEqual([false, false, false]);
    expect(marked.map((r) => r.unverified)).toEqual([undefined, undefined, undefined]);
    expect(evaluateGate(results, policy()).results[0].gating).toBe(true);
  });

  it.each(['blocked', 'opt-in', 'deadline', 'interrupted'] as SkipKind[])('a gating check skipped as %s is unverified: INCOMPLETE', (kind) => {
    const { gate, results: marked } = evaluateGate([result('a', 'pass', 'critical'), skipped('b', kind, 'critical', kind === 'blocked' ? { blockedBy: ['x'] } : {})], policy());
    expect(gate.status).toBe('incomplete');
    expect(gate.passed).toBe(false);
    expect(gate.unverified).toEqual([{ id: 'b', severity: 'critical', kind, detail: `${kind} reason`, ...(kind === 'blocked' ? { blockedBy: ['x'] } : {}) }]);
    expect(marked[1].unverified).toBe(true);
    expect(gateExitCode(gate)).toBe(1);
    expect(gateExitCode(evaluateGate(marked, policy('critical', false, true)).gate)).toBe(0);
  });

  it.each(['not-selected', 'profile', 'not-applicable'] as SkipKind[])('a check skipped as %s is a decision, not unverified', (kind) => {
    const { gate } = evaluateGate([result('a', 'pass', 'critical'), skipped('b', kind)], policy());
    expect(gate).toMatchObject({ status: 'passed', unverified: [] });
  });

  it('an unverified check below --fail-on does not make the gate incomplete', () => {
    expect(evaluateGate([result('a', 'pass', 'critical'), skipped('b', 'blocked', 'recommended')], policy()).gate.status).toBe('passed');
    expect(evaluateGate([result('a', 'pass', 'critical'), skipped('b', 'blocked', 'recommended')], policy('recommended')).gate.status).toBe('incomplete');
  });

  it('FAILED wins over INCOMPLETE and still lists the unverified checks; --allow-unverified never passes a failure', () => {
    const { gate } = evaluateGate([result('a', 'fail', 'critical'), skipped('b', 'opt-in')], policy('critical', false, true));
    expect(gate).toMatchObject({ status: 'failed', failedBy: ['a'], unverified: [{ id: 'b', kind: 'opt-in' }] });
    expect(gateExitCode(gate)).toBe(1);
  });

  it('a run where nothing reached a verdict is not PASSED', () => {
    for (const set of [[], [skipped('a', 'not-selected'), skipped('b', 'profile')]]) {
      const { gate } = evaluateGate(set, policy());
      expect(gate).toMatchObject({ status: 'incomplete', nothingVerified: true });
      expect(gateExitCode(gate)).toBe(1);
    }
    expect(evaluateGate([skipped('a', 'not-applicable')], policy()).gate.status).toBe('passed');
  });

  it('summarizes counts per status, and the unverified among the skips', () => {
    const marked = evaluateGate([...results, skipped('x', 'blocked')], policy()).results;
    expect(summarize(marked)).toEqual({ total: 7, pass: 0, warn: 1, fail: 2, error: 1, skip: 2, waived: 1, unverified: 1 });
  });
});

describe('isWaiverExpired', () => {
  it('covers the whole until day in UTC', () => {
    expect(isWaiverExpired('2026-12-31', new Date('2026-12-31T23:59:59Z'))).toBe(false);
    expect(isWaiverExpired('2026-12-31', new Date('2027-01-01T00:00:00Z'))).toBe(true);
  });
});

import { environmentName } from '../../src/report/build.js';

describe('environmentName', () => {
  it('takes the most specific variable that names the environment', () => {
    expect(environmentName({ NODE_ENV: 'production', APP_ENV: 'staging' })).toBe('staging');
    expect(environmentName({ NODE_ENV: 'production' })).toBe('production');
    expect(environmentName({ APP_ENV: '' })).toBeUndefined();
  });
});
