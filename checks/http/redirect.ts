// http.redirect: plain http:// answers with a permanent redirect to https:// on the same host first,
// then the chain ends without a loop.
import { z } from 'zod';
import { combine, defineCheck, error, fail, warn, type Verdict } from '../../src/check.js';
import { intish } from '../../src/params.js';
import { displayUrl, fetchOrVerdict, header, loadCa, tlsParams } from './_common.js';

export const params = z
  .object({
    url: z
      .string()
      .trim()
      .min(1)
      .describe('The plain-HTTP URL to start from (`http://example.com/`), or just a host name (`example.com`).'),
    max_redirects: intish().pipe(z.number().int().min(1).max(30)).default(10).describe('Give up following the chain after this many hops.'),
    ...tlsParams,
  })
  .strict();
export type Params = z.output<typeof params>;

export interface Hop {
  url: string;
  status: number;
  /** Absolute target of a 3xx. */
  location?: string;
}
export interface RedirectFacts {
  start: string;
  hops: Hop[];
  /** Why following stopped: a non-redirect answer, a URL seen before, the hop cap, or a request error. */
  end: 'final' | 'loop' | 'too-many' | 'error';
  errorMessage?: string;
}

const isRedirect = (s: number) => s >= 300 && s < 400;

/** Start URL from the parameter: a bare host becomes http://host/. */
export function startUrl(value: string): URL | string {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}/`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `invalid URL ${JSON.stringify(value)}`;
  }
  if (url.protocol !== 'http:') return `url must start with http:// (the check tests the upgrade to HTTPS), got ${url.protocol}//`;
  return url;
}

/** Pure decision: the hops seen, in order, to a verdict. */
export function evaluateRedirect(f: RedirectFacts, maxRedirects = 10): Verdict {
  const first = f.hops[0];
  const chain = f.hops.map((h) => (h.location ? `${displayUrl(h.url)} → ${h.status} → ${displayUrl(h.location)}` : `${displayUrl(h.url)} → ${h.status}`));
  const evidence = {
    expected: `301/308 from ${displayUrl(f.start)} to https://${new URL(f.start).host.replace(/:\d+$/, '')}/…`,
    actual: first ? (first.location ? `${first.status} to ${displayUrl(first.location)}` : `${first.status} without redirect`) : 'no answer',
    details: { chain: f.hops.map((h) => ({ ...h, url: displayUrl(h.url), location: h.location && displayUrl(h.location) })), end: f.end },
  };
  if (!first) return error(f.errorMessage ?? `no answer from ${displayUrl(f.start)}`, evidence);

  const parts: Verdict[] = [];
  const startHost = new URL(f.start).hostname;
  if (!isRedirect(first.status) || !first.location) {
    parts.push(
      fail(
        `${displayUrl(f.start)} answered ${first.status} over plain HTTP instead of redirecting to HTTPS`,
        undefined,
        'Redirect every plain-HTTP request to the same URL on https:// with 301 (nginx: `return 301 https://$host$request_uri;`).',
      ),
    );
  } else {
    const target = new URL(first.location);
    if (target.protocol !== 'https:') {
      parts.push(fail(`first redirect goes to ${displayUrl(first.location)}, not to https://`, undefined, 'Make the first redirect go to https:// on the same host, before any other redirect.'));
    } else if (target.hostname !== startHost) {
      parts.push(
        fail(
          `first redirect goes to another host (${target.hostname}) instead of https://${startHost}; HSTS cannot be set for ${startHost}`,
          undefined,
          `Redirect http://${startHost}/ to https://${startHost}/ first, then to ${target.hostname} from HTTPS.`,
        ),
      );
    }
    if (first.status === 302 || first.status === 307 || first.status === 303) {
      parts.push(warn(`redirect to HTTPS is temporary (${first.status}); expected 301 or 308 so browsers and crawlers remember it`));
    }
  }
  if (f.end === 'loop') {
    parts.push(fail(`redirect loop: ${f.hops.map((h) => displayUrl(h.url)).join(' → ')} → ${displayUrl(f.hops[f.hops.length - 1].location!)}`, undefined, 'Fix the redirect rules so the chain ends on a page (often an HTTPS→HTTP redirect behind a proxy that terminates TLS: trust X-Forwarded-Proto).'));
  } else if (f.end === 'too-many') {
    parts.push(fail(`more than ${maxRedirects} redirects starting at ${displayUrl(f.start)}`));
  } else if (f.end === 'error') {
    // Could not check the rest of the chain (loops, where it ends): unknown, whatever the first hop showed.
    const last = f.hops[f.hops.length - 1];
    parts.push(error(`could not follow the redirect chain past ${displayUrl(last.location ?? last.url)}: ${f.errorMessage}`));
  }
  const last = f.hops[f.hops.length - 1];
  return combine(parts, `${displayUrl(f.start)} redirects with ${first.status} to ${displayUrl(first.location ?? '')}${f.hops.length > 1 ? `; ${f.hops.length > 2 ? `${f.hops.length - 2} more redirect${f.hops.length === 3 ? '' : 's'}, then ` : ''}${displayUrl(last.url)} answers ${last.status}` : ''}`, {
    ...evidence,
    details: { ...evidence.details, summary: chain },
  });
}

export default defineCheck({
  meta: {
    type: 'http.redirect',
    title: 'HTTP redirects to HTTPS on the same host',
    failureTitle: 'HTTP does not redirect to HTTPS properly',
    description:
      'Visitors typing the bare domain arrive over plain HTTP. The first answer must be a permanent redirect (301/308) to https:// on the same host, so HSTS can take over; redirecting elsewhere first, or looping, breaks that. The whole chain is followed (each hop separately) and shown in the evidence.',
    remediation: 'Answer every http:// request with `301` to `https://$host$request_uri`, then apply any other redirects from HTTPS.',
    docs: 'docs/checks.md#http-redirect',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const start = startUrl(p.url);
    if (typeof start === 'string') return error(start);
    const ca = await loadCa(p, ctx.baseDir);
    if (typeof ca === 'string') return error(ca);
    const deadline = Date.now() + ctx.timeoutMs;
    const facts: RedirectFacts = { start: start.href, hops: [], end: 'final' };
    const seen = new Set<string>();
    let current = start.href;
    for (;;) {
      if (seen.has(current)) {
        facts.end = 'loop';
        break;
      }
      if (facts.hops.length > p.max_redirects) {
        facts.end = 'too-many';
        break;
      }
      seen.add(current);
      // The first request has the check's whole timeout; each hop after it what is left of it.
      const timeoutMs = facts.hops.length === 0 ? ctx.timeoutMs : Math.max(1, deadline - Date.now());
      const got = await fetchOrVerdict(current, { method: 'GET', ca: ca.ca, insecure: p.insecure, maxBodyBytes: 0 }, { ...ctx, timeoutMs });
      if ('verdict' in got) {
        if (facts.hops.length === 0) return got.verdict;
        facts.end = 'error';
        facts.errorMessage = got.verdict.message;
        break;
      }
      const location = header(got.res, 'location');
      let next: string | undefined;
      try {
        next = location ? new URL(location, current).href : undefined;
      } catch {
        next = undefined;
      }
      facts.hops.push({ url: current, status: got.res.status, location: isRedirect(got.res.status) ? next : undefined });
      ctx.log.debug(`http.redirect ${displayUrl(current)} → ${got.res.status}${next ? ` ${displayUrl(next)}` : ''}`);
      if (!isRedirect(got.res.status) || !next) break;
      current = next;
    }
    return evaluateRedirect(facts, p.max_redirects);
  },
});
