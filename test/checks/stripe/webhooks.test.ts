import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { CHECKLIST_EVENTS, countFailedDeliveries, decideWebhooks, missingEvents, type WebhooksFacts } from '../../../checks/stripe/webhooks.js';
import { maskKey, parseKey } from '../../../src/stripe/keys.js';
import { closedPort } from '../../support/http-server.js';
import { runCheck } from '../../support/run-check.js';
import { event, startStripeServer, webhookEndpoint, type FakeStripe } from '../../support/stripe-server.js';

const LIVE = 'sk_live_51WebhooksLiveKeyAbCdEfGhIjKlMn2w3E';
const RESTRICTED = 'rk_live_51WebhooksRestrictedAbCdEfGhIj4r5T';
const WHSEC = 'whsec_Zk3mQ9xVb2LtP8sRn4YwHc6JdF1gA7eU';
const URL_OK = 'https://api.example.com/api/webhooks/stripe';
const DAY = 86_400_000;

const base = (over: Partial<WebhooksFacts> = {}): WebhooksFacts => ({
  url: URL_OK,
  endpoints: [{ id: 'we_1', url: URL_OK, status: 'enabled', enabled_events: CHECKLIST_EVENTS, api_version: '2024-06-20' }],
  requiredEvents: CHECKLIST_EVENTS,
  requireHttps: true,
  secret: { source: 'STRIPE_WEBHOOK_SECRET', info: parseKey(WHSEC), masked: maskKey(WHSEC) },
  secretSource: 'STRIPE_WEBHOOK_SECRET',
  requireSecret: true,
  deliveries: { failed: 0, capped: false, types: [] },
  since: 7 * DAY,
  warnFailed: 1,
  failFailed: 10,
  ...over,
});

describe('countFailedDeliveries', () => {
  it('drops events older than the window whatever the API returned, and does not call the list capped then', () => {
    const gte = 1_000_000;
    const events = [
      { created: gte + 10, type: 'invoice.payment_failed' },
      { created: gte, type: 'checkout.session.completed' },
      { created: gte - 1, type: 'customer.updated' },
    ];
    expect(countFailedDeliveries(events, gte, true)).toEqual({ failed: 2, capped: false, types: ['invoice.payment_failed', 'checkout.session.completed'], ignoredOlder: 1 });
    expect(countFailedDeliveries(events.slice(0, 2), gte, true)).toEqual({ failed: 2, capped: true, types: ['invoice.payment_failed', 'checkout.session.completed'] });
  });
});

describe('missingEvents', () => {
  it('treats * as every event', () => {
    expect(missingEvents(['*'], CHECKLIST_EVENTS)).toEqual([]);
    expect(missingEvents(['invoice.payment_failed'], ['invoice.payment_failed', 'customer.updated'])).toEqual(['customer.updated']);
  });
});

