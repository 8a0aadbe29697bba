// The shared Stripe plumbing under src/stripe/: client options, error sentences, paging, abort.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { AbortedError, describeStripeError, listAll, parseApiBase, withSignal } from '../../../src/stripe/client.js';
import { usableSecretKey } from '../../../src/stripe/common.js';

const KEY = 'sk_live_51ClientTestKeyAbCdEfGhIjKlMnOp6y7U';
const ctx = { key: KEY, apiBase: 'http://127.0.0.1:12111', timeoutMs: 2000 };

describe('parseApiBase', () => {
  it('reads protocol, host and default ports', () => {
    expect(parseApiBase('https://api.stripe.com')).toEqual({ host: 'api.stripe.com', port: 443, protocol: 'https' });
    expect(parseApiBase('http://127.0.0.1:12111')).toEqual({ host: '127.0.0.1', port: 12111, protocol: 'http' });
    expect(parseApiBase('http://[::1]/')).toEqual({ host: '::1', port: 80, protocol: 'http' });
  });
});

describe('describeStripeError', () => {
  it('masks the key in an authentication error even if Stripe echoed it whole', () => {
    const err = new Stripe.errors.StripeAuthenticationError({ message: `Invalid API Key provided: ${KEY}`, type: 'authentication_error' } as never);
    const d = describeStripeError(err, ctx);
    expect(d.kind).toBe('authentication');
    expect(d.message).toContain('invalid API key sk_live_…6y7U');
    expect(d.message).not.toContain(KEY);
  });
  it('names permission, missing and connection failures plainly', () => {
    expect(describeStripeError(new Stripe.errors.StripePermissionError({ message: 'nope', type: 'invalid_request_error' } as never), ctx).kind).toBe('permission');
    const missing = describeStripeError(new Stripe.errors.StripeInvalidRequestError({ message: "No such price: 'price_x'", code: 'resource_missing', statusCode: 404 } as never), ctx);
    expect(missing).toMatchObject({ kind: 'missing', message: "No such price: 'price_x'" });
    const refused = describeStripeError(new Stripe.errors.StripeConnectionError({ message: 'An error occurred with our connection to Stripe.', detail: { code: 'ECONNREFUSED' } } as never), ctx);
    expect(refused).toEqual({ kind: 'connection', message: 'connection refused at 127.0.0.1:12111' });
    const timeout = describeStripeError(new Stripe.errors.StripeConnectionError({ message: 'Request aborted due to timeout being reached (2000ms)' } as never), ctx);
    expect(timeout).toEqual({ kind: 'timeout', message: 'timed out after 2s waiting for 127.0.0.1:12111' });
    expect(describeStripeError(new AbortedError(), ctx).kind).toBe('timeout');
    expect(describeStripeError(new Error(`weird ${KEY}`), ctx).message).toBe('weird sk_live_…6y7U');
  });
});

describe('listAll', () => {
  it('follows starting_after until has_more is false', async () => {
    const seen: Array<string | undefined> = [];
    const pages = [
      { data: [{ id: 'a' }, { id: 'b' }], has_more: true },
      { data: [{ id: 'c' }], has_more: false },
    ];
    const { items, truncated } = await listAll(async (after) => {
      seen.push(after);
      return pages[seen.length - 1];
    });
    expect(items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual([undefined, 'b']);
    expect(truncated).toBe(false);
  });
  it('stops at the cap and says so', async () => {
    const { items, truncated } = await listAll(async () => ({ data: [{ id: 'x' }, { id: 'y' }], has_more: true }), 3);
    expect(items).toHaveLength(4);
    expect(truncated).toBe(true);
  });
});

describe('withSignal', () => {
  it('rejects when the signal aborts, even if the promise never settles', async () => {
    await expect(withSignal(new Promise(() => {}), AbortSignal.timeout(20))).rejects.toBeInstanceOf(AbortedError);
    await expect(withSignal(Promise.resolve(1), new AbortController().signal)).resolves.toBe(1);
  });
});

describe('usableSecretKey', () => {
  it('refuses unset, empty, publishable, webhook and malformed values without showing them', () => {
    const cases: Array<[string | undefined, RegExp]> = [
      [undefined, /STRIPE_SECRET_KEY is not set/],
      ['  ', /STRIPE_SECRET_KEY is empty/],
      ['pk_live_51PublishableAbCdEfGhIjKlMnOpQr', /holds a publishable key \(pk_live_…OpQr\)/],
      ['whsec_abcdefghijklmnopqrstuvwxyz', /holds a webhook signing secret/],
      [`"${KEY}"`, /is wrapped in quotes/],
      ['sk_live_abc', /too short/],
    ];
    for (const [value, message] of cases) {
      const r = usableSecretKey(undefined, { STRIPE_SECRET_KEY: value });
      expect('verdict' in r && r.verdict.status).toBe('fail');
      expect('verdict' in r && r.verdict.message).toMatch(message);
      expect(JSON.stringify(r)).not.toContain(KEY);
    }
    const ok = usableSecretKey(KEY, {});
    expect('key' in ok && ok.source).toBe('secret_key');
  });
});

describe('api_base parameter', () => {
  it('takes scheme, host and port only, defaulting to Stripe', async () => {
    const { apiBaseParam } = await import('../../../src/stripe/client.js');
    const p = apiBaseParam();
    expect(p.parse(undefined)).toBe('https://api.stripe.com');
    expect(p.safeParse('http://127.0.0.1:12111').success).toBe(true);
    expect(p.safeParse('https://proxy.example.com/stripe').success).toBe(false);
    expect(p.safeParse('ftp://api.stripe.com').success).toBe(false);
  });
});
