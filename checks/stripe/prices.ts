// stripe.prices: the plans the app sells exist in Stripe as expected — each price exists, is active, belongs to an
// active product, and has the expected amount, currency and billing interval, in the key's mode.
import { z } from 'zod';
import { combine, defineCheck, error, fail, skip, type Verdict } from '../../src/check.js';
import { boolish, intish } from '../../src/params.js';
import { apiBaseParam, describeStripeError, listAll, makeStripe, remediationForFailure, withSignal } from '../../src/stripe/client.js';
import { isUsable, secretKeyParam, usableSecretKey } from '../../src/stripe/common.js';
import { modeName, type KeyMode } from '../../src/stripe/keys.js';

const INTERVALS = ['day', 'week', 'month', 'year'] as const;
type Interval = (typeof INTERVALS)[number];

const priceSpec = z
  .object({
    lookup_key: z
      .string()
      .min(1, "must not be empty: give the price's lookup key, or leave lookup_key out and give id")
      .optional()
      .describe('Lookup key of the price (preferred: stable across modes); give exactly one of lookup_key or id'),
    id: z.string().optional().describe('Price id, literal or from the environment (e.g. "${STRIPE_PRICE_STARTER_MONTHLY}"); instead of lookup_key'),
    amount: intish().describe("Expected unit_amount in the currency's smallest unit (2900 = $29.00)"),
    currency: z.string().trim().toLowerCase().regex(/^[a-z]{3}$/, 'expected a 3-letter currency code').default('usd').describe('Expected currency (ISO code, default usd)'),
    interval: z.enum(INTERVALS).optional().describe('Expected billing interval (month/year); leave out for a one-time price'),
    interval_count: intish().default(1).describe('Expected number of intervals between bills (default 1)'),
    optional: boolish().optional().describe('A price that may be absent from Stripe (e.g. a $0 Free plan handled in the app); defaults to the plan\'s setting'),
  })
  .strict()
  .refine((p) => (p.lookup_key === undefined) !== (p.id === undefined), 'give exactly one of lookup_key or id');

const planSpec = z
  .object({
    name: z.string().min(1).describe('Plan name shown in the report (e.g. Starter)'),
    optional: boolish().default(false).describe('The plan may be absent from Stripe (e.g. a $0 Free plan)'),
    prices: z.array(priceSpec).min(1).describe('Prices of the plan'),
  })
  .strict();

export type PriceSpec = z.output<typeof priceSpec>;

/** What Stripe returned for one price, reduced to what the decision needs. */
export interface PriceFacts {
  id: string;
  active: boolean;
  livemode: boolean;
  currency: string;
  unit_amount: number | null;
  lookup_key?: string | null;
  /** Undefined for one-time prices. */
  recurring?: { interval: Interval; interval_count: number } | null;
  product?: { id: string; name?: string; active?: boolean } | string;
}

export type Lookup =
  | { found: PriceFacts }
  | { missing: 'not_found' | 'empty_id'; message?: string }
  | { missing: 'other_mode'; otherMode: KeyMode; message?: string }
  /** Stripe could not be asked about this price (the call failed): see `CouldNotCheck`. */
  | { unchecked: true };

/** Why some prices could not be looked up (Stripe unreachable, key rejected…), with the fix. */
export interface CouldNotCheck {
  /** `invalid API key sk_live_…8h9J (Stripe answered 401)`, `connection refused at 127.0.0.1:9`. */
  reason: string;
  remediation?: string;
}

export interface PriceRowFacts {
  plan: string;
  optional: boolean;
  spec: PriceSpec;
  lookup: Lookup;
}

/** `$29.00 (2900)`: the human amount next to Stripe's smallest-unit number. */
export function formatAmount(amount: number | null | undefined, currency: string): string {
  if (amount === null || amount === undefined) return 'no unit_amount';
  try {
    const fmt = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
    const digits = fmt.resolvedOptions().maximumFractionDigits ?? 2;
    return `${fmt.format(amount / 10 ** digits)} (${amount})`;
  } catch {
    return `${amount} ${currency.toUpperCase()}`;
  }
}

