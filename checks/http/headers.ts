// http.headers: security headers of one response (HSTS, framing, nosniff, X-XSS-Protection, CSP,
// Referrer-Policy, Permissions-Policy, COOP/CORP), custom require/forbid/match rules, version leaks,
// and an MDN-Observatory-style score in the evidence.
import { z } from 'zod';
import { combine, defineCheck, error, fail, warn, type Verdict } from '../../src/check.js';
import { boolish, intish } from '../../src/params.js';
import { directives, displayUrl, fetchOrVerdict, loadCa, tlsParams, urlParam } from './_common.js';

export const params = z
  .object({
    url: urlParam('Page or API URL whose response headers are checked (redirects are followed).'),
    preset: z
      .enum(['baseline', 'strict', 'none'])
      .default('baseline')
      .describe('`baseline`: HSTS, framing, nosniff, X-XSS-Protection; `strict` adds CSP quality, Referrer-Policy, Permissions-Policy, COOP/CORP; `none`: custom rules only.'),
    hsts_min_age: intish().pipe(z.number().int().min(0)).default(15552000).describe('Smallest acceptable HSTS max-age in seconds (six months).'),
    hsts_include_subdomains: boolish().default(false).describe('Require includeSubDomains in HSTS.'),
    hsts_preload: boolish().default(false).describe('Require preload in HSTS.'),
    require: z.array(z.string().min(1)).default([]).describe('Header names that must be present.'),
    forbid: z.array(z.string().min(1)).default([]).describe('Header names that must be absent.'),
    match: z.record(z.string().min(1), z.string()).default({}).describe('Header name → regular expression its value must match.'),
    allow_version_leak: boolish().default(false).describe('Do not warn about Server / X-Powered-By headers that reveal software versions.'),
    ...tlsParams,
  })
  .strict();
export type Params = z.output<typeof params>;

export type Headers = Record<string, string | undefined>;

const GOOD_REFERRER = ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'];
const BAD_REFERRER = ['unsafe-url', 'origin', 'origin-when-cross-origin', 'no-referrer-when-downgrade'];

/** CSP directives: name → source list (first policy wins for repeated directives). */
export function parseCsp(value: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (value ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name && !out.has(name.toLowerCase())) out.set(name.toLowerCase(), sources.map((s) => s.toLowerCase()));
  }
  return out;
}

interface Finding {
  verdict: Verdict;
  /** Observatory-style points taken off (evidence only). */
  penalty: number;
}

const grade = (score: number) =>
  score >= 100 ? 'A+' : score >= 90 ? 'A' : score >= 85 ? 'A-' : score >= 80 ? 'B+' : score >= 70 ? 'B' : score >= 65 ? 'B-' : score >= 60 ? 'C+' : score >= 50 ? 'C' : score >= 45 ? 'C-' : score >= 40 ? 'D+' : score >= 30 ? 'D' : score >= 25 ? 'D-' : 'F';

