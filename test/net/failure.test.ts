// The shared failure vocabulary: one wording per kind, one rule from kind to status.
import { describe, expect, it } from 'vitest';
import { authRejected, errorCode, failureStatus, failureVerdict, forbidden, networkFailure, timeoutFailure } from '../../src/net/failure.js';

const sys = (code: string, message = code) => Object.assign(new Error(message), { code });
const ctx = { where: 'db.internal:5432', timeoutMs: 3000 };

describe('networkFailure', () => {
  it('names the kind, where and the code, the same way for every family', () => {
    expect(networkFailure(sys('ECONNREFUSED'), ctx)).toMatchObject({ kind: 'refused', where: 'db.internal:5432', code: 'ECONNREFUSED', message: 'connection refused at db.internal:5432' });
    expect(networkFailure(sys('ENOTFOUND'), ctx)).toMatchObject({ kind: 'dns', stage: 'dns', message: 'cannot resolve host "db.internal": no such host (ENOTFOUND)' });
    expect(networkFailure(sys('EAI_AGAIN'), ctx)?.message).toBe('cannot resolve host "db.internal": the DNS lookup timed out (EAI_AGAIN)');
    expect(networkFailure(sys('ECONNRESET'), { ...ctx, stage: 'greeting' })?.message).toBe('db.internal:5432 closed the connection (waiting for the greeting) (ECONNRESET)');
    expect(networkFailure(sys('EHOSTUNREACH'), ctx)?.kind).toBe('unreachable');
    expect(networkFailure(sys('CERT_HAS_EXPIRED'), ctx)).toMatchObject({ kind: 'tls-expired', stage: 'tls' });
    expect(networkFailure(sys('ERR_TLS_CERT_ALTNAME_INVALID'), ctx)?.kind).toBe('tls-hostname');
    expect(networkFailure(sys('DEPTH_ZERO_SELF_SIGNED_CERT'), ctx)?.remediation).toMatch(/ca parameter/);
    expect(networkFailure(sys('ERR_SSL_WRONG_VERSION_NUMBER'), ctx)?.kind).toBe('tls-handshake');
    expect(networkFailure(new Error('bug'), ctx)).toBeUndefined();
  });

  it('finds the code through wrappers (undici cause, AggregateError) and reads an abort as a timeout at its stage', () => {
    const wrapped = Object.assign(new TypeError('fetch failed'), { cause: sys('ECONNREFUSED') });
    expect(networkFailure(wrapped, ctx)?.kind).toBe('refused');
    const aggregate = Object.assign(new AggregateError([sys('ECONNREFUSED'), sys('ECONNREFUSED')]), {});
    expect(errorCode(aggregate)).toBe('ECONNREFUSED');
    expect(networkFailure(new Error('aborted'), { ...ctx, aborted: true, stage: 'response' })).toMatchObject({
      kind: 'timeout',
      message: 'db.internal:5432 did not answer within 3s (waiting for the response)',
    });
    expect(timeoutFailure({ where: 'h:1' }).message).toBe('h:1 did not answer');
  });

  it('gives reachability advice, never a check type\'s advice', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH']) expect(networkFailure(sys(code), ctx)?.remediation).toMatch(/this host can reach it/);
  });
});

describe('the status rule', () => {
  it('rejected credentials and an invalid certificate fail everywhere; everything else is could-not-check', () => {
    for (const kind of ['auth-rejected', 'tls-untrusted', 'tls-hostname', 'tls-expired', 'tls-not-yet-valid'] as const) expect(failureStatus(kind)).toBe('fail');
    for (const kind of ['dns', 'refused', 'reset', 'timeout', 'tls-handshake', 'forbidden', 'protocol', 'http-status'] as const) expect(failureStatus(kind)).toBe('error');
    const rejected = failureVerdict(authRejected(ctx, '28P01', 'db.internal:5432 rejected the password of "app" (28P01)', 'Set the right password.'));
    expect(rejected).toMatchObject({ status: 'fail', remediation: 'Set the right password.', evidence: { details: { failure: 'auth-rejected', stage: 'auth', code: '28P01' } } });
    expect(failureVerdict(forbidden(ctx, '403', 'the key may not read the account', 'Use a key with read access.')).status).toBe('error');
  });
});
