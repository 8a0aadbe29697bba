import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { evaluateSes, type SesFacts } from '../../../checks/email/ses.js';
import { runCheck } from '../../support/run-check.js';
import { sesRoutes, startJsonServer, type SesAccountState, type TestHttpServer } from '../../support/email-http.js';
import { closedPort } from '../../support/email-smtp.js';

const KEY_ID = 'AKIAREADINESSTEST001';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYREADINESSKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEReadinessSessionToken0123456789';

describe('email.ses decision', () => {
  const healthy = { SendingEnabled: true, ProductionAccessEnabled: true, EnforcementStatus: 'HEALTHY' };
  const domainOk = { id: 'example.com', found: true, verified: true, dkim: 'SUCCESS', type: 'DOMAIN' };
  const facts = (over: Partial<SesFacts> = {}): SesFacts => ({ region: 'eu-west-1', account: healthy, identities: [{ id: 'noreply@example.com', found: false }, domainOk], ...over });
  const e = { production: true, sender: 'noreply@example.com' };

  it('passes a production account with a verified domain and DKIM SUCCESS', () => {
    const v = evaluateSes(facts(), e);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('SES eu-west-1: sending enabled, production access, enforcement HEALTHY; example.com verified, DKIM SUCCESS');
  });

  it('fails the sandbox in production with the review status, and only warns outside production', () => {
    const sandbox = facts({ account: { ...healthy, ProductionAccessEnabled: false, ReviewStatus: 'DENIED', CaseId: '42', Max24HourSend: 200 } });
    const v = evaluateSes(sandbox, e);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('SES account in eu-west-1 is in the sandbox: it can only send to verified addresses, 200 per day (production access request DENIED, case 42)');
    expect(evaluateSes(sandbox, { ...e, production: false }).status).toBe('warn');
  });

  it('warns on PROBATION, fails on SHUTDOWN and on disabled sending', () => {
    expect(evaluateSes(facts({ account: { ...healthy, EnforcementStatus: 'PROBATION' } }), e).status).toBe('warn');
    expect(evaluateSes(facts({ account: { ...healthy, EnforcementStatus: 'SHUTDOWN' } }), e).status).toBe('fail');
    expect(evaluateSes(facts({ account: { ...healthy, SendingEnabled: false } }), e).message).toContain('sending is disabled');
  });

  it('fails an unverified sender and a DKIM status other than SUCCESS', () => {
    const v = evaluateSes(facts({ identities: [{ id: 'noreply@example.com', found: false }, { ...domainOk, verified: false, dkim: 'PENDING' }] }), e);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('sender noreply@example.com is not verified in SES eu-west-1 (noreply@example.com: not an identity, example.com: not verified)');
    expect(v.message).toContain('DKIM for example.com is PENDING (expected SUCCESS)');
  });

  it('treats rejected credentials as a failure and missing permission as "cannot verify"', () => {
    expect(evaluateSes(facts({ accountProblem: { kind: 'credentials', message: 'AWS rejected the credentials' } }), e).status).toBe('fail');
    expect(evaluateSes(facts({ accountProblem: { kind: 'denied', message: 'cannot verify' } }), e)).toMatchObject({ status: 'error', remediation: expect.stringContaining('ses:GetAccount') });
    expect(evaluateSes(facts({ accountProblem: { kind: 'network', message: 'refused' } }), e).status).toBe('error');
  });
  it('fails an unverified sender even when the account could not be read, naming the account as unchecked', () => {
    const v = evaluateSes(
      facts({ account: undefined, accountProblem: { kind: 'denied', message: 'cannot verify: the credentials may not call GetAccount (AccessDeniedException)' }, identities: [{ id: 'noreply@example.com', found: false }, { id: 'example.com', found: false }] }),
      e,
    );
    expect(v.status).toBe('fail');
    expect(v.message).toBe('sender noreply@example.com is not verified in SES eu-west-1 (noreply@example.com: not an identity, example.com: not an identity)');
    expect(v.unchecked).toEqual(['cannot verify: the credentials may not call GetAccount (AccessDeniedException)']);
    expect(v.remediation).toContain('ses:GetAccount');
  });
});

