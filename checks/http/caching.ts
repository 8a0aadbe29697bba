// http.caching: fingerprinted static assets carry a long max-age (ideally immutable); HTML is not cached
// publicly for long (or users and CDNs keep serving the previous deploy).
import { z } from 'zod';
import { combine, defineCheck, error, fail, warn, type Verdict } from '../../src/check.js';
import { formatDuration } from '../../src/duration.js';
import { duration, intish } from '../../src/params.js';
import { directives, displayUrl, fetchOrVerdict, header, loadCa, tlsParams, urlParam } from './_common.js';

export const params = z
  .object({
    page: urlParam('HTML page whose own caching is checked and whose linked scripts/styles are collected as assets.').optional(),
    assets: z.array(urlParam()).default([]).describe('Static asset URLs to check (in addition to those linked from page).'),
    asset_pattern: z
      .string()
      .default('/_next/static/|/static/|/assets/|/build/|[.-][0-9a-f]{8,}\\.(js|css|mjs|woff2?)(\\?|$)')
      .describe('Regular expression selecting which linked assets are fingerprinted (safe to cache forever).'),
    max_assets: intish().pipe(z.number().int().min(1).max(50)).default(8).describe('Check at most this many assets found on the page.'),
    min_asset_age: duration().default(30 * 86_400_000).describe('Smallest acceptable Cache-Control max-age for static assets (default 30d).'),
    max_html_age: duration().default(5 * 60_000).describe('Longest acceptable public/shared cache lifetime for HTML (default 5m).'),
    ...tlsParams,
  })
  .strict()
  .refine((v) => v.page || v.assets.length > 0, 'give `page`, `assets`, or both');
export type Params = z.output<typeof params>;

export interface CacheFacts {
  url: string;
  kind: 'html' | 'asset';
  status: number;
  cacheControl?: string;
  expires?: string;
}

/** Pure decision. `unreachable`: the requests that got no answer (could not check those URLs). */
export function evaluateCaching(all: CacheFacts[], p: Params, unreachable: Verdict[] = []): Verdict {
  const parts: Verdict[] = [...unreachable];
  const minAsset = p.min_asset_age / 1000;
  const maxHtml = p.max_html_age / 1000;
  for (const f of all) {
    const u = displayUrl(f.url);
    if (f.status >= 400) {
      parts.push(fail(`${u} answered ${f.status}`, undefined, 'Fix the asset URL or the page that links it.'));
      continue;
    }
    const d = directives(f.cacheControl);
    const maxAge = Number(d.get('max-age'));
    const sMaxAge = Number(d.get('s-maxage'));
    if (f.kind === 'asset') {
      if (d.has('no-store') || d.has('no-cache')) {
        parts.push(fail(`asset ${u} is sent with Cache-Control "${f.cacheControl}"; expected max-age ≥ ${minAsset} (${formatDuration(p.min_asset_age)})`, undefined, 'Serve fingerprinted assets with `Cache-Control: public, max-age=31536000, immutable`.'));
      } else if (!Number.isFinite(maxAge)) {
        parts.push(fail(`asset ${u} has no max-age (Cache-Control: ${f.cacheControl ?? 'missing'}); expected ≥ ${minAsset}`, undefined, 'Serve fingerprinted assets with `Cache-Control: public, max-age=31536000, immutable`.'));
      } else if (maxAge < minAsset) {
        parts.push(fail(`asset ${u} has max-age=${maxAge} (${formatDuration(maxAge * 1000)}), below the ${formatDuration(p.min_asset_age)} minimum`, undefined, 'Serve fingerprinted assets with `Cache-Control: public, max-age=31536000, immutable`.'));
      }
    } else {
      const shared = !d.has('private') && !d.has('no-store') && (d.has('public') || Number.isFinite(sMaxAge) || Number.isFinite(maxAge));
      const life = Number.isFinite(sMaxAge) ? sMaxAge : maxAge;
      if (shared && !d.has('no-cache') && Number.isFinite(life) && life > maxHtml) {
        parts.push(
          fail(
            `HTML ${u} may be cached for ${formatDuration(life * 1000)} (Cache-Control: ${f.cacheControl}); expected at most ${formatDuration(p.max_html_age)}`,
            undefined,
            'Send HTML with `Cache-Control: no-cache` (or a short max-age) so a deploy reaches users at once; cache the fingerprinted assets instead.',
          ),
        );
      } else if (d.has('immutable')) {
        parts.push(warn(`HTML ${u} is marked immutable; browsers will not revalidate it`));
      }
    }
  }
  const assets = all.filter((f) => f.kind === 'asset').length;
  const evidence = {
    expected: { assetMaxAgeAtLeast: minAsset, htmlSharedMaxAgeAtMost: maxHtml },
    actual: all.map((f) => ({ url: displayUrl(f.url), kind: f.kind, status: f.status, cacheControl: f.cacheControl ?? null })),
  };
  if (assets === 0 && p.page && !p.assets.length && all.some((f) => f.kind === 'html')) parts.push(warn(`no linked assets matching /${p.asset_pattern}/ found on ${displayUrl(p.page)}`));
  return combine(parts, `${assets} static asset(s) cached ≥ ${formatDuration(p.min_asset_age)}${all.some((f) => f.kind === 'html') ? '; HTML not cached publicly for long' : ''}`, evidence);
}

