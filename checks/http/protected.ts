// http.protected: endpoints that need authentication refuse anonymous requests (401/403 or a login redirect).
import { z } from 'zod';
import { combine, defineCheck, error, fail, warn, type Verdict } from '../../src/check.js';
import { boolish } from '../../src/params.js';
import { displayUrl, fetchOrVerdict, header, loadCa, plural, tlsParams, urlParam } from './_common.js';

const endpoint = z.union([
  urlParam(),
  z.object({ url: urlParam(), method: z.enum(['GET', 'HEAD', 'OPTIONS']).default('GET').describe('Only safe methods are sent.') }).strict(),
]);

export const params = z
  .object({
    endpoints: z.array(endpoint).min(1).describe('URLs (or {url, method}) that must refuse requests without credentials.'),
    accept_login_redirect: boolish().default(true).describe('Count a 3xx redirect to a login page as protected.'),
    login_pattern: z.string().default('log-?in|sign-?in|auth|sso|oauth|session').describe('Regular expression on the redirect Location that marks a login page.'),
    ...tlsParams,
  })
  .strict();
export type Params = z.output<typeof params>;

export interface ProtectedFacts {
  url: string;
  method: string;
  status: number;
  location?: string;
}

/** Pure decision. `unreachable`: the endpoints that got no answer (could not check those). */
export function evaluateProtected(all: ProtectedFacts[], p: Params, unreachable: Verdict[] = []): Verdict {
  const login = new RegExp(p.login_pattern, 'i');
  const parts: Verdict[] = [...unreachable];
  const rows = all.map((f) => {
    const u = `${f.method} ${displayUrl(f.url)}`;
    let result = 'protected';
    if (f.status === 401 || f.status === 403) result = 'protected';
    else if (f.status >= 300 && f.status < 400 && f.location && p.accept_login_redirect && login.test(f.location)) result = 'login-redirect';
    else if (f.status >= 200 && f.status < 300) {
      result = 'OPEN';
      parts.push(fail(`${u} answered ${f.status} without credentials; expected 401 or 403`, undefined, 'Put the route behind the authentication middleware (deny by default) and add a test that calls it anonymously.'));
    } else if (f.status >= 300 && f.status < 400) {
      result = 'redirect';
      parts.push(warn(`${u} redirects to ${f.location ? displayUrl(f.location) : 'nowhere'} (${f.status}), not to a login page; expected 401 or 403`));
    } else if (f.status === 404 || f.status === 405) {
      result = 'not-found';
      parts.push(warn(`${u} answered ${f.status}; check the URL (a protected route should answer 401/403)`));
    } else {
      result = 'server-error';
      parts.push(warn(`${u} answered ${f.status} without credentials; expected 401 or 403`));
    }
    return { url: displayUrl(f.url), method: f.method, status: f.status, location: f.location ? displayUrl(f.location) : null, result };
  });
  return combine(parts, `${plural(all.length, 'endpoint')} ${all.length === 1 ? 'refuses' : 'refuse'} anonymous requests`, { expected: '401/403 (or a login redirect) without credentials', actual: rows });
}

export default defineCheck({
  meta: {
    type: 'http.protected',
    title: 'Protected endpoints require authentication',
    failureTitle: 'An endpoint answers without authentication',
    description:
      'An admin or user-data route that answers 200 to an anonymous request is an authentication bypass. Calls each listed endpoint with no cookies or Authorization header (safe methods only) and expects 401/403.',
    remediation: 'Protect the routes with authentication middleware (deny by default) and re-run.',
    docs: 'docs/checks.md#http-protected',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    try {
      new RegExp(p.login_pattern, 'i');
    } catch {
      return error(`login_pattern is not a valid regular expression: ${p.login_pattern}`);
    }
    const ca = await loadCa(p, ctx.baseDir);
    if (typeof ca === 'string') return error(ca);
    const list = p.endpoints.map((e) => (typeof e === 'string' ? { url: e, method: 'GET' as const } : e));
    const results = await Promise.all(list.map((e) => fetchOrVerdict(e.url, { method: e.method, ca: ca.ca, insecure: p.insecure, maxBodyBytes: 0 }, ctx)));
    const facts: ProtectedFacts[] = [];
    // An endpoint that gets no answer is a part that could not be checked: an open one elsewhere still fails.
    const unreachable: Verdict[] = [];
    for (const [i, got] of results.entries()) {
      if ('verdict' in got) {
        unreachable.push(got.verdict);
        continue;
      }
      const loc = header(got.res, 'location');
      let location: string | undefined;
      try {
        location = loc ? new URL(loc, list[i].url).href : undefined;
      } catch {
        location = loc;
      }
      facts.push({ url: list[i].url, method: list[i].method, status: got.res.status, location });
    }
    return evaluateProtected(facts, p, unreachable);
  },
});
