// http.cors: allowed origins get CORS access (preflight and actual request); a foreign origin is not
// reflected; never a wildcard or reflected origin together with credentials.
import { z } from 'zod';
import { combine, defineCheck, error, fail, warn, type Verdict } from '../../src/check.js';
import { fetchOrVerdict, header, loadCa, tlsParams, urlParam, displayUrl } from './_common.js';

const origin = z.string().trim().regex(/^(https?:\/\/[^/\s]+|null)$/, 'expected an origin such as https://app.example.com (no path)');

export const params = z
  .object({
    url: urlParam('API URL that browsers call cross-origin.'),
    allowed_origins: z.array(origin).default([]).describe('Origins that must be allowed (e.g. your front-end).'),
    foreign_origin: origin.default('https://readiness-probe.invalid').describe('An origin that must NOT be allowed.'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET').describe('Method announced in the preflight (Access-Control-Request-Method); only OPTIONS and GET are ever sent.'),
    request_headers: z.array(z.string().min(1)).default([]).describe('Headers announced in the preflight (e.g. authorization, content-type).'),
    ...tlsParams,
  })
  .strict();
export type Params = z.output<typeof params>;

/** The CORS answer to one request carrying an Origin. */
export interface CorsAnswer {
  origin: string;
  kind: 'preflight' | 'actual';
  status: number;
  allowOrigin?: string;
  allowCredentials?: string;
  allowMethods?: string;
  allowHeaders?: string;
}
export interface CorsFacts {
  allowed: CorsAnswer[];
  foreign: CorsAnswer[];
}

const credentials = (a: CorsAnswer) => a.allowCredentials?.trim().toLowerCase() === 'true';
const listHas = (list: string | undefined, item: string) =>
  (list ?? '').split(',').map((s) => s.trim().toLowerCase()).some((s) => s === '*' || s === item.toLowerCase());

/** Pure decision. `unreachable`: the requests that got no answer (could not check those). */
export function evaluateCors(f: CorsFacts, p: Params, unreachable: Verdict[] = []): Verdict {
  const parts: Verdict[] = [];
  for (const a of f.allowed) {
    const what = `${a.kind === 'preflight' ? 'preflight' : `${p.method === 'GET' ? 'GET' : 'actual request'}`} from ${a.origin}`;
    if (a.allowOrigin !== a.origin && a.allowOrigin !== '*') {
      parts.push(fail(`${what} is not allowed: Access-Control-Allow-Origin is ${a.allowOrigin ? `"${a.allowOrigin}"` : 'missing'}, expected "${a.origin}"`, undefined, `Add ${a.origin} to the API's CORS allow-list (and answer OPTIONS preflights with 204 + the Access-Control-Allow-* headers).`));
      continue;
    }
    if (a.kind === 'preflight') {
      if (a.status >= 400) parts.push(fail(`preflight from ${a.origin} answered ${a.status}; expected 2xx`));
      const simple = ['GET', 'HEAD', 'POST'].includes(p.method);
      if (!simple && !listHas(a.allowMethods, p.method)) parts.push(fail(`preflight from ${a.origin} does not allow ${p.method} (Access-Control-Allow-Methods: ${a.allowMethods ?? 'missing'})`));
      for (const h of p.request_headers) {
        if (!listHas(a.allowHeaders, h)) parts.push(fail(`preflight from ${a.origin} does not allow header ${h} (Access-Control-Allow-Headers: ${a.allowHeaders ?? 'missing'})`));
      }
    }
  }
  // One line per problem, naming the requests that showed it (a preflight and the real request often both do).
  const label = (a: CorsAnswer) => (a.kind === 'preflight' ? 'preflight' : p.method);
  const listKinds = (xs: CorsAnswer[]) => xs.map(label).join(' and ');
  const foreignWithCredentials = f.foreign.filter((a) => (a.allowOrigin === a.origin || a.allowOrigin === '*') && credentials(a));
  const foreignReflected = f.foreign.filter((a) => a.allowOrigin === a.origin && !credentials(a));
  if (foreignWithCredentials.length) {
    const a = foreignWithCredentials[0];
    parts.push(
      fail(
        `foreign origin ${a.origin} gets Access-Control-Allow-Origin "${a.allowOrigin}" with Access-Control-Allow-Credentials: true (${listKinds(foreignWithCredentials)}) — any site can read authenticated responses; expected no Access-Control-Allow-Origin for it`,
        undefined,
        'Never echo the request Origin: compare it with an explicit allow-list, and only then send it back with Allow-Credentials.',
      ),
    );
  }
  if (foreignReflected.length) {
    const a = foreignReflected[0];
    parts.push(fail(`foreign origin ${a.origin} is allowed (${listKinds(foreignReflected)}): the server reflects the Origin header; expected no Access-Control-Allow-Origin for it`, undefined, 'Replace origin reflection with an explicit allow-list of your front-end origins.'));
  }
  if (f.allowed.some((a) => a.allowOrigin === '*' && credentials(a))) {
    parts.push(fail(`Access-Control-Allow-Origin "*" is sent together with Allow-Credentials: true (browsers reject it; the config is wrong)`));
  }
  const wildcard = [...f.allowed, ...f.foreign].some((a) => a.allowOrigin === '*');
  if (wildcard && parts.length === 0 && f.allowed.length > 0) parts.push(warn('Access-Control-Allow-Origin is "*": every site may read these responses (fine only for public, unauthenticated data)'));

  const evidence = {
    expected: { allowed: p.allowed_origins, notAllowed: p.foreign_origin, credentialsWithWildcardOrReflection: false },
    actual: [...f.allowed, ...f.foreign].map((a) => ({ origin: a.origin, kind: a.kind, status: a.status, allowOrigin: a.allowOrigin ?? null, allowCredentials: a.allowCredentials ?? null })),
  };
  const ok = `${p.allowed_origins.length ? `${p.allowed_origins.join(', ')} allowed; ` : ''}foreign origin ${p.foreign_origin} not allowed`;
  // Unanswered requests: the answers that came are still judged, and a problem found there fails.
  return combine([...parts, ...unreachable], ok, evidence);
}

export default defineCheck({
  meta: {
    type: 'http.cors',
    title: 'CORS allows only the intended origins',
    failureTitle: 'CORS is misconfigured',
    description:
      'A CORS policy that reflects any Origin together with Access-Control-Allow-Credentials lets any website read your users\' authenticated API responses. Sends a preflight (OPTIONS) and a GET with each allowed origin and with a foreign one, and compares the Access-Control-Allow-* answers.',
    remediation: 'Configure CORS with an explicit allow-list of origins; never reflect the Origin header, never combine "*" or reflection with credentials.',
    docs: 'docs/checks.md#http-cors',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const ca = await loadCa(p, ctx.baseDir);
    if (typeof ca === 'string') return error(ca);
    const ask = async (o: string, kind: 'preflight' | 'actual'): Promise<CorsAnswer | Verdict> => {
      const headers: Record<string, string> =
        kind === 'preflight'
          ? { origin: o, 'access-control-request-method': p.method, ...(p.request_headers.length ? { 'access-control-request-headers': p.request_headers.join(',').toLowerCase() } : {}) }
          : { origin: o };
      const got = await fetchOrVerdict(p.url, { method: kind === 'preflight' ? 'OPTIONS' : 'GET', headers, ca: ca.ca, insecure: p.insecure, maxBodyBytes: 0 }, ctx);
      if ('verdict' in got) return got.verdict;
      return {
        origin: o,
        kind,
        status: got.res.status,
        allowOrigin: header(got.res, 'access-control-allow-origin')?.trim(),
        allowCredentials: header(got.res, 'access-control-allow-credentials'),
        allowMethods: header(got.res, 'access-control-allow-methods'),
        allowHeaders: header(got.res, 'access-control-allow-headers'),
      };
    };
    const kinds = ['preflight', 'actual'] as const;
    const allowed = await Promise.all(p.allowed_origins.flatMap((o) => kinds.map((k) => ask(o, k))));
    const foreign = await Promise.all(kinds.map((k) => ask(p.foreign_origin, k)));
    const isVerdict = (a: CorsAnswer | Verdict): a is Verdict => typeof a.status === 'string';
    // Identical failures (one unreachable server) are said once, naming the kind of request when only one kind failed.
    const asked = [...p.allowed_origins.flatMap(() => kinds), ...kinds];
    const byMessage = new Map<string, { verdict: Verdict; kinds: Set<string>; count: number }>();
    for (const [i, a] of [...allowed, ...foreign].entries()) {
      if (!isVerdict(a)) continue;
      const seen = byMessage.get(a.message) ?? { verdict: a, kinds: new Set<string>(), count: 0 };
      seen.kinds.add(asked[i]);
      seen.count++;
      byMessage.set(a.message, seen);
    }
    const unreachable = [...byMessage.values()].map(({ verdict, kinds: failedKinds, count }) =>
      failedKinds.size === 1
        ? { ...verdict, message: `${failedKinds.has('preflight') ? 'OPTIONS preflight' : 'GET'} request${count === 1 ? '' : 's'} got no answer: ${verdict.message}` }
        : verdict,
    );
    ctx.log.debug(`http.cors ${displayUrl(p.url)}: ${allowed.length + foreign.length} requests, ${unreachable.length} distinct failures`);
    const answered = (list: Array<CorsAnswer | Verdict>) => list.filter((a): a is CorsAnswer => !isVerdict(a));
    return evaluateCors({ allowed: answered(allowed), foreign: answered(foreign) }, p, unreachable);
  },
});
