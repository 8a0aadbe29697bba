// One small HTTP client for every http.* check (endpoint, redirect, headers, cors…), on undici.
//
//   const res = await httpRequest('https://api.example.com/health', { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
//   res.status; res.headers['content-type']; res.body; res.redirects; res.timing.totalMs
//
// - One deadline for the whole exchange (every redirect hop and the body): `timeoutMs` and `signal`.
//   A server that accepts the connection and never answers ends in an HttpRequestError of kind `timeout`.
// - TLS: `ca` (PEM text) is trusted in addition to Node's bundled roots; `insecure: true` turns
//   verification off (opt-in, for self-signed dev certificates).
// - Redirects are never followed by undici itself. With `followRedirects`, this module follows them
//   (at most `maxRedirects`, default 10) and records each hop in `redirects`; without it, the 3xx
//   response is returned as is. Credentials (Authorization, Cookie, Proxy-Authorization) are dropped
//   when a redirect leaves the origin, and 303 (or 301/302 after a POST) turns into a GET without body.
// - The body is read up to `maxBodyBytes` (default 1 MiB); the rest is discarded (`truncated: true`).
//   A gzip/deflate/br encoded body is decoded (no Accept-Encoding is sent unless the caller sets one).
// - Failures throw HttpRequestError: `kind` says what went wrong (refused, dns, timeout, tls…) and
//   `message` is one plain sentence naming the host, never a stack trace or a secret. Network and TLS
//   failures carry `failure`, the shared vocabulary of src/net/failure.ts (wording, reachability advice).
// - Timing: time to response headers and total time (per-phase DNS/connect/TLS timing is not measured:
//   connections are pooled and reused, so those phases often do not happen at all).
import { STATUS_CODES } from 'node:http';
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { createSecureContext, rootCertificates } from 'node:tls';
import type { Agent } from 'undici';
import { untilAborted } from '../abort.js';
import { formatDuration } from '../duration.js';
import { loadUndici } from '../sdk.js';
import { networkFailure, protocolFailure, timeoutFailure, type Failure, type FailureContext, type FailureKind } from './failure.js';

export interface HttpRequestOptions {
  /** Default GET. */
  method?: string;
  /** Request headers. Never echo them in verdicts: they may carry credentials. */
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Deadline for the whole exchange, redirects and body included. */
  timeoutMs: number;
  /** Aborts the exchange (check timeout, run deadline, Ctrl-C). */
  signal?: AbortSignal;
  /** PEM certificate(s) to trust besides Node's bundled roots (a private CA). */
  ca?: string | Buffer;
  /** Skip TLS certificate verification (opt-in only). */
  insecure?: boolean;
  /** Follow 3xx responses that carry a Location header. Default false. */
  followRedirects?: boolean;
  /** Maximum number of redirects followed. Default 10. */
  maxRedirects?: number;
  /** Bytes of body read at most. Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface RedirectHop {
  /** The URL that answered with a redirect (as requested: may hold secrets, see displayUrl). */
  url: string;
  status: number;
  /** The absolute URL it pointed to. */
  location: string;
}

export interface HttpResponse {
  /** The URL that gave this response (after redirects, when followed). */
  url: string;
  method: string;
  status: number;
  /** Standard reason phrase for the status, e.g. "Service Unavailable" ('' when unknown). */
  statusText: string;
  /** Response headers, names in lower case; repeated headers (set-cookie) are arrays. */
  headers: Record<string, string | string[]>;
  /** The body read so far, decoded as UTF-8 (up to maxBodyBytes). */
  body: string;
  /** Bytes read (at most maxBodyBytes). */
  bodyBytes: number;
  /** True when the body was longer than maxBodyBytes. */
  truncated: boolean;
  /** Each redirect followed, in order. */
  redirects: RedirectHop[];
  timing: {
    /** From sending the last request to its response headers (time to first byte). */
    headersMs: number;
    /** From the first request to the end of the last body, redirects included. */
    totalMs: number;
  };
}

export type HttpErrorKind =
  | 'timeout' // deadline reached (or the check's signal timed out)
  | 'aborted' // the signal was aborted for another reason (Ctrl-C, run deadline)
  | 'refused' // nothing listens on that port
  | 'dns' // the host name does not resolve
  | 'unreachable' // no route to the host / network down
  | 'tls' // certificate or handshake problem (see `tls`)
  | 'reset' // the server closed the connection before a complete response
  | 'redirects' // too many redirects, or a redirect to something that is not http(s)
  | 'invalid' // the request itself is malformed (bad URL, bad header)
  | 'other';