/** Pure decision: response headers (lower-case names) and whether it was HTTPS, to a verdict. */
export function evaluateHeaders(h: Headers, https: boolean, p: Params): Verdict {
  const findings: Finding[] = [];
  const add = (verdict: Verdict, penalty = 0) => findings.push({ verdict, penalty });
  const csp = parseCsp(h['content-security-policy']);

  if (p.preset !== 'none') {
    // HSTS — only meaningful on HTTPS.
    const hsts = h['strict-transport-security'];
    if (!https) {
      add(warn('HSTS not checked: the final URL is http:// (HSTS only counts on HTTPS responses)'), 20);
    } else if (!hsts) {
      add(fail(`Strict-Transport-Security is missing; expected max-age ≥ ${p.hsts_min_age}`, undefined, `Send \`Strict-Transport-Security: max-age=63072000; includeSubDomains\` on every HTTPS response.`), 20);
    } else {
      const d = directives(hsts);
      const age = Number(d.get('max-age'));
      if (!Number.isFinite(age)) add(fail(`Strict-Transport-Security "${hsts}" has no valid max-age`), 20);
      else if (age < p.hsts_min_age) add(fail(`HSTS max-age is ${age}, below the required ${p.hsts_min_age} (six months)`, undefined, 'Raise HSTS max-age to at least 15552000 (63072000 recommended).'), 10);
      if (p.hsts_include_subdomains && !d.has('includesubdomains')) add(fail('HSTS lacks includeSubDomains'), 0);
      if (p.hsts_preload && !d.has('preload')) add(fail('HSTS lacks preload'), 0);
    }
    // Framing.
    const xfo = h['x-frame-options']?.trim().toUpperCase();
    if (!csp.has('frame-ancestors')) {
      if (!xfo) add(fail('neither X-Frame-Options nor CSP frame-ancestors is set: pages can be framed (clickjacking)', undefined, "Send `X-Frame-Options: DENY` (or SAMEORIGIN), or CSP `frame-ancestors 'none'`."), 20);
      else if (xfo !== 'DENY' && xfo !== 'SAMEORIGIN') add(fail(`X-Frame-Options is "${h['x-frame-options']}"; expected DENY or SAMEORIGIN`), 20);
    }
    // nosniff.
    const xcto = h['x-content-type-options'];
    if (xcto?.trim().toLowerCase() !== 'nosniff') {
      add(fail(xcto ? `X-Content-Type-Options is "${xcto}"; expected exactly nosniff` : 'X-Content-Type-Options is missing; expected nosniff', undefined, 'Send `X-Content-Type-Options: nosniff`.'), 5);
    }
    // X-XSS-Protection is deprecated: absent or 0 is right; 1 only warns.
    const xxp = h['x-xss-protection']?.trim();
    if (xxp && xxp !== '0') add(warn(`X-XSS-Protection is "${xxp}"; it is deprecated and can introduce leaks — send 0 (or drop it) and rely on CSP`));
    // Version leaks.
    if (!p.allow_version_leak) {
      const server = h['server'];
      if (server && /\d/.test(server)) add(warn(`Server header reveals a version: "${server}"`, ));
      if (h['x-powered-by']) add(warn(`X-Powered-By reveals the stack: "${h['x-powered-by']}"`));
      if (h['x-aspnet-version']) add(warn(`X-AspNet-Version reveals a version: "${h['x-aspnet-version']}"`));
    }
  }

  if (p.preset === 'strict') {
    if (!h['content-security-policy']) {
      add(fail('Content-Security-Policy is missing', undefined, "Add a CSP such as `default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'` and tighten script-src."), 25);
    } else {
      const scripts = csp.get('script-src') ?? csp.get('default-src');
      const nonceOrHash = scripts?.some((s) => /^'(nonce-|sha256-|sha384-|sha512-)/.test(s)) ?? false;
      if (!scripts) add(fail("CSP has neither script-src nor default-src: any script may run"), 20);
      else if (scripts.includes("'unsafe-inline'") && !nonceOrHash) add(fail("CSP allows 'unsafe-inline' scripts"), 20);
      if ([...csp.values()].some((s) => s.includes("'unsafe-eval'"))) add(fail("CSP allows 'unsafe-eval'"), 10);
      const objects = csp.get('object-src') ?? csp.get('default-src');
      if (!objects || !(objects.length === 1 && objects[0] === "'none'")) add(fail("CSP lacks object-src 'none'"), 5);
      if (!csp.has('base-uri')) add(fail('CSP lacks base-uri'), 0);
    }
    const rp = h['referrer-policy']?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).pop();
    if (!rp) add(fail('Referrer-Policy is missing; expected strict-origin-when-cross-origin or stricter'), 0);
    else if (BAD_REFERRER.includes(rp)) add(fail(`Referrer-Policy "${rp}" leaks URLs to other sites; expected one of ${GOOD_REFERRER.join(', ')}`), 5);
    else if (!GOOD_REFERRER.includes(rp)) add(fail(`Referrer-Policy "${rp}" is not a recognised value`), 5);
    if (!h['permissions-policy']) add(warn('Permissions-Policy is missing (restrict camera, microphone, geolocation…)'));
    const coop = h['cross-origin-opener-policy']?.trim().toLowerCase();
    if (!coop || !['same-origin', 'same-origin-allow-popups', 'noopener-allow-popups'].includes(coop)) add(warn(`Cross-Origin-Opener-Policy is ${coop ? `"${coop}"` : 'missing'}; expected same-origin`));
    if (!h['cross-origin-resource-policy']) add(warn('Cross-Origin-Resource-Policy is missing; expected same-origin or same-site'));
  }

  for (const name of p.require) if (h[name.toLowerCase()] === undefined) add(fail(`required header ${name} is missing`));
  for (const name of p.forbid) if (h[name.toLowerCase()] !== undefined) add(fail(`forbidden header ${name} is present: "${h[name.toLowerCase()]}"`));
  for (const [name, pattern] of Object.entries(p.match)) {
    const value = h[name.toLowerCase()];
    let re: RegExp;
    try {
      re = new RegExp(pattern);
    } catch {
      // Only this rule cannot be judged: the other findings still stand.
      add(error(`match rule for ${name} is not a valid regular expression: ${pattern}`));
      continue;
    }
    if (value === undefined) add(fail(`header ${name} is missing; expected it to match /${pattern}/`));
    else if (!re.test(value)) add(fail(`header ${name} is "${value}"; expected it to match /${pattern}/`));
  }

  const score = Math.max(0, 100 - findings.reduce((s, f) => s + f.penalty, 0));
  const interesting = [
    'strict-transport-security', 'content-security-policy', 'x-frame-options', 'x-content-type-options', 'x-xss-protection',
    'referrer-policy', 'permissions-policy', 'cross-origin-opener-policy', 'cross-origin-resource-policy', 'server', 'x-powered-by',
    ...p.require.map((n) => n.toLowerCase()), ...Object.keys(p.match).map((n) => n.toLowerCase()),
  ];
  const evidence = {
    expected: { preset: p.preset, hstsMinAge: p.hsts_min_age, require: p.require, forbid: p.forbid, match: p.match },
    actual: Object.fromEntries(interesting.filter((n) => h[n] !== undefined).map((n) => [n, h[n]])),
    details: { score, grade: grade(score), scoring: 'MDN-Observatory-style estimate (header penalties only)' },
  };
  const ok = p.preset === 'none' ? 'all header rules hold' : `security headers meet the ${p.preset} preset (grade ${grade(score)})`;
  return combine(findings.map((f) => f.verdict), ok, evidence);
}

