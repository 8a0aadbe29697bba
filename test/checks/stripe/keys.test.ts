import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { decideKeys, type KeysFacts } from '../../../checks/stripe/keys.js';
import { maskKey, parseKey, scrub } from '../../../src/stripe/keys.js';
import { closedPort } from '../../support/http-server.js';
import { runCheck } from '../../support/run-check.js';
import { startStripeServer, type FakeStripe } from '../../support/stripe-server.js';

const LIVE = 'sk_live_51LiveSecretKeyAbCdEfGhIjKlMnOp9k2Q';
const TEST = 'sk_test_51TestSecretKeyAbCdEfGhIjKlMnOp7x3Z';
const RESTRICTED = 'rk_live_51RestrictedKeyAbCdEfGhIjKlMnOp4r5T';
const PK_LIVE = 'pk_live_51PublishableKeyAbCdEfGhIjKlMnOpWx1Y';
const PK_TEST = 'pk_test_51PublishableKeyAbCdEfGhIjKlMnOpTt9Q';
const UNKNOWN = 'sk_live_51RevokedSecretKeyAbCdEfGhIjKlMn0000';
const ALL_SECRETS = [LIVE, TEST, RESTRICTED, UNKNOWN];

function expectNoSecrets(value: unknown, logs: string[] = []) {
  const text = JSON.stringify(value) + logs.join('\n');
  for (const s of ALL_SECRETS) {
    expect(text).not.toContain(s);
    expect(text).not.toContain(s.slice(8, 20));
  }
}

describe('key helpers', () => {
  it('reads kind and mode from the prefix', () => {
    expect(parseKey(LIVE)).toMatchObject({ kind: 'secret', mode: 'live', wellFormed: true });
    expect(parseKey(TEST)).toMatchObject({ kind: 'secret', mode: 'test', wellFormed: true });
    expect(parseKey(RESTRICTED)).toMatchObject({ kind: 'restricted', mode: 'live' });
    expect(parseKey(PK_TEST)).toMatchObject({ kind: 'publishable', mode: 'test' });
    expect(parseKey('whsec_abcdefghijklmnopqrstuvwx')).toMatchObject({ kind: 'webhook_secret', wellFormed: true });
    expect(parseKey('hello')).toMatchObject({ kind: 'unknown', wellFormed: false });
    expect(parseKey(`${LIVE}\n`).problems).toContain('has leading or trailing whitespace');
    expect(parseKey('sk_live_short').problems[0]).toMatch(/too short/);
  });
  it('masks to the prefix and at most the last 4 characters', () => {
    expect(maskKey(LIVE)).toBe('sk_live_…9k2Q');
    expect(maskKey('sk_live_abc')).toBe('sk_live_…');
    expect(maskKey('whsec_abcdefghijklmnopqrstuvwx')).toBe('whsec_…uvwx');
    expect(maskKey('')).toBe('(empty)');
  });
  it('scrubs planted secrets and key shapes out of foreign text', () => {
    const out = scrub(`bad key ${LIVE} and ${TEST} and mysecretvalue`, ['mysecretvalue']);
    expect(out).toBe('bad key sk_live_…9k2Q and sk_test_…7x3Z and …');
  });
});

const base = (over: Partial<KeysFacts> = {}): KeysFacts => ({
  source: 'STRIPE_SECRET_KEY',
  secret: { info: parseKey(LIVE), masked: maskKey(LIVE) },
  expectMode: 'live',
  allowRestricted: true,
  requirePublishable: false,
  auth: { outcome: 'ok', livemode: true },
  ...over,
});

