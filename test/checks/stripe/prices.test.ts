import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { decidePrices, formatAmount, priceProblems, type PriceFacts, type PriceSpec } from '../../../checks/stripe/prices.js';
import { runCli } from '../../support/cli.js';
import { closedPort } from '../../support/http-server.js';
import { runCheck } from '../../support/run-check.js';
import { price, product, startStripeServer, type FakePrice, type FakeProduct, type FakeStripe } from '../../support/stripe-server.js';
import { tempProject } from '../../support/temp-profile.js';

const LIVE = 'sk_live_51PricesLiveKeyAbCdEfGhIjKlMnOp8h9J';
const TEST = 'sk_test_51PricesTestKeyAbCdEfGhIjKlMnOp0k1L';

const spec = (s: Partial<PriceSpec> = {}): PriceSpec => ({ lookup_key: 'starter_monthly', amount: 2900, currency: 'usd', interval: 'month', interval_count: 1, ...s });
const facts = (f: Partial<PriceFacts> = {}): PriceFacts => ({
  id: 'price_1',
  active: true,
  livemode: true,
  currency: 'usd',
  unit_amount: 2900,
  lookup_key: 'starter_monthly',
  recurring: { interval: 'month', interval_count: 1 },
  product: { id: 'prod_1', name: 'Starter', active: true },
  ...f,
});

describe('formatAmount', () => {
  it('shows the human amount next to the smallest unit', () => {
    expect(formatAmount(2900, 'usd')).toBe('$29.00 (2900)');
    expect(formatAmount(499000, 'usd')).toBe('$4,990.00 (499000)');
    expect(formatAmount(500, 'jpy')).toBe('¥500 (500)');
    expect(formatAmount(null, 'usd')).toBe('no unit_amount');
  });
});

describe('priceProblems', () => {
  it('finds nothing wrong with a matching price', () => {
    expect(priceProblems(spec(), facts(), 'live')).toEqual([]);
  });
  it('reports wrong amount with both forms', () => {
    expect(priceProblems(spec(), facts({ unit_amount: 1900 }), 'live')).toEqual(['amount $19.00 (1900), expected $29.00 (2900)']);
  });
  it('reports wrong interval and count', () => {
    expect(priceProblems(spec(), facts({ recurring: { interval: 'year', interval_count: 1 } }), 'live')).toEqual(['bills every year, expected every month']);
    expect(priceProblems(spec(), facts({ recurring: { interval: 'month', interval_count: 3 } }), 'live')).toEqual(['bills every 3 months, expected every month']);
    expect(priceProblems(spec(), facts({ recurring: null }), 'live')).toEqual(['is a one-time price, expected billing every month']);
  });
  it('reports an archived price and an archived product', () => {
    expect(priceProblems(spec(), facts({ active: false }), 'live')).toEqual(['price price_1 is archived (active: false)']);
    expect(priceProblems(spec(), facts({ product: { id: 'prod_1', name: 'Starter', active: false } }), 'live')).toEqual(['product "Starter" (prod_1) is archived']);
  });
  it('reports wrong currency and wrong mode', () => {
    expect(priceProblems(spec(), facts({ currency: 'eur' }), 'live')).toEqual(['currency EUR, expected USD']);
    expect(priceProblems(spec(), facts({ livemode: false }), 'live')).toEqual(['is a test mode price but the key is live mode']);
  });
});