/** Script and stylesheet URLs linked from an HTML page, absolute, same order, unique. */
export function linkedAssets(html: string, base: string, pattern: RegExp): string[] {
  const found: string[] = [];
  const re = /<(script|link)\b[^>]*>/gi;
  for (const [tag, name] of html.matchAll(re)) {
    const attr = name.toLowerCase() === 'script' ? 'src' : 'href';
    if (name.toLowerCase() === 'link' && !/rel\s*=\s*["']?(stylesheet|preload|modulepreload)/i.test(tag)) continue;
    const m = new RegExp(`\\b${attr}\\s*=\\s*(?:"([^"]+)"|'([^']+)'|([^\\s>]+))`, 'i').exec(tag);
    const value = m?.[1] ?? m?.[2] ?? m?.[3];
    if (!value) continue;
    try {
      const abs = new URL(value, base);
      if (abs.origin === new URL(base).origin && pattern.test(abs.pathname + abs.search) && !found.includes(abs.href)) found.push(abs.href);
    } catch {
      /* not a URL */
    }
  }
  return found;
}

export default defineCheck({
  meta: {
    type: 'http.caching',
    title: 'Static assets are cached long, HTML is not',
    failureTitle: 'Caching headers are wrong',
    description:
      'Fingerprinted assets (e.g. /_next/static/…) never change, so they should be cached for a long time; HTML changes on every deploy, so a long shared cache keeps users on the old version. Reads Cache-Control of the page and its linked scripts/styles.',
    remediation: 'Assets: `Cache-Control: public, max-age=31536000, immutable`. HTML: `Cache-Control: no-cache` or a max-age of a few minutes.',
    docs: 'docs/checks.md#http-caching',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    let pattern: RegExp;
    try {
      pattern = new RegExp(p.asset_pattern, 'i');
    } catch {
      return error(`asset_pattern is not a valid regular expression: ${p.asset_pattern}`);
    }
    const ca = await loadCa(p, ctx.baseDir);
    if (typeof ca === 'string') return error(ca);
    const opts = { ca: ca.ca, insecure: p.insecure, followRedirects: true };
    const facts: CacheFacts[] = [];
    // A URL that gets no answer is a part that could not be checked: the others are still judged.
    const unreachable: Verdict[] = [];
    const assets = [...p.assets];
    if (p.page) {
      const got = await fetchOrVerdict(p.page, { ...opts, headers: { accept: 'text/html' } }, ctx);
      if ('verdict' in got) unreachable.push(got.verdict);
      else {
        facts.push({ url: got.res.url, kind: 'html', status: got.res.status, cacheControl: header(got.res, 'cache-control') });
        for (const a of linkedAssets(got.res.body, got.res.url, pattern).slice(0, p.max_assets)) if (!assets.includes(a)) assets.push(a);
      }
    }
    const results = await Promise.all(assets.map((url) => fetchOrVerdict(url, { ...opts, maxBodyBytes: 0 }, ctx)));
    for (const [i, got] of results.entries()) {
      if ('verdict' in got) unreachable.push(got.verdict);
      else facts.push({ url: assets[i], kind: 'asset', status: got.res.status, cacheControl: header(got.res, 'cache-control') });
    }
    ctx.log.debug(`http.caching: ${facts.length} response(s) checked, ${unreachable.length} unreachable`);
    return evaluateCaching(facts, p, unreachable);
  },
});
