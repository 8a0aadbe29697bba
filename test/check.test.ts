import { describe, expect, it } from 'vitest';
import { combine, fail, pass, warn } from '../src/check.js';

describe('combine', () => {
  it('passes with the pass message when every part passes', () => {
    expect(combine([pass('a'), pass('b')], 'all good', { actual: 1 })).toEqual({ status: 'pass', message: 'all good', evidence: { actual: 1 } });
  });

  it('takes the worst status, lists the problems worst first and keeps every distinct fix', () => {
    const verdict = combine([warn('persistence off'), fail('maxmemory is 0', undefined, 'Set maxmemory.'), fail('eviction is noeviction', undefined, 'Set maxmemory-policy.'), warn('x', undefined)], 'ok');
    expect(verdict.status).toBe('fail');
    expect(verdict.message).toBe('maxmemory is 0; eviction is noeviction; persistence off; x');
    expect(verdict.remediation).toBe('Set maxmemory. Set maxmemory-policy.');
  });

  it('has no remediation when no part gives one', () => {
    expect(combine([warn('meh')], 'ok').remediation).toBeUndefined();
  });
});
