import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import check, { decideProbe, displayUrl, probePayload, PROBE_EVENT_TYPE, type ProbeFacts } from '../../../checks/stripe/webhook_probe.js';
import { runCheck } from '../../support/run-check.js';
import { startWebhookApp, type WebhookApp } from '../../support/stripe-webhook-app.js';

const SECRET = 'whsec_Rg7pXk2Nq9VbT4LmZs8YcW3HdJ6fE1aQ';
const OTHER_SECRET = 'whsec_Other0Secret1For2Another3Endpt4';

const facts = (over: Partial<ProbeFacts> = {}): ProbeFacts => ({
  url: 'https://api.example.com/api/webhooks/stripe',
  eventId: 'evt_readiness_probe_1',
  signed: { status: 200, body: '{"received":true}' },
  secretSource: 'STRIPE_WEBHOOK_SECRET',
  ...over,
});

describe('decideProbe', () => {
  it('passes a 2xx and says it was an opted-in active check', () => {
    const v = decideProbe(facts());
    expect(v.status).toBe('pass');
    expect(v.message).toBe('app accepted a signed readiness.probe event with 200: STRIPE_WEBHOOK_SECRET matches (active check, opted in with send_signed_event)');
  });
  it('reads a 400 about signatures as a wrong secret', () => {
    const v = decideProbe(facts({ signed: { status: 400, body: 'Webhook Error: No signatures found matching the expected signature for payload' } }));
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^webhook secret does not match: the app rejected a correctly signed event with 400: "Webhook Error: No signatures found/);
    expect(v.remediation).toContain('Signing secret');
  });
  it('reads 404 and 405 as a wrong path', () => {
    expect(decideProbe(facts({ signed: { status: 404, body: 'Not Found' } })).message).toBe('wrong webhook path: POST https://api.example.com/api/webhooks/stripe answered 404 (not found)');
    expect(decideProbe(facts({ signed: { status: 405, body: '' } })).message).toContain('answered 405 (method not allowed)');
  });
  it('fails redirects, auth walls, server errors and other 4xx', () => {
    expect(decideProbe(facts({ signed: { status: 301, body: '', location: 'https://www.example.com/api/webhooks/stripe' } })).message).toBe(
      'webhook URL redirects (301 to https://www.example.com/api/webhooks/stripe): Stripe does not follow redirects',
    );
    expect(decideProbe(facts({ signed: { status: 403, body: 'Forbidden' } })).message).toContain('firewall');
    expect(decideProbe(facts({ signed: { status: 500, body: 'boom' } })).message).toBe('the app failed with 500 handling a signed readiness.probe event: "boom"');
    expect(decideProbe(facts({ signed: { status: 422, body: 'unknown event' } })).status).toBe('fail');
  });
  it('reports an unreachable URL as error (could not check)', () => {
    const v = decideProbe(facts({ signed: { failure: 'timeout', message: 'timed out after 2s' } }));
    expect(v.status).toBe('error');
    expect(v.message).toBe('webhook URL unreachable: timed out after 2s (POST https://api.example.com/api/webhooks/stripe, a signed readiness.probe event)');
  });
  it('fails an app that accepts a badly signed event', () => {
    const v = decideProbe(facts({ badlySigned: { status: 200, body: 'ok' } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('accepted an event with a wrong signature (200)');
    expect(decideProbe(facts({ badlySigned: { status: 400, body: 'bad sig' } })).message).toContain('and rejected a badly signed one with 400');
    expect(decideProbe(facts({ badlySigned: { status: 500, body: '' } })).status).toBe('warn');
  });
  it('is an error, not a pass, when the badly signed probe got no answer', () => {
    const v = decideProbe(facts({ badlySigned: { failure: 'timeout', message: 'timed out after 2s' } }));
    expect(v.status).toBe('error');
    expect(v.message).toBe('the badly signed probe got no answer (timed out after 2s): whether the app rejects wrong signatures is unknown');
  });
  it('fails a wrong secret even when the badly signed probe got no answer, naming that as unchecked', () => {
    const v = decideProbe(facts({ signed: { status: 400, body: 'No signatures found matching the expected signature' }, badlySigned: { failure: 'unreachable', message: 'connection refused at 127.0.0.1:9' } }));
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^webhook secret does not match: the app rejected a correctly signed event with 400/);
    expect(v.unchecked).toEqual(['the badly signed probe got no answer (connection refused at 127.0.0.1:9): whether the app rejects wrong signatures is unknown']);
  });
});

describe('probe helpers', () => {
  it('marks the payload as a readiness probe', () => {
    const p = JSON.parse(probePayload('evt_readiness_probe_x', 1700000000));
    expect(p).toMatchObject({ id: 'evt_readiness_probe_x', object: 'event', type: PROBE_EVENT_TYPE, livemode: false, created: 1700000000 });
    expect(p.data.object.description).toContain('readiness');
  });
  it('hides user info and query strings of URLs', () => {
    expect(displayUrl('https://user:pw@example.com/hook?token=abc')).toBe('https://example.com/hook?…');
  });
  it('is marked active and needs the opt-in parameter', () => {
    expect(check.meta.active).toBe(true);
    expect(check.meta.description).toContain('opt-in');
    expect(check.params.safeParse({ url: 'https://x.example/h' }).data?.send_signed_event).toBe(false);
    expect(check.params.safeParse({ url: 'https://x.example/h', sned: true }).success).toBe(false);
  });
});

describe('stripe.webhook_probe against a local app that verifies with constructEvent', () => {
  let app: WebhookApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const expectClean = (v: unknown, logs: string[]) => {
    const text = JSON.stringify(v) + logs.join('\n');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(SECRET.slice(6, 20));
  };

  it('sends nothing without the opt-in', async () => {
    app = await startWebhookApp({ secret: SECRET });
    const v = await runCheck(check, { url: app.url }, { env: { STRIPE_WEBHOOK_SECRET: SECRET } });
    expect(v.status).toBe('skip');
    expect(v.message).toContain('set send_signed_event: true');
    expect(app.received).toHaveLength(0);
  });

  it('passes with the right secret; the app saw one signed readiness.probe', async () => {
    app = await startWebhookApp({ secret: SECRET });
    const logs: string[] = [];
    const v = await runCheck(check, { url: app.url, send_signed_event: true, send_bad_signature: true }, { env: { STRIPE_WEBHOOK_SECRET: SECRET }, logs });
    expect(v.status).toBe('pass');
    expect(v.message).toContain('accepted a signed readiness.probe event with 200 and rejected a badly signed one with 400');
    expect(app.received.map((r) => r.status)).toEqual([200, 400]);
    expect(JSON.parse(app.received[0].body)).toMatchObject({ type: 'readiness.probe' });
    expect(app.received[0].signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expectClean(v, logs);
  });

  it('says the secret does not match when the app has another one', async () => {
    app = await startWebhookApp({ secret: OTHER_SECRET });
    const logs: string[] = [];
    const v = await runCheck(check, { url: app.url, send_signed_event: 'true' }, { env: { STRIPE_WEBHOOK_SECRET: SECRET }, logs });
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^webhook secret does not match: the app rejected a correctly signed event with 400: "Webhook Error: No signatures found/);
    expectClean(v, logs);
    expect(JSON.stringify(v)).not.toContain(OTHER_SECRET);
  });

  it('says wrong path on 404', async () => {
    app = await startWebhookApp({ secret: SECRET, path: '/webhooks' });
    const v = await runCheck(check, { url: `${app.base}/api/webhooks/stripe`, send_signed_event: true }, { env: { STRIPE_WEBHOOK_SECRET: SECRET } });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`wrong webhook path: POST ${app.base}/api/webhooks/stripe answered 404 (not found)`);
  });

  it('fails an app that accepts anything', async () => {
    app = await startWebhookApp({ secret: SECRET, mode: 'accept-anything' });
    const v = await runCheck(check, { url: app.url, send_signed_event: true, send_bad_signature: true }, { env: { STRIPE_WEBHOOK_SECRET: SECRET } });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('the app accepted an event with a wrong signature (200): it does not verify Stripe signatures');
  });

  it('errors (unreachable) when the app hangs, within the timeout', async () => {
    app = await startWebhookApp({ secret: SECRET, mode: 'hang' });
    const started = Date.now();
    const v = await runCheck(check, { url: app.url, send_signed_event: true }, { env: { STRIPE_WEBHOOK_SECRET: SECRET }, timeoutMs: 400 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/^webhook URL unreachable: timed out after 400ms/);
  });

  it('errors when nothing listens', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    const v = await runCheck(check, { url: `http://127.0.0.1:${port}/api/webhooks/stripe`, send_signed_event: true }, { env: { STRIPE_WEBHOOK_SECRET: SECRET } });
    expect(v.status).toBe('error');
    expect(v.message).toContain(`connection refused at 127.0.0.1:${port}`);
  });

  it('fails without sending when the secret is missing or not a whsec_', async () => {
    app = await startWebhookApp({ secret: SECRET });
    expect((await runCheck(check, { url: app.url, send_signed_event: true }, { env: {} })).message).toContain('STRIPE_WEBHOOK_SECRET is not set');
    const wrong = await runCheck(check, { url: app.url, send_signed_event: true, webhook_secret: 'sk_live_51NotAWebhookSecretAbCdEfGhIj9z8Y' });
    expect(wrong.message).toBe('webhook_secret is not a webhook signing secret (sk_live_…9z8Y): expected whsec_…');
    expect(app.received).toHaveLength(0);
  });
});

describe('redirects', () => {
  let server: http.Server;
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });
  it('fails a URL that redirects, without following it', async () => {
    server = http.createServer((req, res) => {
      res.writeHead(308, { location: '/new/webhooks?token=abc' });
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const v = await runCheck(check, { url: `http://127.0.0.1:${port}/hooks`, send_signed_event: true }, { env: { STRIPE_WEBHOOK_SECRET: SECRET } });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`webhook URL redirects (308 to http://127.0.0.1:${port}/new/webhooks?…): Stripe does not follow redirects`);
  });
});
