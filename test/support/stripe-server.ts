// A small Stripe-compatible HTTP server for tests: the real `stripe` SDK is pointed at it and it answers each
// test's data in Stripe's documented shapes (objects, lists with has_more/starting_after, errors
// `{ error: { type, message, code } }` with 401/403/404), per key mode. It records every request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeKey {
  livemode: boolean;
  /** Path prefixes this (restricted) key may not read: answered 403 permission_error. */
  deny?: string[];
}

export interface FakeProduct {
  id: string;
  object: 'product';
  name: string;
  active: boolean;
  livemode: boolean;
}

export interface FakePrice {
  id: string;
  object: 'price';
  active: boolean;
  currency: string;
  livemode: boolean;
  lookup_key: string | null;
  product: string;
  type: 'recurring' | 'one_time';
  unit_amount: number | null;
  recurring: { interval: 'day' | 'week' | 'month' | 'year'; interval_count: number } | null;
}

export interface FakeWebhookEndpoint {
  id: string;
  object: 'webhook_endpoint';
  url: string;
  enabled_events: string[];
  status: 'enabled' | 'disabled';
  api_version: string | null;
  livemode: boolean;
}

export interface FakeEvent {
  id: string;
  object: 'event';
  type: string;
  created: number;
  livemode: boolean;
  pending_webhooks: number;
  /** Server-side only: whether all deliveries succeeded (filters `delivery_success`). */
  delivered: boolean;
}

export interface StripeFixture {
  keys: Record<string, FakeKey>;
  account?: Record<string, unknown>;
  products?: FakeProduct[];
  prices?: FakePrice[];
  webhookEndpoints?: FakeWebhookEndpoint[];
  events?: FakeEvent[];
  /** Delay every answer by this many ms (a slow or hung Stripe). */
  delayMs?: number;
  /** Largest page the server returns whatever `limit` asks (to exercise has_more/starting_after). */
  maxPageSize?: number;
  /** Answer GET /v1/events as if `created[gte]` had not been applied (a filter the API did not honour). */
  ignoreCreatedFilter?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

export interface FakeStripe {
  apiBase: string;
  requests: RecordedRequest[];
  /** Replaces the data the server answers with and clears the request log. */
  set(fixture: StripeFixture): void;
  close(): Promise<void>;
}

export const product = (p: Partial<FakeProduct> & { id: string }): FakeProduct => ({
  object: 'product',
  name: p.id,
  active: true,
  livemode: false,
  ...p,
});

export const price = (
  p: Partial<Omit<FakePrice, 'recurring'>> & { id: string; product: string; interval?: 'month' | 'year' | null; interval_count?: number },
): FakePrice => {
  const { interval = 'month', interval_count = 1, ...rest } = p;
  return {
    object: 'price',
    active: true,
    currency: 'usd',
    livemode: false,
    lookup_key: null,
    type: interval ? 'recurring' : 'one_time',
    unit_amount: 0,
    recurring: interval ? { interval, interval_count } : null,
    ...rest,
  };
};

export const webhookEndpoint = (w: Partial<FakeWebhookEndpoint> & { id: string; url: string }): FakeWebhookEndpoint => ({
  object: 'webhook_endpoint',
  enabled_events: ['*'],
  status: 'enabled',
  api_version: null,
  livemode: false,
  ...w,
});

export const event = (e: Partial<FakeEvent> & { id: string }): FakeEvent => ({
  object: 'event',
  type: 'invoice.payment_succeeded',
  created: Math.floor(Date.now() / 1000) - 60,
  livemode: false,
  pending_webhooks: 0,
  delivered: true,
  ...e,
});

export const account = (a: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'acct_1ReadinessTest',
  object: 'account',
  business_profile: { name: 'Acme' },
  charges_enabled: true,
  payouts_enabled: true,
  details_submitted: true,
  country: 'US',
  default_currency: 'usd',
  ...a,
  requirements: {
    currently_due: [],
    eventually_due: [],
    past_due: [],
    pending_verification: [],
    disabled_reason: null,
    current_deadline: null,
    ...((a.requirements as object) ?? {}),
  },
});

function maskForStripe(key: string): string {
  const m = /^((?:sk|rk|pk)_(?:live|test)_)/.exec(key);
  return `${m ? m[1] : ''}****${key.slice(-4)}`;
}

/** Query arrays as stripe-node sends them: `lookup_keys[0]=a&lookup_keys[1]=b`. */
function arrayParam(query: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (const [k, v] of query) if (k === name || k.startsWith(`${name}[`)) out.push(v);
  return out;
}

