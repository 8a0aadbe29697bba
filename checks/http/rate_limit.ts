// http.rate_limit (active, opt-in): sends at most `limit + margin` requests inside the window and
// expects a 429, reading RateLimit-* / Retry-After. Never sends more than configured.
import { z } from 'zod';
import { combine, defineCheck, error, fail, pass, notOptedIn, warn, type Verdict } from '../../src/check.js';
import { formatDuration } from '../../src/duration.js';
import { boolish, duration, intish } from '../../src/params.js';
import { displayUrl, fetchOrVerdict, header, loadCa, tlsParams, urlParam } from './_common.js';

export const params = z
  .object({
    url: urlParam('Endpoint that must be rate limited (e.g. the login or API route).'),
    send_requests: boolish().default(false).describe('Opt-in: this check sends up to limit + margin real requests. Nothing is sent unless true.'),
    limit: intish().pipe(z.number().int().min(1).max(1000)).default(60).describe('Requests allowed per window (checklist: 60 per minute).'),
    window: duration().default(60_000).describe('Window of the limit (default 1m).'),
    margin: intish().pipe(z.number().int().min(0).max(1000)).default(10).describe('Extra requests beyond the limit before concluding there is no limit.'),
    method: z.enum(['GET', 'HEAD']).default('GET').describe('Request method (safe methods only).'),
    concurrency: intish().pipe(z.number().int().min(1).max(20)).default(5).describe('Requests in flight at once.'),
    ...tlsParams,
  })
  .strict();
export type Params = z.output<typeof params>;

export interface RateFacts {
  sent: number;
  /** 1-based index of the first 429 answer. */
  firstLimitedAt?: number;
  elapsedMs: number;
  statuses: Record<string, number>;
  /** Rate-limit headers seen (first 429's, else the last response's). */
  headers: Record<string, string>;
  /** Why sending stopped early, if it did. */
  stopped?: 'window' | 'deadline';
}

/** Pure decision. */
export function evaluateRateLimit(f: RateFacts, p: Params): Verdict {
  const budget = p.limit + p.margin;
  const evidence = {
    expected: `429 within ${budget} requests (limit ${p.limit} per ${formatDuration(p.window)} + margin ${p.margin})`,
    actual: { sent: f.sent, firstLimitedAt: f.firstLimitedAt ?? null, elapsedMs: Math.round(f.elapsedMs), statuses: f.statuses },
    details: { headers: f.headers },
  };
  if (f.firstLimitedAt !== undefined) {
    const parts: Verdict[] = [];
    if (!f.headers['retry-after'] && !Object.keys(f.headers).some((h) => h.includes('ratelimit'))) {
      parts.push(warn(`rate limited after ${f.firstLimitedAt} requests, but the 429 carries neither Retry-After nor RateLimit-* headers`));
    }
    const advertised = f.headers['ratelimit-limit'] ?? f.headers['x-ratelimit-limit'];
    return combine(parts, `rate limited after ${f.firstLimitedAt} requests in ${formatDuration(f.elapsedMs)}${advertised ? ` (advertised limit ${advertised})` : ''}${f.headers['retry-after'] ? `, Retry-After ${f.headers['retry-after']}` : ''}`, evidence);
  }
  if (f.sent < budget) {
    const why = f.stopped === 'window' ? `the ${formatDuration(p.window)} window ended` : 'the check timed out';
    // Could not check: neither a 429 nor the full budget without one.
    return {
      ...error(`no 429 after ${f.sent} of ${budget} requests, but ${why} before the budget was spent: inconclusive`, evidence),
      remediation: `Give the check time for ${budget} requests (a longer timeout, a window long enough for the endpoint's latency), or lower limit/margin to the real limit.`,
    };
  }
  return {
    ...fail(`sent ${f.sent} requests in ${formatDuration(f.elapsedMs)} without any 429; expected a limit of ${p.limit} per ${formatDuration(p.window)}`, evidence),
    remediation: 'Add rate limiting at the proxy (nginx limit_req) or in the app (e.g. express-rate-limit) answering 429 with Retry-After.',
  };
}

const LIMIT_HEADERS = ['retry-after', 'ratelimit', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'ratelimit-policy', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];

export default defineCheck({
  meta: {
    type: 'http.rate_limit',
    title: 'Rate limiting answers 429',
    failureTitle: 'No rate limiting',
    description:
      'Without rate limiting, login and API routes are open to brute force and scraping. ACTIVE and opt-in (`send_requests: true`): sends at most limit + margin real requests within the window and expects a 429, reading RateLimit-*/Retry-After headers. It never sends more than that.',
    remediation: 'Limit requests per client (e.g. 60/min) at the proxy or in the app and answer 429 with Retry-After.',
    docs: 'docs/checks.md#http-rate_limit',
    active: true,
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const budget = p.limit + p.margin;
    if (!p.send_requests) return notOptedIn(`opt-in check: set send_requests: true to let it send up to ${budget} requests to ${displayUrl(p.url)}`);
    const ca = await loadCa(p, ctx.baseDir);
    if (typeof ca === 'string') return error(ca);
    const started = performance.now();
    const windowEnd = Date.now() + p.window;
    const deadline = Date.now() + ctx.timeoutMs;
    const facts: RateFacts = { sent: 0, elapsedMs: 0, statuses: {}, headers: {} };
    let failure: Verdict | undefined;
    // Each worker claims a request slot before sending: `sent` can never exceed the budget.
    const worker = async () => {
      while (facts.firstLimitedAt === undefined && !failure && facts.sent < budget) {
        if (Date.now() >= windowEnd) return void (facts.stopped = 'window');
        if (Date.now() >= deadline || ctx.signal.aborted) return void (facts.stopped = 'deadline');
        const index = ++facts.sent;
        const got = await fetchOrVerdict(p.url, { method: p.method, ca: ca.ca, insecure: p.insecure, maxBodyBytes: 0 }, { ...ctx, timeoutMs: Math.max(1, deadline - Date.now()) });
        if ('verdict' in got) {
          if (got.err.kind === 'timeout' && Object.keys(facts.statuses).length > 0) facts.stopped = 'deadline';
          else failure = got.verdict;
          return;
        }
        const status = got.res.status;
        facts.statuses[status] = (facts.statuses[status] ?? 0) + 1;
        const seen = Object.fromEntries(LIMIT_HEADERS.map((h) => [h, header(got.res, h)]).filter(([, v]) => v !== undefined)) as Record<string, string>;
        if (status === 429 && (facts.firstLimitedAt === undefined || index < facts.firstLimitedAt)) {
          facts.firstLimitedAt = index;
          facts.headers = seen;
        } else if (facts.firstLimitedAt === undefined) facts.headers = seen;
      }
    };
    await Promise.all(Array.from({ length: Math.min(p.concurrency, budget) }, worker));
    facts.elapsedMs = performance.now() - started;
    ctx.log.debug(`http.rate_limit ${displayUrl(p.url)}: sent ${facts.sent}, first 429 at ${facts.firstLimitedAt ?? 'none'}`);
    if (failure) return failure;
    return evaluateRateLimit(facts, p);
  },
});
