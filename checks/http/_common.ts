// Shared pieces of the web-edge http.* checks (redirect, headers, cors, cookies, compression, caching,
// protected, rate_limit) and html.meta. The leading underscore keeps the registry from treating this
// file as a check type.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { error, type Verdict } from '../../src/check.js';
import { boolish } from '../../src/params.js';
import { failureVerdict } from '../../src/net/failure.js';
import { HttpRequestError, displayUrl, httpRequest, type HttpRequestOptions, type HttpResponse } from '../../src/net/http.js';

export { displayUrl };

/** `url` parameter: an absolute http(s) URL. */
export const urlParam = (what = 'URL to request.') =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return ['http:', 'https:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, 'expected an absolute http:// or https:// URL')
    .describe(what);

/** TLS options shared by every http.* check of this family. */
export const tlsParams = {
  ca: z.string().min(1).optional().describe('PEM file with an extra trusted CA (private CA), relative to the profile.'),
  insecure: boolish().default(false).describe('Skip TLS certificate verification (for self-signed staging servers; tls.certificate checks the certificate).'),
};

export interface TlsParamValues {
  ca?: string;
  insecure: boolean;
}

export interface RequestContext {
  signal: AbortSignal;
  timeoutMs: number;
  baseDir: string;
}

/** Reads the CA file once; a string is an error message. */
export async function loadCa(p: TlsParamValues, baseDir: string): Promise<{ ca?: string } | string> {
  if (!p.ca) return {};
  try {
    const text = await readFile(resolve(baseDir, p.ca), 'utf8');
    if (!text.includes('-----BEGIN CERTIFICATE-----')) return `CA file ${p.ca} holds no PEM certificate`;
    return { ca: text };
  } catch (err) {
    return `cannot read CA file ${p.ca}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}

/**
 * Requests each URL in turn. A URL that gets no answer is a part that could not be checked (the answers of the
 * others are still judged); once one times out the check's time is spent, so the URLs not asked yet are named
 * as not checked either.
 */
export async function fetchEachInTurn(
  urls: readonly string[],
  options: Omit<HttpRequestOptions, 'timeoutMs' | 'signal'>,
  ctx: RequestContext,
): Promise<{ answered: { url: string; res: HttpResponse }[]; unreachable: Verdict[] }> {
  const answered: { url: string; res: HttpResponse }[] = [];
  const unreachable: Verdict[] = [];
  for (const [i, url] of urls.entries()) {
    const got = await fetchOrVerdict(url, options, ctx);
    if ('res' in got) {
      answered.push({ url, res: got.res });
      continue;
    }
    unreachable.push(got.verdict);
    if (got.err.kind === 'timeout' && i < urls.length - 1) {
      unreachable.push(error(`not requested (no time left): ${urls.slice(i + 1).map(displayUrl).join(', ')}`));
      break;
    }
  }
  return { answered, unreachable };
}

/** A request that never throws: either the response or an `error` verdict saying why it could not be made. */
export async function fetchOrVerdict(
  url: string,
  options: Omit<HttpRequestOptions, 'timeoutMs' | 'signal'>,
  ctx: RequestContext,
): Promise<{ res: HttpResponse } | { verdict: Verdict; err: HttpRequestError }> {
  // httpRequest enforces the deadline itself, also while undici misses the abort in a hung TLS handshake.
  try {
    return { res: await httpRequest(url, { ...options, timeoutMs: ctx.timeoutMs, signal: ctx.signal }) };
  } catch (err) {
    const e = err instanceof HttpRequestError ? err : new HttpRequestError(`request to ${displayUrl(url)} failed`, 'other');
    return { verdict: requestErrorVerdict(e, url), err: e };
  }
}

/**
 * The `error` verdict for a request that could not be made: the shared failure's wording and reachability
 * advice (the type's own remediation is about the headers, cookies... that were never seen, which would mislead).
 */
export function requestErrorVerdict(e: HttpRequestError, url: string): Verdict {
  if (e.failure) return { ...failureVerdict(e.failure), message: `${e.failure.message} (${displayUrl(url)})` };
  return error(`${e.message} (${displayUrl(url)})`);
}

/** Header value as one string; repeated headers joined with ", " (set-cookie excluded: use headerList). */
export function header(res: { headers: Record<string, string | string[] | undefined> }, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

export function headerList(res: { headers: Record<string, string | string[] | undefined> }, name: string): string[] {
  const v = res.headers[name.toLowerCase()];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** Parses `Cache-Control` / `Strict-Transport-Security`-style directive lists into lower-case keys. */
export function directives(value: string | undefined): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (const part of (value ?? '').split(/[;,]/)) {
    const m = /^\s*([A-Za-z0-9_-]+)\s*(?:=\s*"?([^"]*)"?)?\s*$/.exec(part);
    if (m) out.set(m[1].toLowerCase(), m[2] ?? true);
  }
  return out;
}