/** `/month`, `every 3 months`, ` one-time`: appended to an amount in the table. */
function formatInterval(interval: string | undefined, count: number): string {
  if (!interval) return ' one-time';
  return count === 1 ? `/${interval}` : ` every ${count} ${interval}s`;
}

/** `every month`, `every 3 months`. */
const every = (interval: string, count: number) => (count === 1 ? `every ${interval}` : `every ${count} ${interval}s`);

const refOf = (spec: PriceSpec) => (spec.lookup_key !== undefined ? `lookup_key ${spec.lookup_key}` : spec.id || '(empty id)');
const expectedText = (s: PriceSpec) => `${formatAmount(s.amount, s.currency)} ${s.currency.toUpperCase()}${formatInterval(s.interval, s.interval_count)}`;
const actualText = (p: PriceFacts) =>
  `${formatAmount(p.unit_amount, p.currency)} ${p.currency.toUpperCase()}${formatInterval(p.recurring?.interval, p.recurring?.interval_count ?? 1)}${p.active ? '' : ', archived'}${
    typeof p.product === 'object' && p.product.active === false ? ', product archived' : ''
  }`;

/** Problems with one price that was found, as short phrases (empty when it matches). */
export function priceProblems(spec: PriceSpec, p: PriceFacts, keyMode: KeyMode | undefined): string[] {
  const problems: string[] = [];
  if (keyMode && p.livemode !== (keyMode === 'live')) problems.push(`is a ${p.livemode ? 'live' : 'test'} mode price but the key is ${modeName(keyMode)}`);
  if (!p.active) problems.push(`price ${p.id} is archived (active: false)`);
  if (typeof p.product === 'object' && p.product.active === false) problems.push(`product ${p.product.name ? `"${p.product.name}" ` : ''}(${p.product.id}) is archived`);
  if (p.currency.toLowerCase() !== spec.currency) problems.push(`currency ${p.currency.toUpperCase()}, expected ${spec.currency.toUpperCase()}`);
  if (p.unit_amount !== spec.amount) {
    problems.push(`amount ${formatAmount(p.unit_amount, p.currency)}, expected ${formatAmount(spec.amount, spec.currency)}`);
  }
  const rec = p.recurring ?? undefined;
  if (spec.interval && !rec) problems.push(`is a one-time price, expected billing ${every(spec.interval, spec.interval_count)}`);
  else if (!spec.interval && rec) problems.push(`bills ${every(rec.interval, rec.interval_count)}, expected a one-time price`);
  else if (spec.interval && rec && (rec.interval !== spec.interval || rec.interval_count !== spec.interval_count)) {
    problems.push(`bills ${every(rec.interval, rec.interval_count)}, expected ${every(spec.interval, spec.interval_count)}`);
  }
  return problems;
}

/**
 * Pure decision: every expected price with what Stripe had for it, in; one verdict with a table, out.
 * Prices Stripe could not be asked about (`unchecked`) are named with `couldNotCheck.reason`: `error` on
 * their own, and listed as unchecked next to any price already known to be wrong (then `fail`).
 */