describe('decidePrices', () => {
  it('passes when every price matches and shows a table', () => {
    const v = decidePrices([{ plan: 'Starter', optional: false, spec: spec(), lookup: { found: facts() } }], 'live');
    expect(v.status).toBe('pass');
    expect(v.message).toBe('1 of 1 prices match in live mode');
    expect((v.evidence?.details as { prices: unknown[] }).prices[0]).toMatchObject({ plan: 'Starter', expected: '$29.00 (2900) USD/month', actual: '$29.00 (2900) USD/month', status: 'ok' });
  });
  it('fails a missing lookup key and a missing id', () => {
    const v = decidePrices(
      [
        { plan: 'Starter', optional: false, spec: spec(), lookup: { missing: 'not_found' } },
        { plan: 'Pro', optional: false, spec: spec({ lookup_key: undefined, id: 'price_nope' }), lookup: { missing: 'not_found' } },
      ],
      'live',
    );
    expect(v.status).toBe('fail');
    expect(v.message).toBe('2 of 2 prices wrong: Starter (lookup_key starter_monthly): no price has lookup_key starter_monthly; Pro (price_nope): price price_nope does not exist');
  });
  it('lets an optional Free plan be absent', () => {
    const v = decidePrices(
      [
        { plan: 'Free', optional: true, spec: spec({ lookup_key: 'free', amount: 0 }), lookup: { missing: 'not_found' } },
        { plan: 'Starter', optional: false, spec: spec(), lookup: { found: facts() } },
      ],
      'live',
    );
    expect(v.status).toBe('pass');
    expect(v.message).toBe('1 of 2 prices match in live mode (1 optional not in Stripe)');
  });
  it('fails a price id from the other mode, even when optional', () => {
    const v = decidePrices([{ plan: 'Free', optional: true, spec: spec({ lookup_key: undefined, id: 'price_t' }), lookup: { missing: 'other_mode', otherMode: 'test' } }], 'live');
    expect(v.status).toBe('fail');
    expect(v.message).toContain('exists only in test mode but the key is live mode');
  });
  it('fails an empty price id', () => {
    const v = decidePrices([{ plan: 'Pro', optional: false, spec: spec({ lookup_key: undefined, id: '' }), lookup: { missing: 'empty_id' } }], 'live');
    expect(v.message).toContain('price id is empty');
  });
  it('fails a wrong price even when other prices could not be looked up, naming those as unchecked', () => {
    const v = decidePrices(
      [
        { plan: 'Starter', optional: false, spec: spec(), lookup: { found: facts({ unit_amount: 1900 }) } },
        { plan: 'Pro', optional: false, spec: spec({ lookup_key: 'pro_monthly' }), lookup: { unchecked: true } },
      ],
      'live',
      true,
      { reason: 'connection refused at 127.0.0.1:9', remediation: 'Check that this machine can reach the API.' },
    );
    expect(v.status).toBe('fail');
    expect(v.message).toBe('1 of 2 prices wrong: Starter (lookup_key starter_monthly): amount $19.00 (1900), expected $29.00 (2900)');
    expect(v.unchecked).toEqual(['cannot verify 1 of 2 prices (Pro (lookup_key pro_monthly)): connection refused at 127.0.0.1:9']);
    expect(v.remediation).toContain('can reach the API');
    expect((v.evidence?.details as { prices: Array<Record<string, unknown>> }).prices[1]).toMatchObject({ actual: 'not checked', status: 'not checked' });
  });
  it('is an error, not a pass, when the only prices not wrong could not be looked up', () => {
    const v = decidePrices(
      [
        { plan: 'Starter', optional: false, spec: spec(), lookup: { found: facts() } },
        { plan: 'Pro', optional: false, spec: spec({ lookup_key: 'pro_monthly' }), lookup: { unchecked: true } },
      ],
      'live',
      true,
      { reason: 'timed out after 2s' },
    );
    expect(v.status).toBe('error');
    expect(v.message).toBe('cannot verify 1 of 2 prices (Pro (lookup_key pro_monthly)): timed out after 2s');
    expect(v.unchecked).toBeUndefined();
  });
});

