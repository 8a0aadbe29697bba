// html.meta: a public page has the SEO basics (title, description, Open Graph, canonical), is not
// noindex in production, and optionally carries an analytics snippet.
import { z } from 'zod';
import { combine, defineCheck, error, fail, warn, type Verdict } from '../../src/check.js';
import { boolish } from '../../src/params.js';
import { displayUrl, fetchOrVerdict, header, loadCa, tlsParams, urlParam } from '../http/_common.js';

export const params = z
  .object({
    url: urlParam('Public page to inspect (redirects are followed).'),
    require: z
      .array(z.enum(['title', 'description', 'og:title', 'og:image', 'canonical']))
      .default(['title', 'description', 'og:title', 'og:image', 'canonical'])
      .describe('Tags that must be present and non-empty.'),
    allow_noindex: boolish().default(false).describe('Accept noindex (staging sites); production pages must be indexable.'),
    analytics: z
      .array(z.string().min(1))
      .default([])
      .describe('If set, at least one of these strings must appear in the HTML (e.g. googletagmanager.com, plausible.io, posthog).'),
    ...tlsParams,
  })
  .strict();
export type Params = z.output<typeof params>;

export interface PageMeta {
  title?: string;
  description?: string;
  ogTitle?: string;
  ogImage?: string;
  canonical?: string;
  /** From <meta name="robots"> and the X-Robots-Tag header. */
  robots: string[];
}

const decode = (s: string) =>
  s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/\s+/g, ' ').trim();

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? decode(m[1] ?? m[2] ?? m[3] ?? '') : undefined;
}

/** Extracts the SEO tags from HTML (regex-based: enough for <head> tags). */
export function parseMeta(html: string, robotsHeader?: string): PageMeta {
  const head = /<head\b[\s\S]*?<\/head>/i.exec(html)?.[0] ?? html;
  const meta: PageMeta = { robots: robotsHeader ? [robotsHeader.toLowerCase()] : [] };
  const title = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(head);
  if (title) meta.title = decode(title[1]);
  for (const [tag] of head.matchAll(/<meta\b[^>]*>/gi)) {
    const key = (attr(tag, 'name') ?? attr(tag, 'property'))?.toLowerCase();
    const content = attr(tag, 'content');
    if (content === undefined) continue;
    if (key === 'description') meta.description ??= content;
    else if (key === 'og:title') meta.ogTitle ??= content;
    else if (key === 'og:image') meta.ogImage ??= content;
    else if (key === 'robots' || key === 'googlebot') meta.robots.push(content.toLowerCase());
  }
  for (const [tag] of head.matchAll(/<link\b[^>]*>/gi)) {
    if (/\brel\s*=\s*["']?canonical/i.test(tag)) meta.canonical ??= attr(tag, 'href');
  }
  return meta;
}

/**
 * Pure decision. `truncated`: only the start of the page was read (`readBytes` of it); what was not found
 * there is then unknown rather than missing, unless the whole <head> was read.
 */
export function evaluateMeta(m: PageMeta, html: string, url: string, p: Params, truncated = false, readBytes?: number): Verdict {
  const parts: Verdict[] = [];
  const values: Record<string, string | undefined> = { title: m.title, description: m.description, 'og:title': m.ogTitle, 'og:image': m.ogImage, canonical: m.canonical };
  const missing = p.require.filter((k) => !values[k]);
  const cut = `only the first ${readBytes !== undefined ? `${Math.round(readBytes / 1024)} KB` : 'part'} of ${displayUrl(url)} was read`;
  const headRead = !truncated || /<\/head\s*>/i.test(html);
  if (missing.length && !headRead) {
    parts.push(error(`cannot tell whether ${displayUrl(url)} has ${missing.join(', ')}: ${cut} and its <head> does not end there`));
  } else if (missing.length) {
    parts.push(fail(`${displayUrl(url)} is missing ${missing.join(', ')}`, undefined, 'Add the tags to the page head (Next.js: export `metadata` with title, description, openGraph.images and alternates.canonical).'));
  }
  if (m.title && m.title.length > 70) parts.push(warn(`title is ${m.title.length} characters; search results cut it after about 60`));
  if (m.canonical) {
    try {
      new URL(m.canonical);
      if (/localhost|127\.0\.0\.1|staging|\.local\b/i.test(m.canonical)) parts.push(fail(`canonical link points to ${m.canonical}`, undefined, 'Point the canonical link at the production URL.'));
    } catch {
      parts.push(warn(`canonical link "${m.canonical}" is not an absolute URL`));
    }
  }
  const noindex = m.robots.some((r) => /\b(noindex|none)\b/.test(r));
  if (noindex && !p.allow_noindex) {
    parts.push(fail(`${displayUrl(url)} is marked noindex (${m.robots.join('; ')}): search engines will drop it`, undefined, 'Remove the noindex robots meta tag / X-Robots-Tag header in production (it is often left over from staging).'));
  }
  if (p.analytics.length && !p.analytics.some((needle) => html.includes(needle)) && truncated) {
    // The snippet often sits at the end of <body>: not in the part read is not "not on the page".
    parts.push(error(`cannot tell whether the page has an analytics snippet (${p.analytics.join(', ')}): ${cut}`));
  } else if (p.analytics.length && !p.analytics.some((needle) => html.includes(needle))) {
    parts.push(fail(`no analytics snippet found: none of ${p.analytics.join(', ')} appears in the page`, undefined, 'Add the analytics snippet to the production build (and check it is not gated on an env variable missing in production).'));
  }
  return combine(parts, `${displayUrl(url)} has ${p.require.join(', ')}${noindex ? '' : ' and is indexable'}`, {
    expected: { present: p.require, indexable: !p.allow_noindex, analytics: p.analytics },
    actual: { ...values, robots: m.robots },
  });
}

export default defineCheck({
  meta: {
    type: 'html.meta',
    title: 'Page has SEO meta tags and is indexable',
    failureTitle: 'Page lacks SEO meta tags or is not indexable',
    description:
      'A production page without title, description, Open Graph tags or a canonical link shows badly in search results and link previews; a noindex left over from staging removes the site from search entirely.',
    remediation: 'Add title, meta description, og:title, og:image and a canonical link; remove noindex in production.',
    docs: 'docs/checks.md#html-meta',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const ca = await loadCa(p, ctx.baseDir);
    if (typeof ca === 'string') return error(ca);
    const got = await fetchOrVerdict(p.url, { headers: { accept: 'text/html' }, ca: ca.ca, insecure: p.insecure, followRedirects: true, maxBodyBytes: 2 * 1024 * 1024 }, ctx);
    if ('verdict' in got) return got.verdict;
    if (got.res.status >= 400) return fail(`${displayUrl(got.res.url)} answered ${got.res.status}; expected the page`, { expected: 200, actual: got.res.status });
    const type = header(got.res, 'content-type') ?? '';
    if (!/html/i.test(type)) return fail(`${displayUrl(got.res.url)} is ${type || 'untyped'}, not HTML`, { expected: 'text/html', actual: type });
    return evaluateMeta(parseMeta(got.res.body, header(got.res, 'x-robots-tag')), got.res.body, got.res.url, p, got.res.truncated, got.res.bodyBytes);
  },
});
