import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { evaluateSendgrid } from '../../../checks/email/sendgrid.js';
import { runCheck } from '../../support/run-check.js';
import { sendgridRoutes, startJsonServer, type TestHttpServer } from '../../support/email-http.js';
import { closedPort } from '../../support/email-smtp.js';

const FULL_KEY = 'SG.fullAccessKey1234.abcdefghijklmnopqrstuvwxyz0123456789ABCD';
const SEND_ONLY_KEY = 'SG.sendOnlyKey56789.ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxw';
const NO_SEND_KEY = 'SG.readOnlyKey00000.qwertyuiopasdfghjklzxcvbnm0123456789QWER';
const BAD_KEY = 'SG.revokedKey111111.mnbvcxzlkjhgfdsapoiuytrewq0123456789MNBV';
const KEYS = [FULL_KEY, SEND_ONLY_KEY, NO_SEND_KEY, BAD_KEY];

describe('email.sendgrid decision', () => {
  const e = { from: 'App <noreply@example.com>', verifySender: true, keyHint: 'SG.…ABCD' };
  const ok = { status: 200, data: ['mail.send', 'whitelabel.read'] };

  it('passes a verified single sender', () => {
    const v = evaluateSendgrid({ scopes: ok, senders: { status: 200, data: [{ from_email: 'noreply@example.com', verified: true }] }, domains: { status: 200, data: [] } }, e);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('API key SG.…ABCD has mail.send; noreply@example.com is a verified sender');
  });
  it('passes an authenticated domain', () => {
    const v = evaluateSendgrid({ scopes: ok, senders: { status: 403 }, domains: { status: 200, data: [{ domain: 'example.com', valid: true }] } }, e);
    expect(v.status).toBe('pass');
    expect(v.message).toContain('example.com is an authenticated domain');
  });
  it('fails a key without mail.send and a rejected key', () => {
    expect(evaluateSendgrid({ scopes: { status: 200, data: ['stats.read'] } }, e).message).toContain('lacks the mail.send scope');
    expect(evaluateSendgrid({ scopes: { status: 401 } }, e)).toMatchObject({ status: 'fail', message: 'SendGrid rejected the API key SG.…ABCD (401)' });
  });
  it('fails an unverified sender on an unvalidated domain, naming both', () => {
    const v = evaluateSendgrid(
      { scopes: ok, senders: { status: 200, data: [{ from_email: 'noreply@example.com', verified: false }] }, domains: { status: 200, data: [{ domain: 'example.com', valid: false }] } },
      e,
    );
    expect(v.status).toBe('fail');
    expect(v.message).toContain('noreply@example.com is registered but not verified');
    expect(v.message).toContain('domain authentication for example.com is not validated');
  });
  it('says "cannot verify" (error) when sender settings are not readable', () => {
    const v = evaluateSendgrid({ scopes: { status: 200, data: ['mail.send'] }, senders: { status: 403 }, domains: { status: 403 } }, e);
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/^cannot verify the sender noreply@example.com/);
  });
  it('keeps a network problem an error', () => {
    expect(evaluateSendgrid({ scopes: { problem: 'connection refused at 127.0.0.1:1' } }, e).status).toBe('error');
  });
});