export type TlsProblem = 'expired' | 'not-yet-valid' | 'self-signed' | 'untrusted' | 'hostname' | 'handshake';

export class HttpRequestError extends Error {
  override name = 'HttpRequestError';
  constructor(
    message: string,
    readonly kind: HttpErrorKind,
    /** The underlying error code, e.g. ECONNREFUSED, CERT_HAS_EXPIRED. */
    readonly code?: string,
    /** For kind `tls`: which certificate problem. */
    readonly tls?: TlsProblem,
    /** Redirects followed before the failure. */
    readonly redirects: RedirectHop[] = [],
    /** The shared failure (src/net/failure.ts) for network and TLS failures: its wording and advice. */
    readonly failure?: Failure,
  ) {
    super(message);
  }
}

const DEFAULT_MAX_BODY = 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 10;
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

// Agents are pooled per TLS configuration so keep-alive connections are reused across checks.
const agents = new Map<string, Agent>();

function agentFor(undici: typeof import('undici'), ca: string | Buffer | undefined, insecure: boolean): Agent {
  const key = `${insecure ? 'insecure' : 'verify'}:${ca ? createHash('sha256').update(ca).digest('hex') : 'default'}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new undici.Agent({
      // Our own deadline governs; undici's connect timeout only bounds a connect nobody waits for any more.
      connect: {
        rejectUnauthorized: !insecure,
        // One secure context per agent: a `ca` list would make every connection re-parse ~150 roots (~50 ms).
        ...(ca ? { secureContext: createSecureContext({ ca: [...rootCertificates, ca.toString()] }) } : {}),
        timeout: 60_000,
      },
      keepAliveTimeout: 4_000,
    });
    agents.set(key, agent);
  }
  return agent;
}

/** Closes pooled connections (tests and the CLI's shutdown may call it; later requests reopen). */
export async function closeHttpAgents(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((a) => a.close().catch(() => undefined)));
}

/** Sends one request (following redirects when asked). Throws HttpRequestError on any failure. */
export async function httpRequest(url: string, options: HttpRequestOptions): Promise<HttpResponse> {
  const undici = await loadUndici(); // the first request imports undici: not part of the server's timing
  const started = performance.now();
  const timeoutMs = Math.max(1, options.timeoutMs);
  const deadline = new AbortController();
  // Fires with the check's own timeout; the runner gives the check a short grace to report what was being waited for.
  const timer = setTimeout(() => deadline.abort(new HttpRequestError(`timed out after ${formatDuration(timeoutMs)}`, 'timeout', 'ETIMEDOUT')), timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const agent = agentFor(undici, options.ca, options.insecure === true);
  const redirects: RedirectHop[] = [];

  let current: URL;
  try {
    current = new URL(url);
  } catch {
    clearTimeout(timer);
    throw new HttpRequestError(`invalid URL ${displayUrl(url)}`, 'invalid');
  }
  let method = (options.method ?? 'GET').toUpperCase();
  let headers = withUrlCredentials(current, { ...(options.headers ?? {}) });
  let body = options.body;
  let phase: 'headers' | 'body' = 'headers';

  try {
    for (;;) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        throw new HttpRequestError(`cannot request ${current.protocol} URL ${displayUrl(current.href)}`, 'invalid');
      }
      const target = stripUserinfo(current);
      const hopStart = performance.now();
      phase = 'headers';
      // undici can miss the abort while a TLS handshake hangs: race the request against the signal too
      // (the stray connection is then dropped by the agent's own connect timeout).
      const res = await untilAborted(
        undici.request(target, {
          method: method as 'GET',
          headers,
          body,
          signal,
          dispatcher: agent,
          headersTimeout: timeoutMs + 1000,
          bodyTimeout: timeoutMs + 1000,
        }),
        signal,
      );
      const headersMs = performance.now() - hopStart;
      const location = res.headers.location;
      const locationText = Array.isArray(location) ? location[0] : location;

      if (options.followRedirects && isRedirect(res.statusCode) && locationText) {
        await res.body.dump({ limit: 64 * 1024, signal }).catch(() => discard(res.body));
        let next: URL;
        try {
          next = new URL(locationText, current);
        } catch {
          throw new HttpRequestError(`redirect from ${displayUrl(current.href)} to an invalid Location`, 'redirects', undefined, undefined, redirects);
        }
        redirects.push({ url: current.href, status: res.statusCode, location: next.href });
        if (redirects.length > maxRedirects) {
          throw new HttpRequestError(`more than ${maxRedirects} redirects (last to ${displayUrl(next.href)})`, 'redirects', undefined, undefined, redirects);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new HttpRequestError(`redirect to a non-HTTP URL ${displayUrl(next.href)}`, 'redirects', undefined, undefined, redirects);
        }
        if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
          headers = dropHeaders(headers, ['content-type', 'content-length', 'content-encoding']);
        }
        if (next.origin !== current.origin) headers = dropHeaders(headers, CREDENTIAL_HEADERS);
        current = next;
        continue;
      }

      phase = 'body';
      const chunks: Buffer[] = [];
      let bytes = 0;
      let truncated = false;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        const room = maxBody - bytes;
        if (chunk.length > room) {
          // One byte more than the cap arrived: keep the cap's worth and stop reading.
          chunks.push(chunk.subarray(0, room));
          bytes += room;
          truncated = true;
          break;
        }
        chunks.push(chunk);
        bytes += chunk.length;
      }
      if (truncated || !res.body.readableEnded) discard(res.body);
      const decoded = decode(Buffer.concat(chunks), res.headers['content-encoding'], maxBody);
      return {
        url: current.href,
        method,
        status: res.statusCode,
        statusText: STATUS_CODES[res.statusCode] ?? '',
        headers: res.headers as Record<string, string | string[]>,
        body: decoded.text,
        bodyBytes: bytes,
        truncated: truncated || decoded.truncated,
        redirects,
        timing: { headersMs: round(headersMs), totalMs: round(performance.now() - started) },
      };
    }
  } catch (err) {
    throw classify(err, { url: current!, timeoutMs, deadline: deadline.signal, signal: options.signal, phase, redirects });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Undoes gzip/deflate/br content encoding (sent by some servers even unasked), tolerating a body cut at
 * the size cap; the decoded text is capped too. Unknown or broken encodings leave the bytes as they are.
 */
function decode(raw: Buffer, encoding: string | string[] | undefined, max: number): { text: string; truncated: boolean } {
  const enc = (Array.isArray(encoding) ? encoding.join(',') : encoding ?? '').trim().toLowerCase();
  const opts = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: max };
  const brOpts = { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH, maxOutputLength: max };
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return { text: zlib.gunzipSync(raw, opts).toString('utf8'), truncated: false };
    if (enc === 'deflate') return { text: zlib.inflateSync(raw, opts).toString('utf8'), truncated: false };
    if (enc === 'br') return { text: zlib.brotliDecompressSync(raw, brOpts).toString('utf8'), truncated: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { text: '', truncated: true };
  }
  return { text: raw.toString('utf8'), truncated: false };
}

/** Drops a body we will not read (the connection closes); its abort error must not go unhandled. */
function discard(body: { on(event: 'error', listener: () => void): unknown; destroy(): unknown }): void {
  body.on('error', () => undefined);
  body.destroy();
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function dropHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k.toLowerCase())));
}

/** `https://user:pass@host/` → a Basic Authorization header (unless one is given). */
function withUrlCredentials(url: URL, headers: Record<string, string>): Record<string, string> {
  if (!url.username && !url.password) return headers;
  if (Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) return headers;
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  return { ...headers, authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

function stripUserinfo(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

const SECRET_QUERY = /(token|secret|password|passwd|pwd|key|sig|signature|auth|credential|session|code)/i;

/**
 * A URL fit for messages and evidence: the password in userinfo and values of query parameters whose
 * names look secret (`token`, `api_key`, `sig`…) are replaced by `***`. Unparseable text is returned
 * with anything between `//` and `@` masked.
 */
export function displayUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, '//***@');
  }
  if (parsed.password) parsed.password = '***';
  for (const name of new Set(parsed.searchParams.keys())) {
    if (SECRET_QUERY.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.href;
}

/** `host:port` as a person would write it, for messages. */
export function hostPort(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

interface ClassifyContext {
  url: URL;
  timeoutMs: number;
  deadline: AbortSignal;
  signal?: AbortSignal;
  phase: 'headers' | 'body';
  redirects: RedirectHop[];
}

/**
 * Turns whatever undici / node:net / node:tls threw into an HttpRequestError. Network and TLS failures take the
 * shared vocabulary (src/net/failure.ts: one wording per kind, reachability advice); only HTTP's own cases
 * (bad URL or header, a response that is not HTTP, an interrupted run) are worded here.
 */
function classify(err: unknown, c: ClassifyContext): HttpRequestError {
  if (err instanceof HttpRequestError && err.kind !== 'timeout') {
    return err.redirects.length || !c.redirects.length ? err : new HttpRequestError(err.message, err.kind, err.code, err.tls, c.redirects, err.failure);
  }
  const where = hostPort(c.url);
  const fctx: FailureContext = { where, host: c.url.hostname, stage: c.phase === 'headers' ? 'response' : 'reading the response body', timeoutMs: c.timeoutMs };
  const fromFailure = (f: Failure) => new HttpRequestError(f.message, KIND_OF[f.kind] ?? 'other', f.code, undefined, c.redirects, f);

  // Our own deadline, or the caller's signal (a check timeout is a TimeoutError).
  const reason = c.signal?.reason as { name?: string } | undefined;
  if (c.deadline.aborted || (c.signal?.aborted && reason?.name === 'TimeoutError')) return fromFailure(timeoutFailure(fctx));
  if (c.signal?.aborted) return new HttpRequestError(`request to ${where} was aborted`, 'aborted', 'ABORT_ERR', undefined, c.redirects);

  const code = findCode(err);
  const shared = networkFailure(code ? { code } : err, fctx);
  if (shared) return fromFailure(shared);
  const message = (err as Error)?.message ?? String(err);
  const make = (text: string, kind: HttpErrorKind) => new HttpRequestError(text, kind, code, undefined, c.redirects);
  switch (code) {
    case 'ERR_INVALID_URL':
      return make(`invalid URL ${displayUrl(c.url.href)}`, 'invalid');
    case 'UND_ERR_INVALID_ARG':
    case 'ERR_INVALID_ARG_TYPE':
    case 'ERR_INVALID_CHAR':
    case 'ERR_INVALID_HTTP_TOKEN':
      return make(`invalid request: ${firstLine(message)}`, 'invalid');
  }
  if (/SSL|TLS/i.test(code ?? '') || /ssl|tls|certificate/i.test(message)) {
    // A TLS error without a code the shared vocabulary knows: still a handshake that failed.
    const f = protocolFailure({ ...fctx, stage: 'tls' }, code ?? 'TLS', `the TLS handshake with ${where} failed: ${opensslReason(message)}`);
    return fromFailure(f);
  }
  if (code?.startsWith('UND_ERR_RES') || code?.startsWith('HPE_')) {
    return fromFailure(protocolFailure(fctx, code, `invalid HTTP response from ${where}: ${firstLine(message)} (${code})`));
  }
  return make(`request to ${where} failed: ${firstLine(message)}${code ? ` (${code})` : ''}`, 'other');
}

/** The HttpRequestError kind callers branch on, for a shared failure kind. */
const KIND_OF: Partial<Record<FailureKind, HttpErrorKind>> = {
  dns: 'dns',
  refused: 'refused',
  reset: 'reset',
  unreachable: 'unreachable',
  timeout: 'timeout',
  'tls-untrusted': 'tls',
  'tls-hostname': 'tls',
  'tls-expired': 'tls',
  'tls-not-yet-valid': 'tls',
  'tls-handshake': 'tls',
  protocol: 'other',
};

/** `…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:file:line:` → `wrong version number`. */
function opensslReason(message: string): string {
  const parts = firstLine(message).split(':');
  const at = parts.indexOf('error');
  return at >= 0 && parts[at + 4] ? parts[at + 4] : firstLine(message);
}

function firstLine(text: string): string {
  return text.split('\n')[0].slice(0, 200);
}

/** The most specific error code along the `cause` chain (undici wraps node errors). */
function findCode(err: unknown): string | undefined {
  let codes: string[] = [];
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string') codes.push(e.code);
    e = e.cause as typeof e;
  }
  // Prefer a node/TLS code over undici's generic wrapper codes.
  codes = codes.filter(Boolean);
  return codes.find((c) => !c.startsWith('UND_ERR')) ?? codes[0];
}

/** A header value as one string (repeated headers joined with ", "), or undefined when absent. */
export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Request header names that carry credentials and must never be echoed. */
export const CREDENTIAL_HEADER_NAME = /^(authorization|proxy-authorization|cookie|set-cookie)$|api[-_]?key|token|secret|password|session|signature|credential|auth/i;