describe('decideWebhooks', () => {
  it('passes a complete setup', () => {
    const v = decideWebhooks(base());
    expect(v.status).toBe('pass');
    expect(v.message).toBe(
      'webhook endpoint we_1 for https://api.example.com/api/webhooks/stripe is enabled with all 7 required events; STRIPE_WEBHOOK_SECRET is set (whsec_…A7eU); 0 failed deliveries in the last 7d',
    );
  });
  it('fails when no endpoint has the URL and lists the others', () => {
    const v = decideWebhooks(base({ endpoints: [{ id: 'we_2', url: 'https://old.example.com/hooks?token=abc', status: 'enabled', enabled_events: ['*'], api_version: null }] }));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('no Stripe webhook endpoint for https://api.example.com/api/webhooks/stripe; Stripe has: https://old.example.com/hooks');
    expect(JSON.stringify(v)).not.toContain('token=abc');
    expect(v.remediation).toContain('Add endpoint');
  });
  it('fails a disabled endpoint', () => {
    const v = decideWebhooks(base({ endpoints: [{ id: 'we_1', url: URL_OK, status: 'disabled', enabled_events: ['*'], api_version: null }] }));
    expect(v.message).toBe('webhook endpoint we_1 is disabled: Stripe sends it nothing');
  });
  it('fails missing events and names them', () => {
    const v = decideWebhooks(base({ endpoints: [{ id: 'we_1', url: URL_OK, status: 'enabled', enabled_events: CHECKLIST_EVENTS.slice(0, 5), api_version: null }] }));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('webhook endpoint we_1 does not subscribe to 2 required events: invoice.payment_failed, customer.updated');
    expect((v.evidence?.actual as { missing_events: string[] }).missing_events).toEqual(['invoice.payment_failed', 'customer.updated']);
  });
  it('prefers the enabled endpoint when several have the URL', () => {
    const v = decideWebhooks(
      base({
        endpoints: [
          { id: 'we_old', url: URL_OK, status: 'disabled', enabled_events: ['*'], api_version: null },
          { id: 'we_new', url: URL_OK, status: 'enabled', enabled_events: ['*'], api_version: null },
        ],
      }),
    );
    expect(v.status).toBe('pass');
    expect(v.message).toContain('we_new');
  });
  it('fails an http URL', () => {
    const url = 'http://api.example.com/api/webhooks/stripe';
    const v = decideWebhooks(base({ url, endpoints: [{ id: 'we_1', url, status: 'enabled', enabled_events: ['*'], api_version: null }] }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('is not https');
  });
  it('compares the API version when given', () => {
    expect(decideWebhooks(base({ apiVersion: '2025-01-27' })).message).toBe('webhook endpoint we_1 sends API version 2024-06-20, app expects 2025-01-27');
    const nullVersion = base({ apiVersion: '2025-01-27' });
    nullVersion.endpoints[0].api_version = null;
    expect(decideWebhooks(nullVersion).status).toBe('warn');
  });
  it('fails a missing or malformed webhook secret', () => {
    expect(decideWebhooks(base({ secret: undefined })).message).toBe('STRIPE_WEBHOOK_SECRET is not set: the app cannot verify webhook signatures');
    expect(decideWebhooks(base({ secret: undefined, requireSecret: false })).status).toBe('pass');
    const spaced = `${WHSEC} `;
    const v = decideWebhooks(base({ secret: { source: 'STRIPE_WEBHOOK_SECRET', info: parseKey(spaced), masked: maskKey(spaced) } }));
    expect(v.message).toBe('STRIPE_WEBHOOK_SECRET (whsec_…A7eU) has leading or trailing whitespace');
    const wrong = decideWebhooks(base({ secret: { source: 'STRIPE_WEBHOOK_SECRET', info: parseKey(LIVE), masked: maskKey(LIVE) } }));
    expect(wrong.message).toContain('is not a webhook signing secret (sk_live_…2w3E)');
    for (const v2 of [v, wrong]) {
      expect(JSON.stringify(v2)).not.toContain(WHSEC);
      expect(JSON.stringify(v2)).not.toContain(LIVE);
    }
  });
  it('warns and fails on failed deliveries by threshold', () => {
    expect(decideWebhooks(base({ deliveries: { failed: 3, capped: false, types: ['invoice.payment_failed'] } })).status).toBe('warn');
    const v = decideWebhooks(base({ deliveries: { failed: 12, capped: false, types: ['invoice.payment_failed'] } }));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('12 events with failed webhook deliveries in the last 7d (invoice.payment_failed)');
    expect(decideWebhooks(base({ deliveries: { failed: 12, capped: false, types: [] }, failFailed: 0, warnFailed: 0 })).status).toBe('pass');
    const unread = decideWebhooks(base({ deliveries: { error: 'the key may not read events' } }));
    expect(unread.status).toBe('error');
    expect(unread.message).toBe('could not check failed deliveries: the key may not read events');
  });
  it('fails a disabled endpoint even when the failed deliveries could not be read, naming those as unchecked', () => {
    const v = decideWebhooks(base({ endpoints: [{ id: 'we_1', url: URL_OK, status: 'disabled', enabled_events: ['*'], api_version: null }], deliveries: { error: 'the key may not read events' } }));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('webhook endpoint we_1 is disabled: Stripe sends it nothing');
    expect(v.unchecked).toEqual(['could not check failed deliveries: the key may not read events']);
  });
  it('fails an http URL and a missing secret even when the endpoints could not be read', () => {
    const v = decideWebhooks(
      base({ url: 'http://api.example.com/hook', endpoints: [], endpointsError: { status: 'error', message: 'cannot verify webhooks: connection refused at 127.0.0.1:9', remediation: 'Check the network.' }, secret: undefined, deliveries: undefined }),
    );
    expect(v.status).toBe('fail');
    expect(v.message).toBe('webhook url http://api.example.com/hook is not https: Stripe sends live events only to HTTPS endpoints; STRIPE_WEBHOOK_SECRET is not set: the app cannot verify webhook signatures');
    expect(v.unchecked).toEqual(['cannot verify webhooks: connection refused at 127.0.0.1:9']);
    expect(v.remediation).toContain('Check the network.');
    expect(v.evidence?.actual).toMatchObject({ endpoint: 'not checked (the endpoints could not be read)' });
  });
});

describe('stripe.webhooks against a local Stripe', () => {
  let stripe: FakeStripe;
  beforeAll(async () => {
    stripe = await startStripeServer();
  });
  afterAll(async () => {
    await stripe?.close();
  });
  const keys = { [LIVE]: { livemode: true }, [RESTRICTED]: { livemode: true, deny: ['/v1/webhook_endpoints'] } };
  const others = Array.from({ length: 4 }, (_, i) => webhookEndpoint({ id: `we_other${i}`, url: `https://other${i}.example.com/hook`, livemode: true }));
  const env = { STRIPE_SECRET_KEY: LIVE, STRIPE_WEBHOOK_SECRET: WHSEC };

  it('finds the endpoint on a later page and passes, with GET only', async () => {
    stripe.set({
      keys,
      maxPageSize: 2,
      webhookEndpoints: [...others, webhookEndpoint({ id: 'we_app', url: URL_OK, enabled_events: CHECKLIST_EVENTS, livemode: true })],
      events: [event({ id: 'evt_ok', livemode: true })],
    });
    const logs: string[] = [];
    const v = await runCheck(check, { api_base: stripe.apiBase, url: URL_OK }, { env, logs });
    expect(v.status).toBe('pass');
    expect(v.message).toContain('webhook endpoint we_app');
    expect(stripe.requests.filter((r) => r.path === '/v1/webhook_endpoints')).toHaveLength(3);
    expect(stripe.requests.every((r) => r.method === 'GET')).toBe(true);
    const eventsCall = stripe.requests.find((r) => r.path === '/v1/events');
    expect(eventsCall?.query.get('delivery_success')).toBe('false');
    const text = JSON.stringify(v) + logs.join('\n');
    expect(text).not.toContain(LIVE);
    expect(text).not.toContain(WHSEC);
  });

  it('fails a disabled endpoint missing an event, and counts failed deliveries', async () => {
    stripe.set({
      keys,
      webhookEndpoints: [webhookEndpoint({ id: 'we_app', url: URL_OK, status: 'disabled', enabled_events: CHECKLIST_EVENTS.filter((e) => e !== 'customer.updated'), livemode: true })],
      events: [
        event({ id: 'evt_f1', type: 'invoice.payment_failed', delivered: false, livemode: true }),
        event({ id: 'evt_f2', type: 'checkout.session.completed', delivered: false, livemode: true }),
        event({ id: 'evt_old', delivered: false, livemode: true, created: Math.floor((Date.now() - 30 * DAY) / 1000) }),
        event({ id: 'evt_ok', livemode: true }),
      ],
    });
    const v = await runCheck(check, { api_base: stripe.apiBase, url: URL_OK }, { env });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('webhook endpoint we_app is disabled');
    expect(v.message).toContain('does not subscribe to 1 required event: customer.updated');
    expect(v.message).toContain('2 events with failed webhook deliveries in the last 7d (invoice.payment_failed, checkout.session.completed)');
  });

  it('does not trust Stripe to apply created[gte]: events older than the window are not counted', async () => {
    const old = (i: number) => event({ id: `evt_old${i}`, type: 'customer.updated', delivered: false, livemode: true, created: Math.floor((Date.now() - (30 + i) * DAY) / 1000) });
    stripe.set({
      keys,
      ignoreCreatedFilter: true,
      webhookEndpoints: [webhookEndpoint({ id: 'we_app', url: URL_OK, enabled_events: CHECKLIST_EVENTS, livemode: true })],
      events: [event({ id: 'evt_f1', type: 'invoice.payment_failed', delivered: false, livemode: true }), ...Array.from({ length: 12 }, (_, i) => old(i))],
    });
    const v = await runCheck(check, { api_base: stripe.apiBase, url: URL_OK }, { env });
    // the filter was asked for, and the server answered the old events anyway
    const eventsCall = stripe.requests.find((r) => r.path === '/v1/events');
    expect(Number(eventsCall?.query.get('created[gte]'))).toBeGreaterThan(Math.floor((Date.now() - 8 * DAY) / 1000));
    expect(v).toMatchObject({ status: 'warn', message: '1 event with failed webhook deliveries in the last 7d (invoice.payment_failed)' });
    expect(v.evidence?.details).toEqual({ failed_deliveries: 1, capped: false, window: '7d', event_types: ['invoice.payment_failed'], ignored_older_events: 12 });
  });

  it('fails when the URL is not registered, and an http URL', async () => {
    const httpUrl = 'http://api.example.com/api/webhooks/stripe';
    stripe.set({ keys, webhookEndpoints: [webhookEndpoint({ id: 'we_http', url: httpUrl, livemode: true })] });
    const missing = await runCheck(check, { api_base: stripe.apiBase, url: URL_OK }, { env });
    expect(missing.status).toBe('fail');
    expect(missing.message).toBe(`no Stripe webhook endpoint for ${URL_OK}; Stripe has: ${httpUrl}`);
    const insecure = await runCheck(check, { api_base: stripe.apiBase, url: httpUrl }, { env });
    expect(insecure.status).toBe('fail');
    expect(insecure.message).toBe(`webhook url ${httpUrl} is not https: Stripe sends live events only to HTTPS endpoints`);
  });

  it('says cannot verify for a restricted key without webhook access', async () => {
    stripe.set({ keys, webhookEndpoints: [] });
    const v = await runCheck(check, { api_base: stripe.apiBase, url: URL_OK }, { env: { ...env, STRIPE_SECRET_KEY: RESTRICTED } });
    expect(v.status).toBe('error');
    expect(v.message).toBe('cannot verify webhooks: the key rk_live_…4r5T may not read webhook endpoints (Stripe answered 403 permission_error)');
    expect(v.remediation).toMatch(/^Give the restricted key Read access to Webhook Endpoints and Events/);
  });

  it('fails an http webhook URL although Stripe is unreachable, and names the unreachable part', async () => {
    const port = await closedPort();
    const httpUrl = 'http://api.example.com/api/webhooks/stripe';
    const v = await runCheck(check, { api_base: `http://127.0.0.1:${port}`, url: httpUrl }, { env, timeoutMs: 3000 });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`webhook url ${httpUrl} is not https: Stripe sends live events only to HTTPS endpoints`);
    expect(v.unchecked).toHaveLength(1);
    expect(v.unchecked?.[0]).toMatch(new RegExp(`^cannot verify webhooks: .*127\\.0\\.0\\.1:${port}`));
    expect(JSON.stringify(v)).not.toContain(LIVE);
  });

  it('errors when Stripe hangs', async () => {
    stripe.set({ keys, webhookEndpoints: [], delayMs: 5000 });
    const v = await runCheck(check, { api_base: stripe.apiBase, url: URL_OK }, { env, timeoutMs: 300 });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/cannot verify webhooks: timed out after/);
    expect(v.remediation).toContain(`can reach ${stripe.apiBase}`);
  });
});