export function decidePrices(rows: PriceRowFacts[], keyMode: KeyMode | undefined, checkLivemode = true, couldNotCheck?: CouldNotCheck): Verdict {
  const parts: Verdict[] = [];
  const table: Array<Record<string, unknown>> = [];
  const unchecked: string[] = [];
  for (const row of rows) {
    const label = `${row.plan} (${refOf(row.spec)})`;
    const entry: Record<string, unknown> = { plan: row.plan, price: refOf(row.spec), expected: expectedText(row.spec) };
    const l = row.lookup;
    if ('unchecked' in l) {
      entry.actual = 'not checked';
      entry.status = 'not checked';
      unchecked.push(label);
    } else if ('found' in l) {
      const problems = priceProblems(row.spec, l.found, checkLivemode ? keyMode : undefined);
      entry.id = l.found.id;
      entry.actual = actualText(l.found);
      entry.status = problems.length ? 'fail' : 'ok';
      if (problems.length) {
        entry.problems = problems;
        parts.push(fail(`${label}: ${problems.join(', ')}`));
      }
    } else {
      const why =
        l.missing === 'empty_id'
          ? 'price id is empty'
          : l.missing === 'other_mode'
            ? `exists only in ${modeName(l.otherMode)} but the key is ${modeName(keyMode)}`
            : row.spec.lookup_key !== undefined
              ? `no price has lookup_key ${row.spec.lookup_key}`
              : `price ${row.spec.id} does not exist`;
      entry.actual = l.missing === 'other_mode' ? `only in ${modeName(l.otherMode)}` : 'missing';
      if (row.optional && l.missing !== 'other_mode') {
        entry.status = 'skip (optional)';
        parts.push(skip(`${label}: ${why} (optional)`));
      } else {
        entry.status = 'fail';
        entry.problems = [why];
        parts.push(fail(`${label}: ${why}`));
      }
    }
    table.push(entry);
  }
  if (unchecked.length) {
    const reason = couldNotCheck?.reason ?? 'Stripe was not asked';
    const which = unchecked.length === rows.length ? 'prices' : `${unchecked.length} of ${rows.length} prices (${unchecked.slice(0, 3).join(', ')}${unchecked.length > 3 ? ` and ${unchecked.length - 3} more` : ''})`;
    const e = error(`cannot verify ${which}: ${reason}`);
    parts.push(couldNotCheck?.remediation ? { ...e, remediation: couldNotCheck.remediation } : e);
  }
  const checked = table.filter((t) => t.status === 'ok').length;
  const optionalMissing = table.filter((t) => t.status === 'skip (optional)').length;
  const bad = parts.filter((p) => p.status === 'fail').length;
  const evidence = {
    expected: Object.fromEntries(table.map((t) => [`${t.plan} ${t.price}`, t.expected])),
    actual: Object.fromEntries(table.map((t) => [`${t.plan} ${t.price}`, t.actual])),
    details: { prices: table, key_mode: keyMode ?? null },
  };
  const verdict = combine(
    parts,
    `${checked} of ${rows.length} prices match in ${modeName(keyMode)}${optionalMissing ? ` (${optionalMissing} optional not in Stripe)` : ''}`,
    evidence,
  );
  if (verdict.status === 'fail') verdict.message = `${bad} of ${rows.length} prices wrong: ${verdict.message}`;
  return verdict;
}

const OTHER_MODE = /similar object exists in (live|test) mode/i;

function toFacts(p: unknown): PriceFacts {
  const o = p as Record<string, unknown>;
  const prod = o.product as Record<string, unknown> | string | null | undefined;
  return {
    id: String(o.id),
    active: o.active === true,
    livemode: o.livemode === true,
    currency: String(o.currency ?? ''),
    unit_amount: typeof o.unit_amount === 'number' ? o.unit_amount : null,
    lookup_key: (o.lookup_key as string | null | undefined) ?? null,
    recurring: (o.recurring as PriceFacts['recurring']) ?? null,
    product:
      prod && typeof prod === 'object'
        ? { id: String(prod.id), name: typeof prod.name === 'string' ? prod.name : undefined, active: typeof prod.active === 'boolean' ? prod.active : undefined }
        : (prod ?? undefined),
  };
}