export async function startStripeServer(initial: StripeFixture = { keys: {} }): Promise<FakeStripe> {
  let fixture = initial;
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    const reply = () => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_test' });
      res.end(JSON.stringify(body));
    };
    if (fixture.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        reply();
      }, fixture.delayMs);
      timers.add(t);
    } else reply();
  };
  const fail = (res: http.ServerResponse, status: number, type: string, message: string, code?: string, param?: string) =>
    send(res, status, { error: { type, message, ...(code ? { code } : {}), ...(param ? { param } : {}), doc_url: code ? `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}` : undefined } });

  const list = <T extends { id: string }>(res: http.ServerResponse, path: string, query: URLSearchParams, items: T[], map: (t: T) => unknown = (t) => t) => {
    const limit = Math.min(fixture.maxPageSize ?? 100, 100, Math.max(1, Number(query.get('limit') ?? 10)));
    const after = query.get('starting_after');
    let start = 0;
    if (after) {
      const i = items.findIndex((t) => t.id === after);
      if (i < 0) return fail(res, 400, 'invalid_request_error', `No such object: '${after}'`, 'resource_missing', 'starting_after');
      start = i + 1;
    }
    const page = items.slice(start, start + limit);
    send(res, 200, { object: 'list', url: path, has_more: start + limit < items.length, data: page.map(map) });
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams });
    req.resume();
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!auth) return fail(res, 401, 'invalid_request_error', 'You did not provide an API key.');
    const key = fixture.keys[auth];
    if (!key) return fail(res, 401, 'authentication_error', `Invalid API Key provided: ${maskForStripe(auth)}`, 'api_key_invalid');
    if (req.method !== 'GET') return fail(res, 405, 'invalid_request_error', `This test server only answers GET, got ${req.method}`);
    if (key.deny?.some((p) => url.pathname.startsWith(p))) {
      return fail(res, 403, 'permission_error', `The provided key '${maskForStripe(auth)}' does not have the required permissions for this endpoint on account 'acct_1ReadinessTest'.`);
    }
    const mode = key.livemode;
    const q = url.searchParams;
    const expand = arrayParam(q, 'expand');
    const products = fixture.products ?? [];
    const withProduct = (p: FakePrice, field: string) =>
      expand.includes(field) ? { ...p, product: products.find((x) => x.id === p.product && x.livemode === p.livemode) ?? p.product } : p;

    const path = url.pathname;
    if (path === '/v1/account') return fixture.account ? send(res, 200, fixture.account) : fail(res, 404, 'invalid_request_error', 'No such account', 'resource_missing');
    if (path === '/v1/balance') return send(res, 200, { object: 'balance', livemode: mode, available: [{ amount: 0, currency: 'usd' }], pending: [] });
    if (path === '/v1/prices') {
      const keys = arrayParam(q, 'lookup_keys');
      if (keys.length > 10) return fail(res, 400, 'invalid_request_error', 'You may only specify up to 10 lookup keys.', 'parameter_invalid_integer', 'lookup_keys');
      const items = (fixture.prices ?? []).filter((p) => p.livemode === mode && (keys.length === 0 || (p.lookup_key !== null && keys.includes(p.lookup_key))));
      return list(res, path, q, items, (p) => withProduct(p, 'data.product'));
    }
    const priceId = /^\/v1\/prices\/([^/]+)$/.exec(path)?.[1];
    if (priceId) {
      const id = decodeURIComponent(priceId);
      const found = (fixture.prices ?? []).find((p) => p.id === id);
      if (found && found.livemode === mode) return send(res, 200, withProduct(found, 'product'));
      const other = found ? `; a similar object exists in ${found.livemode ? 'live' : 'test'} mode, but a ${mode ? 'live' : 'test'} mode key was used to make this request.` : '';
      return fail(res, 404, 'invalid_request_error', `No such price: '${id}'${other}`, 'resource_missing', 'id');
    }
    if (path === '/v1/webhook_endpoints') return list(res, path, q, (fixture.webhookEndpoints ?? []).filter((w) => w.livemode === mode));
    if (path === '/v1/events') {
      const ds = q.get('delivery_success');
      const gte = q.get('created[gte]');
      const items = (fixture.events ?? [])
        .filter((e) => e.livemode === mode)
        .filter((e) => (ds === null ? true : String(e.delivered) === ds))
        .filter((e) => (gte === null || fixture.ignoreCreatedFilter ? true : e.created >= Number(gte)));
      return list(res, path, q, items, ({ delivered: _d, ...e }) => e);
    }
    return fail(res, 404, 'invalid_request_error', `Unrecognized request URL (GET: ${path}).`);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiBase: `http://127.0.0.1:${port}`,
    requests,
    set(next) {
      fixture = next;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