describe('email.sendgrid against a local server in SendGrid\'s shapes', () => {
  let api: TestHttpServer;
  let hanging: TestHttpServer;

  beforeAll(async () => {
    api = await startJsonServer(
      sendgridRoutes([
        {
          apiKey: FULL_KEY,
          scopes: ['mail.send', 'verified_senders.read', 'whitelabel.read'],
          senders: [
            { from_email: 'support@other.com', verified: true },
            { from_email: 'pending@other.com', verified: false },
          ],
          domains: [{ domain: 'example.com', valid: true }, { domain: 'stale.com', valid: false }],
        },
        { apiKey: SEND_ONLY_KEY, scopes: ['mail.send'] },
        { apiKey: NO_SEND_KEY, scopes: ['stats.read', 'whitelabel.read'] },
      ]),
    );
    hanging = await startJsonServer(() => ({ status: 200, hang: true }));
  });
  afterAll(async () => {
    await api?.close();
    await hanging?.close();
  });

  const run = async (params: Record<string, unknown>, timeoutMs?: number) => {
    const logs: string[] = [];
    const v = await runCheck(check, { api_base: api.url, ...params }, { logs, timeoutMs });
    const all = JSON.stringify(v) + logs.join('\n');
    for (const key of KEYS) expect(all).not.toContain(key);
    return v;
  };

  it('passes a sender on an authenticated domain, using only GET requests', async () => {
    const before = api.requests.length;
    const v = await run({ api_key: FULL_KEY, from: 'App <noreply@example.com>' });
    expect(v.status).toBe('pass');
    expect(v.message).toContain('example.com is an authenticated domain');
    expect(v.message).toContain(`SG.…${FULL_KEY.slice(-4)}`);
    const made = api.requests.slice(before);
    expect(made.every((r) => r.method === 'GET')).toBe(true);
    expect(made.map((r) => r.path.split('?')[0]).sort()).toEqual(['/v3/scopes', '/v3/verified_senders', '/v3/whitelabel/domains']);
  });

  it('passes a verified single sender', async () => {
    expect((await run({ api_key: FULL_KEY, from: 'support@other.com' })).status).toBe('pass');
  });

  it('checks EMAIL_FROM when no from is given', async () => {
    const v = await runCheck(check, { api_base: api.url, api_key: FULL_KEY }, { env: { EMAIL_FROM: 'pending@other.com' } });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('pending@other.com is registered but not verified');
  });

  it('fails an unverified sender and a domain whose authentication is not validated', async () => {
    const v = await run({ api_key: FULL_KEY, from: 'pending@other.com' });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('pending@other.com is registered but not verified');
    const v2 = await run({ api_key: FULL_KEY, from: 'hello@stale.com' });
    expect(v2.message).toContain('domain authentication for stale.com is not validated');
  });

  it('reports "cannot verify" for a send-only key, and passes it when verify_sender is false', async () => {
    const v = await run({ api_key: SEND_ONLY_KEY, from: 'noreply@example.com' });
    expect(v.status).toBe('error');
    expect(v.message).toContain('cannot verify the sender noreply@example.com');
    expect(v.message).toContain('not readable (403)');
    expect((await run({ api_key: SEND_ONLY_KEY, from: 'noreply@example.com', verify_sender: 'false' })).status).toBe('pass');
  });

  it('fails a key without mail.send', async () => {
    const v = await run({ api_key: NO_SEND_KEY, from: 'noreply@example.com' });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('lacks the mail.send scope');
  });

  it('fails a revoked key with 401, masked', async () => {
    const v = await run({ api_key: BAD_KEY, from: 'noreply@example.com' });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`SendGrid rejected the API key SG.…${BAD_KEY.slice(-4)} (401)`);
  });

  it('sends the key only as a Bearer header', async () => {
    await run({ api_key: FULL_KEY });
    const last = api.requests[api.requests.length - 1];
    expect(last.headers.authorization).toBe(`Bearer ${FULL_KEY}`);
    expect(last.path).not.toContain(FULL_KEY);
  });

  it('is an error when the API is unreachable or hangs', async () => {
    const port = await closedPort();
    const refused = await runCheck(check, { api_key: FULL_KEY, api_base: `http://127.0.0.1:${port}` });
    expect(refused).toMatchObject({ status: 'error', message: `connection refused at 127.0.0.1:${port}` });
    expect(refused.remediation).toContain('reachable from where the check runs');
    const started = Date.now();
    const hung = await runCheck(check, { api_key: FULL_KEY, api_base: hanging.url }, { timeoutMs: 1000 });
    expect(hung.status).toBe('error');
    expect(hung.message).toMatch(/did not answer within/);
    expect(Date.now() - started).toBeLessThan(2500);
  });
});