describe('email.ses with the real SDK against a local server in SES v2 shapes', () => {
  const state: SesAccountState = {
    accessKeyId: KEY_ID,
    SendingEnabled: true,
    ProductionAccessEnabled: true,
    EnforcementStatus: 'HEALTHY',
    identities: {
      'example.com': { VerifiedForSendingStatus: true, DkimStatus: 'SUCCESS' },
      'pending.com': { VerifiedForSendingStatus: false, DkimStatus: 'PENDING' },
      'solo@nodkim.com': { VerifiedForSendingStatus: true, DkimStatus: 'NOT_STARTED' },
    },
  };
  let api: TestHttpServer;
  let hanging: TestHttpServer;
  beforeAll(async () => {
    api = await startJsonServer((req) => sesRoutes(state)(req));
    hanging = await startJsonServer(() => ({ status: 200, hang: true }));
  });
  afterAll(async () => {
    await api?.close();
    await hanging?.close();
  });

  const run = async (params: Record<string, unknown>, env: Record<string, string> = {}, timeoutMs?: number) => {
    const logs: string[] = [];
    const v = await runCheck(check, { endpoint: api.url, region: 'eu-west-1', ...params }, { env, logs, timeoutMs });
    const all = JSON.stringify(v) + logs.join('\n');
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(KEY_ID); // only masked
    return v;
  };
  const creds = { access_key_id: KEY_ID, secret_access_key: SECRET, session_token: TOKEN };

  it('passes a healthy production account whose domain is verified, using GET requests only', async () => {
    const before = api.requests.length;
    const v = await run({ ...creds, from: 'App <noreply@example.com>' });
    expect(v.status, v.message).toBe('pass');
    expect(v.message).toContain('example.com verified, DKIM SUCCESS');
    const made = api.requests.slice(before);
    expect(made.every((r) => r.method === 'GET')).toBe(true);
    expect(made.map((r) => decodeURIComponent(r.path))).toEqual(['/v2/email/account', '/v2/email/identities/noreply@example.com', '/v2/email/identities/example.com']);
    expect(String(made[0].headers.authorization)).toContain(`Credential=${KEY_ID}/`);
  });

  it('takes credentials, region and sender from the environment', async () => {
    const v = await run({ region: undefined }, { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, EMAIL_FROM: 'noreply@example.com' });
    expect(v.status).toBe('pass');
    expect(v.message).toContain('example.com verified, DKIM SUCCESS');
  });

  it('fails the sandbox with the review status', async () => {
    state.ProductionAccessEnabled = false;
    state.ReviewStatus = 'PENDING';
    try {
      const v = await run({ ...creds, from: 'noreply@example.com' });
      expect(v.status).toBe('fail');
      expect(v.message).toContain('is in the sandbox');
      expect(v.message).toContain('production access request PENDING, case 1234567890');
    } finally {
      state.ProductionAccessEnabled = true;
      state.ReviewStatus = undefined;
    }
  });

  it('fails an unverified domain with pending DKIM, and a verified address without DKIM', async () => {
    const v = await run({ ...creds, from: 'hello@pending.com' });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('pending.com: not verified');
    expect(v.message).toContain('DKIM for pending.com is PENDING');
    const v2 = await run({ ...creds, from: 'solo@nodkim.com' });
    expect(v2.status).toBe('fail');
    expect(v2.message).toBe('DKIM for solo@nodkim.com is NOT_STARTED (expected SUCCESS)');
  });

  it('fails rejected credentials, and says "cannot verify" without permission', async () => {
    const bad = await run({ access_key_id: 'AKIAWRONGWRONGWRONG1', secret_access_key: SECRET, from: 'noreply@example.com' });
    expect(bad.status).toBe('fail');
    expect(bad.message).toMatch(/^AWS rejected the credentials for GetAccount \(UnrecognizedClientException/);
    state.denyGetAccount = true;
    try {
      const denied = await run({ ...creds });
      expect(denied.status).toBe('error');
      expect(denied.message).toMatch(/^cannot verify: the credentials may not call GetAccount \(AccessDeniedException/);
    } finally {
      state.denyGetAccount = false;
    }
  });

  it('fails an unverified sender although GetAccount is denied, and names the account as unchecked', async () => {
    state.denyGetAccount = true;
    try {
      const v = await run({ ...creds, from: 'hello@pending.com' });
      expect(v.status).toBe('fail');
      expect(v.message).toContain('sender hello@pending.com is not verified in SES eu-west-1');
      expect(v.unchecked).toHaveLength(1);
      expect(v.unchecked?.[0]).toMatch(/^cannot verify: the credentials may not call GetAccount \(AccessDeniedException/);
    } finally {
      state.denyGetAccount = false;
    }
  });

  it('is an error when the endpoint is unreachable or hangs, never a hang', async () => {
    const port = await closedPort();
    const refused = await runCheck(check, { ...creds, region: 'eu-west-1', endpoint: `http://127.0.0.1:${port}` });
    expect(refused.status).toBe('error');
    expect(refused.message).toContain('connection refused');
    expect(refused.remediation).toContain('reachable from where the check runs');
    const started = Date.now();
    const hung = await runCheck(check, { ...creds, region: 'eu-west-1', endpoint: hanging.url }, { timeoutMs: 1200 });
    expect(hung.status).toBe('error');
    expect(hung.message).toMatch(/did not answer within/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('needs a region', async () => {
    const v = await runCheck(check, { ...creds });
    expect(v).toMatchObject({ status: 'error', message: 'misconfigured: no AWS region (set region or AWS_REGION)' });
  });
});