describe('decideKeys', () => {
  it('passes a live key that authenticates in a live environment', () => {
    const v = decideKeys(base({ publishable: { source: 'NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY', info: parseKey(PK_LIVE), masked: maskKey(PK_LIVE) } }));
    expect(v.status).toBe('pass');
    expect(v.message).toBe('live mode secret key sk_live_…9k2Q authenticates; publishable key pk_live_…Wx1Y is live mode too');
  });
  it('fails a test key in production', () => {
    const v = decideKeys(base({ secret: { info: parseKey(TEST), masked: maskKey(TEST) }, auth: { outcome: 'ok', livemode: false } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('is a test mode key (sk_test_…7x3Z) but this environment expects live mode');
    expect(v.remediation).toContain('sk_live_');
  });
  it('fails a live key in staging', () => {
    const v = decideKeys(base({ expectMode: 'test' }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('is a live mode key (sk_live_…9k2Q) but this environment expects test mode');
  });
  it('fails a publishable key of the other mode', () => {
    const v = decideKeys(base({ publishable: { source: 'NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY', info: parseKey(PK_TEST), masked: maskKey(PK_TEST) } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('is a test mode publishable key (pk_test_…Tt9Q) but the secret key is live mode');
  });
  it('fails a secret key where the publishable key belongs', () => {
    const v = decideKeys(base({ publishable: { source: 'NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY', info: parseKey(TEST), masked: maskKey(TEST) } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('holds a secret key (sk_test_…7x3Z): it would be shipped to browsers');
  });
  it('fails a missing publishable key only when required', () => {
    expect(decideKeys(base()).status).toBe('pass');
    expect(decideKeys(base({ requirePublishable: true })).message).toContain('NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY is not set');
  });
  it('fails a restricted key when not allowed, passes it otherwise', () => {
    const facts = base({ secret: { info: parseKey(RESTRICTED), masked: maskKey(RESTRICTED) }, auth: { outcome: 'forbidden' } });
    expect(decideKeys(facts).status).toBe('pass');
    expect(decideKeys(facts).message).toContain('restricted');
    expect(decideKeys({ ...facts, allowRestricted: false }).status).toBe('fail');
  });
  it('fails an invalid key, errors when Stripe cannot be reached', () => {
    expect(decideKeys(base({ auth: { outcome: 'invalid', message: 'Stripe answered 401' } })).message).toBe('invalid API key sk_live_…9k2Q: Stripe answered 401');
    const e = decideKeys(base({ auth: { outcome: 'error', message: 'connection refused at 127.0.0.1:9' } }));
    expect(e.status).toBe('error');
    expect(e.message).toContain('could not verify');
  });
  it('fails a test key in production even when Stripe cannot be reached, naming what it could not check', () => {
    const v = decideKeys(base({ secret: { info: parseKey(TEST), masked: maskKey(TEST) }, auth: { outcome: 'error', message: 'connection refused at 127.0.0.1:9' } }));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('STRIPE_SECRET_KEY is a test mode key (sk_test_…7x3Z) but this environment expects live mode');
    expect(v.unchecked).toEqual(['could not verify the key sk_test_…7x3Z with Stripe: connection refused at 127.0.0.1:9']);
    expect(v.remediation).toContain('sk_live_');
  });
  it('fails when Stripe livemode contradicts the prefix', () => {
    expect(decideKeys(base({ auth: { outcome: 'ok', livemode: false } })).message).toContain('livemode=false');
  });
  it('says when the mode was not compared', () => {
    const v = decideKeys(base({ expectMode: undefined }));
    expect(v.status).toBe('pass');
    expect(v.message).toContain('mode not compared');
  });
});

describe('stripe.keys against a local Stripe', () => {
  let stripe: FakeStripe;
  beforeAll(async () => {
    stripe = await startStripeServer();
  });
  afterAll(async () => {
    await stripe?.close();
  });

  const keys = { [LIVE]: { livemode: true }, [TEST]: { livemode: false }, [RESTRICTED]: { livemode: true, deny: ['/v1/balance'] } };

  it('passes a live key that Stripe accepts, with GET only', async () => {
    stripe.set({ keys });
    const logs: string[] = [];
    const v = await runCheck(check, { api_base: stripe.apiBase, expect_mode: 'live' }, { env: { STRIPE_SECRET_KEY: LIVE, NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: PK_LIVE }, logs });
    expect(v.status).toBe('pass');
    expect(v.evidence?.details).toMatchObject({ livemode: true });
    expect(stripe.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/balance']);
    expectNoSecrets(v, logs);
  });

  it('fails an unknown key with the key masked', async () => {
    stripe.set({ keys });
    const logs: string[] = [];
    const v = await runCheck(check, { api_base: stripe.apiBase, secret_key: UNKNOWN, expect_mode: 'live' }, { logs });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('invalid API key sk_live_…0000: Stripe answered 401');
    expectNoSecrets(v, logs);
  });

  it('accepts a restricted key that may not read the balance (403)', async () => {
    stripe.set({ keys });
    const v = await runCheck(check, { api_base: stripe.apiBase, secret_key: RESTRICTED, expect_mode: 'live' });
    expect(v.status).toBe('pass');
    expect(v.message).toContain('restricted');
    expectNoSecrets(v);
  });

  it('fails a test key in production before calling Stripe twice', async () => {
    stripe.set({ keys });
    const v = await runCheck(check, { api_base: stripe.apiBase, expect_mode: 'live' }, { env: { STRIPE_SECRET_KEY: TEST } });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('test mode key');
    expectNoSecrets(v);
  });

  it('fails a publishable key in the server variable without calling Stripe', async () => {
    stripe.set({ keys });
    const v = await runCheck(check, { api_base: stripe.apiBase }, { env: { STRIPE_SECRET_KEY: PK_LIVE } });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('STRIPE_SECRET_KEY holds a publishable key');
    expect(stripe.requests).toHaveLength(0);
  });

  it('fails when the key is not set', async () => {
    const v = await runCheck(check, { api_base: stripe.apiBase }, { env: {} });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('STRIPE_SECRET_KEY is not set');
  });

  it('ends with error when Stripe hangs', async () => {
    stripe.set({ keys, delayMs: 5000 });
    const started = Date.now();
    const v = await runCheck(check, { api_base: stripe.apiBase, expect_mode: 'live' }, { env: { STRIPE_SECRET_KEY: LIVE }, timeoutMs: 400 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/timed out after/);
    expectNoSecrets(v);
  });

  it('fails a test key where live mode is expected although the API is unreachable, and names the unreachable part', async () => {
    const port = await closedPort();
    const v = await runCheck(check, { api_base: `http://127.0.0.1:${port}`, expect_mode: 'live' }, { env: { STRIPE_SECRET_KEY: TEST }, timeoutMs: 3000 });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('STRIPE_SECRET_KEY is a test mode key (sk_test_…7x3Z) but this environment expects live mode');
    expect(v.unchecked).toHaveLength(1);
    expect(v.unchecked?.[0]).toMatch(new RegExp(`^could not verify the key sk_test_…7x3Z with Stripe: .*127\\.0\\.0\\.1:${port}`));
    expectNoSecrets(v);
  });

  it('fails a test key where live mode is expected although Stripe hangs, before the check times out', async () => {
    stripe.set({ keys, delayMs: 5000 });
    const v = await runCheck(check, { api_base: stripe.apiBase, expect_mode: 'live' }, { env: { STRIPE_SECRET_KEY: TEST }, timeoutMs: 400 });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('STRIPE_SECRET_KEY is a test mode key (sk_test_…7x3Z) but this environment expects live mode');
    expect(v.unchecked).toEqual([`could not verify the key sk_test_…7x3Z with Stripe: timed out after 400ms waiting for 127.0.0.1:${new URL(stripe.apiBase).port}`]);
    expectNoSecrets(v);
  });

  it('ends with error when nothing listens', async () => {
    const v = await runCheck(check, { api_base: 'http://127.0.0.1:9', expect_mode: 'live' }, { env: { STRIPE_SECRET_KEY: LIVE }, timeoutMs: 2000 });
    expect(v.status).toBe('error');
    expect(v.message).toContain('127.0.0.1:9');
    expectNoSecrets(v);
  });

  it('rejects unknown parameters', () => {
    expect(check.params.safeParse({ secret: 'x' }).success).toBe(false);
    expect(check.meta.active).toBeFalsy();
  });
});
