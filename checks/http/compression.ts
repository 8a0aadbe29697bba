// http.compression: text responses (HTML, JS, CSS, JSON, SVG) are served compressed (br or gzip) when asked.
import { z } from 'zod';
import { combine, defineCheck, error, fail, warn, type Verdict } from '../../src/check.js';
import { intish, oneOrMany } from '../../src/params.js';
import { displayUrl, fetchEachInTurn, header, loadCa, plural, tlsParams, urlParam } from './_common.js';

export const params = z
  .object({
    urls: oneOrMany(urlParam()).describe('Text resources to test: a page, a JS bundle, a CSS file, a JSON endpoint.'),
    encodings: z.array(z.enum(['br', 'gzip', 'zstd', 'deflate'])).default(['br', 'gzip']).describe('Encodings that count as compressed.'),
    min_bytes: intish().pipe(z.number().int().min(0)).default(1024).describe('Responses smaller than this may stay uncompressed (servers skip tiny bodies).'),
    ...tlsParams,
  })
  .strict();
export type Params = z.output<typeof params>;

export interface CompressionFacts {
  url: string;
  status: number;
  contentType?: string;
  contentEncoding?: string;
  vary?: string;
  /** Bytes on the wire (compressed size when encoded). */
  bytes: number;
}

const TEXT = /^(text\/|application\/(javascript|json|xml|[a-z.+-]*\+json|[a-z.+-]*\+xml|manifest\+json|x-javascript|wasm)|image\/svg\+xml)/i;

/** Pure decision. `unreachable`: the requests that got no answer (could not check those URLs). */
export function evaluateCompression(all: CompressionFacts[], p: Params, unreachable: Verdict[] = []): Verdict {
  const parts: Verdict[] = [...unreachable];
  const rows = all.map((f) => {
    const enc = f.contentEncoding?.trim().toLowerCase();
    const text = TEXT.test(f.contentType ?? '');
    let verdict: 'compressed' | 'uncompressed' | 'small' | 'not-text' | 'not-ok' = 'compressed';
    if (f.status >= 400) verdict = 'not-ok';
    else if (!text) verdict = 'not-text';
    else if (!enc || enc === 'identity') verdict = f.bytes < p.min_bytes ? 'small' : 'uncompressed';
    else if (!p.encodings.includes(enc as never)) verdict = 'uncompressed';
    if (verdict === 'uncompressed') {
      parts.push(
        fail(
          `${displayUrl(f.url)} (${f.contentType?.split(';')[0]}, ${f.bytes} bytes) is served ${enc ? `with ${enc}` : 'uncompressed'}; expected ${p.encodings.join(' or ')}`,
          undefined,
          'Enable compression for text types at the edge (nginx: `gzip on; gzip_types text/css application/javascript application/json image/svg+xml;` or brotli; most CDNs: a toggle).',
        ),
      );
    } else if (verdict === 'not-ok') {
      parts.push(fail(`${displayUrl(f.url)} answered ${f.status}; cannot judge compression of an error page`));
    } else if (verdict === 'compressed' && !/accept-encoding|\*/i.test(f.vary ?? '')) {
      parts.push(warn(`${displayUrl(f.url)} is compressed but lacks Vary: Accept-Encoding (shared caches may serve it to clients that cannot decode it)`));
    }
    return { url: displayUrl(f.url), status: f.status, contentType: f.contentType ?? null, contentEncoding: f.contentEncoding ?? null, bytes: f.bytes, result: verdict };
  });
  const compressed = rows.filter((r) => r.result === 'compressed').length;
  return combine(parts, `${compressed} of ${plural(rows.length, 'text response')} compressed${rows.length > compressed ? ` (others small or not text)` : ''}`, {
    expected: { encodings: p.encodings, forTextTypesOver: p.min_bytes },
    actual: rows,
  });
}

export default defineCheck({
  meta: {
    type: 'http.compression',
    title: 'Text responses are compressed',
    failureTitle: 'Text responses are not compressed',
    description:
      'Uncompressed HTML, JavaScript, CSS and JSON are typically 3–5× larger, slowing every page load and costing bandwidth. Requests each URL with `Accept-Encoding: br, gzip` and reads Content-Encoding.',
    remediation: 'Turn on gzip and/or Brotli for text content types at the reverse proxy or CDN.',
    docs: 'docs/checks.md#http-compression',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const ca = await loadCa(p, ctx.baseDir);
    if (typeof ca === 'string') return error(ca);
    const facts: CompressionFacts[] = [];
    const { answered, unreachable } = await fetchEachInTurn(
      p.urls,
      { headers: { 'accept-encoding': p.encodings.join(', ') }, ca: ca.ca, insecure: p.insecure, followRedirects: true, maxBodyBytes: 4 * 1024 * 1024 },
      ctx,
    );
    for (const got of answered) {
      const url = got.url;
      const length = Number(header(got.res, 'content-length'));
      facts.push({
        url,
        status: got.res.status,
        contentType: header(got.res, 'content-type'),
        contentEncoding: header(got.res, 'content-encoding'),
        vary: header(got.res, 'vary'),
        bytes: got.res.truncated && Number.isFinite(length) ? length : got.res.bodyBytes,
      });
    }
    return evaluateCompression(facts, p, unreachable);
  },
});