describe('params', () => {
  it('needs exactly one of lookup_key or id and rejects unknown keys', () => {
    const ok = { plans: [{ name: 'S', prices: [{ lookup_key: 'a', amount: 1 }] }] };
    expect(check.params.safeParse(ok).success).toBe(true);
    expect(check.params.safeParse({ plans: [{ name: 'S', prices: [{ amount: 1 }] }] }).success).toBe(false);
    expect(check.params.safeParse({ plans: [{ name: 'S', prices: [{ lookup_key: 'a', id: 'b', amount: 1 }] }] }).success).toBe(false);
    expect(check.params.safeParse({ plans: [{ name: 'S', prices: [{ lookup_key: 'a', amount: 1, price: 2 }] }] }).success).toBe(false);
    expect(check.params.safeParse({ plans: [{ name: 'S', prices: [{ lookup_key: 'a', amount: '2900', interval_count: '1' }] }] }).success).toBe(true);
  });
  it('rejects an empty lookup_key as a parameter error, saying so', () => {
    const r = check.params.safeParse({ plans: [{ name: 'S', prices: [{ lookup_key: '', amount: 1 }] }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues).toContainEqual(expect.objectContaining({ path: ['plans', 0, 'prices', 0, 'lookup_key'], message: expect.stringMatching(/^must not be empty: give the price's lookup key/) }));
  });
});

// The checklist's catalogue, in live mode, with lookup keys; Starter monthly also known by id.
function catalogue(livemode = true): { products: FakeProduct[]; prices: FakePrice[] } {
  const products = ['free', 'starter', 'professional', 'enterprise'].map((id) => product({ id: `prod_${id}`, name: id, livemode }));
  const p = (id: string, prod: string, amount: number, interval: 'month' | 'year') =>
    price({ id: `price_${id}${livemode ? '' : '_test'}`, lookup_key: id, product: `prod_${prod}`, unit_amount: amount, interval, livemode });
  const prices = [
    p('starter_monthly', 'starter', 2900, 'month'),
    p('starter_yearly', 'starter', 29000, 'year'),
    p('professional_monthly', 'professional', 9900, 'month'),
    p('professional_yearly', 'professional', 99000, 'year'),
    p('enterprise_monthly', 'enterprise', 49900, 'month'),
    p('enterprise_yearly', 'enterprise', 499000, 'year'),
  ];
  return { products, prices };
}

const PLANS = [
  { name: 'Free', optional: true, prices: [{ lookup_key: 'free_monthly', amount: 0, interval: 'month' }] },
  { name: 'Starter', prices: [{ id: '${STRIPE_PRICE_STARTER_MONTHLY}', amount: 2900, interval: 'month' }, { lookup_key: 'starter_yearly', amount: 29000, interval: 'year' }] },
  { name: 'Professional', prices: [{ lookup_key: 'professional_monthly', amount: 9900, interval: 'month' }, { lookup_key: 'professional_yearly', amount: 99000, interval: 'year' }] },
  { name: 'Enterprise', prices: [{ lookup_key: 'enterprise_monthly', amount: 49900, interval: 'month' }, { lookup_key: 'enterprise_yearly', amount: 499000, interval: 'year' }] },
];
/** The engine interpolates ${VAR} before the check sees the params; do the same here. */
const plansWith = (starterId: string) => JSON.parse(JSON.stringify(PLANS).replace('${STRIPE_PRICE_STARTER_MONTHLY}', starterId));

describe('stripe.prices against a local Stripe', () => {
  let stripe: FakeStripe;
  beforeAll(async () => {
    stripe = await startStripeServer();
  });
  afterAll(async () => {
    await stripe?.close();
  });
  const keys = { [LIVE]: { livemode: true }, [TEST]: { livemode: false } };
  const both = () => {
    const live = catalogue(true);
    const test = catalogue(false);
    return { products: [...live.products, ...test.products], prices: [...live.prices, ...test.prices] };
  };

  it("passes the checklist's plans, with only GET calls and pages of 2", async () => {
    stripe.set({ keys, ...both(), maxPageSize: 2 });
    const logs: string[] = [];
    const v = await runCheck(check, { api_base: stripe.apiBase, plans: plansWith('price_starter_monthly') }, { env: { STRIPE_SECRET_KEY: LIVE }, logs });
    expect(v.message).toBe('6 of 7 prices match in live mode (1 optional not in Stripe)');
    expect(v.status).toBe('pass');
    expect(stripe.requests.every((r) => r.method === 'GET')).toBe(true);
    // 5 lookup keys answered in pages of 2 → 3 list calls, plus one GET for the id.
    expect(stripe.requests.filter((r) => r.path === '/v1/prices')).toHaveLength(3);
    expect(stripe.requests.filter((r) => r.path === '/v1/prices/price_starter_monthly')).toHaveLength(1);
    expect(JSON.stringify(v) + logs.join()).not.toContain(LIVE);
  });

  it('asks for at most 10 lookup keys per call', async () => {
    const products = [product({ id: 'prod_x', livemode: true })];
    const prices = Array.from({ length: 12 }, (_, i) => price({ id: `price_${i}`, lookup_key: `k${i}`, product: 'prod_x', unit_amount: 100, livemode: true }));
    stripe.set({ keys, products, prices });
    const plans = [{ name: 'Many', prices: prices.map((p) => ({ lookup_key: p.lookup_key!, amount: 100, interval: 'month' })) }];
    const v = await runCheck(check, { api_base: stripe.apiBase, plans }, { env: { STRIPE_SECRET_KEY: LIVE } });
    expect(v.status).toBe('pass');
    expect(v.message).toBe('12 of 12 prices match in live mode');
    expect(stripe.requests.filter((r) => r.path === '/v1/prices')).toHaveLength(2);
  });

  it('reports every mismatch: amount, interval, archived price, archived product, missing lookup key', async () => {
    const c = catalogue(true);
    const edit = (id: string, f: (p: FakePrice) => FakePrice) => (c.prices = c.prices.map((p) => (p.id === id ? f(p) : p)));
    edit('price_starter_yearly', (p) => ({ ...p, unit_amount: 24000 }));
    edit('price_professional_monthly', (p) => ({ ...p, recurring: { interval: 'year', interval_count: 1 } }));
    edit('price_professional_yearly', (p) => ({ ...p, active: false }));
    c.products = c.products.map((p) => (p.id === 'prod_enterprise' ? { ...p, active: false } : p));
    c.prices = c.prices.filter((p) => p.id !== 'price_enterprise_yearly');
    stripe.set({ keys, ...c });
    const v = await runCheck(check, { api_base: stripe.apiBase, plans: plansWith('price_starter_monthly') }, { env: { STRIPE_SECRET_KEY: LIVE } });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('5 of 7 prices wrong');
    expect(v.message).toContain('Starter (lookup_key starter_yearly): amount $240.00 (24000), expected $290.00 (29000)');
    expect(v.message).toContain('Professional (lookup_key professional_monthly): bills every year, expected every month');
    expect(v.message).toContain('Professional (lookup_key professional_yearly): price price_professional_yearly is archived (active: false)');
    expect(v.message).toContain('Enterprise (lookup_key enterprise_monthly): product "enterprise" (prod_enterprise) is archived');
    expect(v.message).toContain('Enterprise (lookup_key enterprise_yearly): no price has lookup_key enterprise_yearly');
    const table = (v.evidence?.details as { prices: Array<Record<string, unknown>> }).prices;
    expect(table).toHaveLength(7);
    expect(table.find((r) => r.price === 'lookup_key starter_yearly')).toMatchObject({ expected: '$290.00 (29000) USD/year', actual: '$240.00 (24000) USD/year', status: 'fail' });
  });

  it('fails a test price id used with a live key, saying so', async () => {
    stripe.set({ keys, ...both() });
    const v = await runCheck(check, { api_base: stripe.apiBase, plans: plansWith('price_starter_monthly_test') }, { env: { STRIPE_SECRET_KEY: LIVE } });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('1 of 7 prices wrong: Starter (price_starter_monthly_test): exists only in test mode but the key is live mode');
  });

  it('fails a price id that does not exist', async () => {
    stripe.set({ keys, ...both() });
    const v = await runCheck(check, { api_base: stripe.apiBase, plans: plansWith('price_typo') }, { env: { STRIPE_SECRET_KEY: LIVE } });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('Starter (price_typo): price price_typo does not exist');
  });

  it('works in test mode with the test catalogue', async () => {
    stripe.set({ keys, ...both() });
    const v = await runCheck(check, { api_base: stripe.apiBase, plans: plansWith('price_starter_monthly_test') }, { env: { STRIPE_SECRET_KEY: TEST } });
    expect(v.status).toBe('pass');
    expect(v.message).toContain('in test mode');
  });

  it('fails an empty price id from the environment even when Stripe is unreachable, naming what it could not check', async () => {
    const port = await closedPort();
    const plans = [{ name: 'Starter', prices: [{ id: '', amount: 2900, interval: 'month' }, { lookup_key: 'starter_yearly', amount: 29000, interval: 'year' }] }];
    const v = await runCheck(check, { api_base: `http://127.0.0.1:${port}`, plans }, { env: { STRIPE_SECRET_KEY: LIVE }, timeoutMs: 3000 });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('1 of 2 prices wrong: Starter ((empty id)): price id is empty');
    expect(v.unchecked).toHaveLength(1);
    expect(v.unchecked?.[0]).toMatch(new RegExp(`^cannot verify 1 of 2 prices \\(Starter \\(lookup_key starter_yearly\\)\\): .*127\\.0\\.0\\.1:${port}`));
    expect(JSON.stringify(v)).not.toContain(LIVE);
  });

  const emptyKeyProfile = (lookupKey: string) =>
    [
      'version: 1',
      'name: prices',
      'checks:',
      '  billing.prices:',
      '    type: stripe.prices',
      '    with:',
      `      api_base: "${stripe.apiBase}"`,
      '      plans:',
      '        - name: Starter',
      `          prices: [{ lookup_key: "${lookupKey}", amount: 2900, interval: month }]`,
      '',
    ].join('\n');

  it('an empty literal lookup_key is a profile error at load (validate exits 2), and Stripe is never asked', async () => {
    stripe.set({ keys, ...both() });
    const dir = tempProject({ 'readiness.yaml': emptyKeyProfile('') });
    const validate = await runCli(['validate', '-p', 'readiness.yaml'], { cwd: dir, env: { STRIPE_SECRET_KEY: LIVE } });
    expect(validate.code).toBe(2);
    expect(validate.stdout + validate.stderr).toMatch(/checks\.billing\.prices\.with\.plans\.0\.prices\.0\.lookup_key: must not be empty: give the price's lookup key/);
    const run = await runCli(['check', '-p', 'readiness.yaml', '-f', 'json'], { cwd: dir, env: { STRIPE_SECRET_KEY: LIVE } });
    expect(run.code).toBe(2);
    expect(stripe.requests).toHaveLength(0);
  });

  it('an empty ${VAR} for lookup_key is an environment problem of the check: it fails naming the variable, Stripe is never asked', async () => {
    stripe.set({ keys, ...both() });
    const dir = tempProject({ 'readiness.yaml': emptyKeyProfile('${STARTER_LOOKUP_KEY}') });
    const env = { STRIPE_SECRET_KEY: LIVE, STARTER_LOOKUP_KEY: '' };
    const validate = await runCli(['validate', '-p', 'readiness.yaml'], { cwd: dir, env });
    expect(validate.code).toBe(0);
    expect(validate.stdout + validate.stderr).toContain('STARTER_LOOKUP_KEY is empty (with.plans.0.prices.0.lookup_key)');
    const run = await runCli(['check', '-p', 'readiness.yaml', '-f', 'json'], { cwd: dir, env });
    const [result] = JSON.parse(run.stdout).results as { id: string; status: string; message: string; evidence?: { details?: unknown } }[];
    expect(result).toMatchObject({ id: 'billing.prices', status: 'fail', message: 'STARTER_LOOKUP_KEY is empty (with.plans.0.prices.0.lookup_key)' });
    expect(result.evidence?.details).toEqual({ variables: ['STARTER_LOOKUP_KEY'] });
    expect(stripe.requests).toHaveLength(0);
  });

  it('errors (cannot verify) on a key Stripe rejects, and on a hung Stripe', async () => {
    stripe.set({ keys: {}, ...both() });
    const v = await runCheck(check, { api_base: stripe.apiBase, plans: plansWith('price_x') }, { env: { STRIPE_SECRET_KEY: LIVE } });
    expect(v.status).toBe('error');
    expect(v.message).toBe('cannot verify prices: invalid API key sk_live_…8h9J (Stripe answered 401)');
    expect(v.remediation).toMatch(/STRIPE_SECRET_KEY; the key may have been rolled/);
    stripe.set({ keys, ...both(), delayMs: 5000 });
    const slow = await runCheck(check, { api_base: stripe.apiBase, plans: plansWith('price_x') }, { env: { STRIPE_SECRET_KEY: LIVE }, timeoutMs: 300 });
    expect(slow.status).toBe('error');
    expect(slow.message).toMatch(/timed out after/);
    expect(slow.remediation).toContain(`can reach ${stripe.apiBase}`);
  });
});
