import { describe, expect, it } from 'vitest';
import { evaluateGate, summarize } from '../../src/engine/gate.js';
import { isWaiverExpired } from '../../src/engine/waiver.js';
import type { CheckResult } from '../../src/report/model.js';

const result = (id: string, status: CheckResult['status'], severity: CheckResult['severity']): CheckResult => ({
  id, type: 't', title: id, section: 'S', severity, tags: [], status, message: '', durationMs: 0, attempts: 1, gating: false,
});

describe('evaluateGate', () => {
  const results = [
    result('crit-fail', 'fail', 'critical'),
    result('rec-error', 'error', 'recommended'),
    result('opt-fail', 'fail', 'optional'),
    result('crit-warn', 'warn', 'critical'),
    result('crit-waived', 'waived', 'critical'),
    result('crit-skip', 'skip', 'critical'),
  ];

  it('fails on fail and error at or above --fail-on', () => {
    expect(evaluateGate(results, 'critical', false).gate).toEqual({ passed: false, failOn: 'critical', strict: false, failedBy: ['crit-fail'] });
    expect(evaluateGate(results, 'recommended', false).gate.failedBy).toEqual(['crit-fail', 'rec-error']);
    expect(evaluateGate(results, 'optional', false).gate.failedBy).toEqual(['crit-fail', 'rec-error', 'opt-fail']);
  });

  it('counts warnings with --strict, and never waived or skipped results', () => {
    expect(evaluateGate(results, 'critical', true).gate.failedBy).toEqual(['crit-fail', 'crit-warn']);
  });

  it('passes when nothing gating failed, and marks gating results', () => {
    const { gate, results: marked } = evaluateGate([result('a', 'pass', 'critical'), result('b', 'fail', 'optional')], 'critical', false);
    expect(gate.passed).toBe(true);
    expect(marked.map((r) => r.gating)).toEqual([false, false]);
    expect(evaluateGate(results, 'critical', false).results[0].gating).toBe(true);
  });

  it('summarizes counts per status', () => {
    expect(summarize(results)).toEqual({ total: 6, pass: 0, warn: 1, fail: 2, error: 1, skip: 1, waived: 1 });
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