export default defineCheck({
  meta: {
    type: 'stripe.prices',
    title: 'Stripe plans and prices are set up as expected',
    failureTitle: 'Stripe plans and prices do not match what the app sells',
    description:
      'A missing, archived or wrongly priced plan breaks checkout or charges customers the wrong amount; a price id from the other mode fails every checkout. Reads prices by lookup key (GET /v1/prices, 10 keys per call, all pages) and by id (GET /v1/prices/{id}) with their products; read-only.',
    remediation:
      'In the Stripe dashboard (Product catalog), create or unarchive the product and price with the expected amount, currency and interval in the same mode as the key, set its lookup key, and put the price ids into the environment.',
    docs: 'docs/checks.md#stripe-prices',
  },
  params: z
    .object({
      api_base: apiBaseParam(),
      secret_key: secretKeyParam(),
      plans: z.array(planSpec).min(1).describe('Plans the app sells, each with its prices (amount in the smallest currency unit)'),
      check_livemode: boolish().default(true).describe("Require each price's livemode to match the key's mode"),
    })
    .strict(),
  async run(ctx) {
    const { params, env } = ctx;
    const usable = usableSecretKey(params.secret_key, env);
    if (!isUsable(usable)) return usable.verdict;
    // The SDK gives up at the check's timeout: the runner's grace then still leaves time to report what
    // is already known (the key's mode, the webhook URL) next to what could not be checked.
    const stripe = await makeStripe(usable.key, { apiBase: params.api_base, timeoutMs: ctx.timeoutMs });
    const keyMode = usable.info.mode;
    const rows = params.plans.flatMap((plan) => plan.prices.map((spec) => ({ plan: plan.name, optional: spec.optional ?? plan.optional, spec })));
    // The first failed call stops the asking (the next ones would fail the same way); what was already
    // answered, and what the profile itself shows (an empty price id), is still judged.
    let couldNotCheck: CouldNotCheck | undefined;
    const cannot = (err: unknown): CouldNotCheck => {
      const e = describeStripeError(err, { key: usable.key, apiBase: params.api_base, timeoutMs: ctx.timeoutMs });
      ctx.log.debug(`prices: ${e.message}`);
      const remediation = remediationForFailure(e.kind, { resource: 'Prices and Products', apiBase: params.api_base });
      if (e.kind === 'permission') return { reason: `the key ${usable.masked} may not read prices (Stripe answered ${e.status ?? 403} permission_error)`, remediation };
      if (e.kind === 'authentication') return { reason: `invalid API key ${usable.masked} (Stripe answered ${e.status ?? 401})`, remediation };
      return { reason: e.message, remediation };
    };

    // Lookup keys: at most 10 per call (Stripe's limit), every page of each answer.
    const byLookupKey = new Map<string, PriceFacts>();
    const askedKeys = new Set<string>();
    const lookupKeys = [...new Set(rows.flatMap((r) => (r.spec.lookup_key !== undefined ? [r.spec.lookup_key] : [])))];
    for (let i = 0; i < lookupKeys.length && !couldNotCheck; i += 10) {
      const chunk = lookupKeys.slice(i, i + 10);
      ctx.log.debug(`GET /v1/prices?lookup_keys=${chunk.join(',')}`);
      try {
        const { items } = await listAll((startingAfter) =>
          withSignal(
            stripe.prices.list({ lookup_keys: chunk, expand: ['data.product'], limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) }),
            ctx.signal,
          ),
        );
        for (const item of items) {
          const facts = toFacts(item);
          const k = facts.lookup_key;
          if (!k) continue;
          const prev = byLookupKey.get(k);
          if (!prev || (!prev.active && facts.active)) byLookupKey.set(k, facts);
        }
        for (const k of chunk) askedKeys.add(k);
      } catch (err) {
        couldNotCheck = cannot(err);
      }
    }

    // Price ids: no batch filter exists, one GET each.
    const byId = new Map<string, Lookup>();
    for (const id of new Set(rows.flatMap((r) => (r.spec.id !== undefined ? [r.spec.id.trim()] : [])))) {
      if (id === '') {
        byId.set(id, { missing: 'empty_id' });
        continue;
      }
      if (couldNotCheck) continue;
      ctx.log.debug(`GET /v1/prices/${id}`);
      try {
        byId.set(id, { found: toFacts(await withSignal(stripe.prices.retrieve(id, { expand: ['product'] }), ctx.signal)) });
      } catch (err) {
        const e = describeStripeError(err, { key: usable.key, timeoutMs: ctx.timeoutMs });
        if (e.kind !== 'missing') {
          couldNotCheck = cannot(err);
          continue;
        }
        const other = OTHER_MODE.exec(e.message)?.[1] as KeyMode | undefined;
        byId.set(id, other ? { missing: 'other_mode', otherMode: other, message: e.message } : { missing: 'not_found', message: e.message });
      }
    }

    const facts: PriceRowFacts[] = rows.map((r) => {
      if (r.spec.lookup_key !== undefined) {
        const found = byLookupKey.get(r.spec.lookup_key);
        return { ...r, lookup: found ? { found } : askedKeys.has(r.spec.lookup_key) ? { missing: 'not_found' } : { unchecked: true } };
      }
      return { ...r, lookup: byId.get(r.spec.id!.trim()) ?? { unchecked: true } };
    });
    return decidePrices(facts, keyMode, params.check_livemode, couldNotCheck);
  },
});
