import { describe, expect, it } from 'vitest';
import { combine, error, fail, failAndUnchecked, pass, skip, warn } from '../src/check.js';

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

  it('a definite failure outranks a part that could not be checked, which is kept apart in unchecked', () => {
    const verdict = combine([error('could not reach api.stripe.com: connection refused', undefined), fail('secret_key is a test-mode key but live mode is expected', undefined, 'Use the live key.'), pass('x')], 'ok');
    expect(verdict).toMatchObject({
      status: 'fail',
      message: 'secret_key is a test-mode key but live mode is expected',
      unchecked: ['could not reach api.stripe.com: connection refused'],
      remediation: 'Use the live key.',
    });
  });

  it('without a failure, could-not-check is the verdict (error over warn), with no unchecked list', () => {
    const verdict = combine([warn('old TLS'), error('timed out'), skip('n/a')], 'ok');
    expect(verdict).toMatchObject({ status: 'error', message: 'timed out; old TLS' });
    expect(verdict.unchecked).toBeUndefined();
  });

  it('nested combinations keep every unchecked part', () => {
    const inner = combine([fail('a'), error('b')], 'ok');
    expect(combine([inner, error('c')], 'ok')).toMatchObject({ status: 'fail', message: 'a', unchecked: ['c', 'b'] });
  });
});

describe('failAndUnchecked', () => {
  it('keeps the failure and names what could not be checked, with every fix', () => {
    const verdict = failAndUnchecked(fail('key is test-mode', undefined, 'Use the live key.'), [{ status: 'error', message: 'api refused', remediation: 'Open the firewall.' }, 'webhooks not listed']);
    expect(verdict).toEqual({ status: 'fail', message: 'key is test-mode', evidence: undefined, remediation: 'Use the live key. Open the firewall.', unchecked: ['api refused', 'webhooks not listed'] });
    expect(failAndUnchecked(fail('x'), [])).toEqual(fail('x'));
  });
});