export default defineCheck({
  meta: {
    type: 'http.headers',
    title: 'Security headers are set',
    failureTitle: 'Security headers are missing or weak',
    description:
      'Security headers let browsers enforce HTTPS (HSTS), block clickjacking (X-Frame-Options / frame-ancestors), MIME sniffing (nosniff) and injected scripts (CSP). X-XSS-Protection is deprecated: absent or 0 passes, 1 only warns. Server / X-Powered-By version banners help attackers pick exploits.',
    remediation:
      'Set the headers at the edge (reverse proxy or CDN) for every response: HSTS with max-age ≥ 15552000, X-Frame-Options DENY, X-Content-Type-Options nosniff, a CSP without unsafe-inline/unsafe-eval, and hide version banners.',
    docs: 'docs/checks.md#http-headers',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const ca = await loadCa(p, ctx.baseDir);
    if (typeof ca === 'string') return error(ca);
    const got = await fetchOrVerdict(p.url, { ca: ca.ca, insecure: p.insecure, followRedirects: true, maxBodyBytes: 0 }, ctx);
    if ('verdict' in got) return got.verdict;
    const headers: Headers = {};
    for (const [k, v] of Object.entries(got.res.headers)) if (k !== 'set-cookie') headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    ctx.log.debug(`http.headers ${displayUrl(got.res.url)} → ${got.res.status}`);
    const verdict = evaluateHeaders(headers, new URL(got.res.url).protocol === 'https:', p);
    if (verdict.evidence) verdict.evidence.details = { ...verdict.evidence.details, url: displayUrl(got.res.url), status: got.res.status };
    return verdict;
  },
});
