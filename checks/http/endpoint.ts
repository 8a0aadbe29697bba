// http.endpoint: one HTTP(S) request, then expectations on status, body, JSON, headers and response time.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { combine, defineCheck, error, fail, pass, warn, type Evidence, type Verdict } from '../../src/check.js';
import { formatDuration } from '../../src/duration.js';
import { boolish, duration, intish, oneOrMany, statusExpectation } from '../../src/params.js';
import {
  CREDENTIAL_HEADER_NAME,
  HttpRequestError,
  displayUrl,
  headerValue,
  httpRequest,
  type HttpResponse,
  type RedirectHop,
} from '../../src/net/http.js';
import { failureVerdict, type Failure } from '../../src/net/failure.js';

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];
const EXCERPT_CHARS = 500;
const SHORT_EXCERPT_CHARS = 120;
const HEADERS_OF_INTEREST = ['content-type', 'content-length', 'location', 'server', 'cache-control', 'retry-after', 'www-authenticate'];

// ---------------------------------------------------------------------------------------------
// Parameter parsing helpers (exported for tests and for other http.* checks).

export interface StatusSpec {
  /** As the user wrote it, for messages: `2xx`, `200, 204`, `200-299`. */
  label: string;
  test(code: number): boolean;
}

/** Parses `200`, `"200"`, `"200-299"`, `"2xx"`, `[200, 204]`, `"200,204"`; a string error when malformed. */
export function parseStatusSpec(value: number | string | Array<number | string>): StatusSpec | string {
  const list: Array<number | string> = Array.isArray(value) ? value : [value];
  const items = list.flatMap((v): Array<number | string> => (typeof v === 'string' ? v.split(',') : [v]));
  const tests: Array<(code: number) => boolean> = [];
  const labels: string[] = [];
  for (const raw of items) {
    const text = String(raw).trim();
    let m: RegExpExecArray | null;
    if ((m = /^([1-5])xx$/i.exec(text))) {
      const hundred = Number(m[1]) * 100;
      tests.push((c) => c >= hundred && c < hundred + 100);
      labels.push(`${m[1]}xx`);
    } else if ((m = /^(\d{3})\s*-\s*(\d{3})$/.exec(text))) {
      const [lo, hi] = [Number(m[1]), Number(m[2])];
      if (lo < 100 || hi > 599 || lo > hi) return `invalid status range ${JSON.stringify(text)}`;
      tests.push((c) => c >= lo && c <= hi);
      labels.push(`${lo}-${hi}`);
    } else if (/^\d{3}$/.test(text) && Number(text) >= 100 && Number(text) <= 599) {
      const code = Number(text);
      tests.push((c) => c === code);
      labels.push(String(code));
    } else {
      return `invalid status ${JSON.stringify(raw)}: expected a code (200), a list ([200, 204]) or a range ("200-299", "2xx")`;
    }
  }
  if (tests.length === 0) return 'status needs at least one code';
  return { label: labels.join(', '), test: (code) => tests.some((t) => t(code)) };
}

export interface TextMatcher {
  /** `"ready"` or `/^ok$/i`, for messages. */
  label: string;
  test(text: string): boolean;
}

/** `/…/flags` is a regular expression; anything else is a plain substring. */
export function parseTextMatcher(value: string, alwaysRegex = false): TextMatcher | string {
  const m = /^\/(.*)\/([dgimsuvy]*)$/s.exec(value);
  if (m || alwaysRegex) {
    const [source, flags] = m ? [m[1], m[2].replace(/[gy]/g, '')] : [value, ''];
    try {
      const re = new RegExp(source, flags);
      return { label: `/${source}/${flags}`, test: (t) => re.test(t) };
    } catch (err) {
      return `invalid regular expression ${JSON.stringify(value)}: ${(err as Error).message}`;
    }
  }
  return { label: JSON.stringify(value), test: (t) => t.includes(value) };
}

const textMatcher = (alwaysRegex = false) =>
  z.string().transform((v, ctx) => {
    const m = parseTextMatcher(v, alwaysRegex);
    if (typeof m === 'string') {
      ctx.addIssue({ code: 'custom', message: m });
      return z.NEVER;
    }
    return m;
  });

/** One text matcher or a list of them (each reported with its own error). */
const textMatchers = () =>
  z.union([z.string(), z.array(z.string())]).transform((v, ctx) => {
    const out: TextMatcher[] = [];
    for (const [i, text] of (Array.isArray(v) ? v : [v]).entries()) {
      const m = parseTextMatcher(text);
      if (typeof m === 'string') ctx.addIssue({ code: 'custom', message: m, path: Array.isArray(v) ? [i] : [] });
      else out.push(m);
    }
    return out;
  });

/** Value at a dotted path (`checks.db`, `items.0.id`, `items[0].id`, leading `$.` allowed). */
export function jsonPath(doc: unknown, path: string): { found: boolean; value?: unknown } {
  const parts = path
    .replace(/^\$\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((p) => p !== '');
  let cur: unknown = doc;
  for (const part of parts) {
    if (Array.isArray(cur) && /^\d+$/.test(part) && Number(part) < cur.length) cur = cur[Number(part)];
    else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, part)) cur = (cur as Record<string, unknown>)[part];
    else return { found: false };
  }
  return { found: true, value: cur };
}

/**
 * Does a JSON value equal the expected one? Deep equality, plus: a string expected value also matches a
 * number/boolean with the same text (values from `${ENV}` arrive as strings), and a `/…/flags` string is
 * a regular expression tested against the value's text.
 */
export function jsonValueMatches(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'string') {
    const re = /^\/(.+)\/([imsu]*)$/s.exec(expected);
    if (re && actual !== null && typeof actual !== 'object') {
      try {
        return new RegExp(re[1], re[2]).test(String(actual));
      } catch {
        /* not a valid regex: compare as text */
      }
    }
    if (typeof actual === 'number' || typeof actual === 'boolean') return String(actual) === expected;
  }
  return deepEqual(actual, expected);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

// ---------------------------------------------------------------------------------------------
// Parameters

const params = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).describe('URL to request (http or https).'),
    method: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Za-z]+$/, 'expected an HTTP method such as GET')
      .default('GET')
      .describe('HTTP method. GET, HEAD and OPTIONS are read-only; any other method needs allow_unsafe_method: true.'),
    allow_unsafe_method: boolish()
      .default(false)
      .describe('Opt-in to send a method that may change data (POST, PUT, PATCH, DELETE…).'),
    headers: z.record(z.string(), z.string()).default({}).describe('Request headers. Their values are never shown in results.'),
    body: z
      .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
      .optional()
      .describe('Request body (needs a method other than GET/HEAD, hence allow_unsafe_method). An object is sent as JSON.'),
    status: statusExpectation()
      .default('2xx')
      .transform((v, ctx) => {
        const spec = parseStatusSpec(v);
        if (typeof spec === 'string') {
          ctx.addIssue({ code: 'custom', message: spec });
          return z.NEVER;
        }
        return spec;
      })
      .describe('Expected status: a code (200), a list ([200, 204]) or a range ("200-299", "2xx"). Default 2xx.'),
    body_contains: textMatchers().optional().describe('Text (or /regex/flags) the body must contain; one or a list.'),
    body_not_contains: textMatchers().optional().describe('Text (or /regex/flags) the body must not contain; one or a list.'),
    json: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Dotted JSON paths and the values they must equal, e.g. { "status": "ok", "checks.db": "up" }.'),
    json_exists: oneOrMany(z.string().min(1)).optional().describe('Dotted JSON paths that must exist in the body.'),
    header_equals: z.record(z.string(), z.string()).optional().describe('Response headers and their exact expected values (names case-insensitive).'),
    header_matches: z
      .record(z.string(), textMatcher(true))
      .optional()
      .describe('Response headers and regular expressions their values must match.'),
    max_response_time: duration().optional().describe('Fail when the response (redirects and body included) takes longer, e.g. 500ms.'),
    warn_response_time: duration().optional().describe('Warn when the response takes longer than this (below max_response_time).'),
    follow_redirects: boolish().default(false).describe('Follow redirects (the chain is shown in the evidence). Default false: a 3xx is the response.'),
    max_redirects: intish().pipe(z.number().int().min(1).max(10)).default(10).describe('Redirects followed at most (1-10). Default 10.'),
    ca: z.string().min(1).optional().describe('PEM file of a CA to trust besides the system roots (path relative to the profile).'),
    insecure: boolish().default(false).describe('Do not verify the TLS certificate (self-signed dev certificates only). The result says so.'),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (!SAFE_METHODS.includes(p.method) && !p.allow_unsafe_method) {
      ctx.addIssue({
        code: 'custom',
        path: ['method'],
        message: `method ${p.method} may change data on the server: set allow_unsafe_method: true to send it`,
      });
    }
    if (p.body !== undefined && (p.method === 'GET' || p.method === 'HEAD')) {
      ctx.addIssue({ code: 'custom', path: ['body'], message: `a body cannot be sent with ${p.method}: use a method such as POST (with allow_unsafe_method: true)` });
    }
    if (p.max_response_time !== undefined && p.warn_response_time !== undefined && p.warn_response_time >= p.max_response_time) {
      ctx.addIssue({ code: 'custom', path: ['warn_response_time'], message: 'warn_response_time must be below max_response_time' });
    }
  });

export type EndpointParams = z.output<typeof params>;

// ---------------------------------------------------------------------------------------------
// Decision (pure)

/** What run() found: a response, or the reason there was none. */
export interface EndpointFacts {
  method: string;
  /** The requested URL, already safe to show (displayUrl). */
  url: string;
  insecure: boolean;
  /** Request headers as sent, credential values already replaced by `***`. */
  requestHeaders?: Record<string, string>;
  response?: Pick<HttpResponse, 'status' | 'statusText' | 'headers' | 'body' | 'bodyBytes' | 'truncated' | 'redirects' | 'timing'> & {
    /** The final URL, safe to show. */
    url: string;
  };
  /** Why no response came: the shared failure (src/net/failure.ts) when it was a network or TLS failure. */
  failure?: { message: string; shared?: Failure; redirects: RedirectHop[] };
}

/** One line of text, at most `max` characters. */
export function excerpt(text: string, max: number): string {
  // Flatten only what can be shown: bodies may be up to 1 MiB.
  const window = max * 4 + 64;
  const flat = text.slice(0, window).replace(/\s+/g, ' ').trim();
  return flat.length > max || text.length > window ? `${flat.slice(0, max)}…` : flat;
}

const show = (v: unknown) => JSON.stringify(v) ?? 'undefined';

export function evaluateEndpoint(facts: EndpointFacts, p: EndpointParams): Verdict {
  const insecureNote = facts.insecure ? ' (TLS verification disabled: insecure: true)' : '';
  const chain = (hops: RedirectHop[]) => hops.map((h) => `${h.status} ${displayUrl(h.url)} → ${displayUrl(h.location)}`);

  if (!facts.response) {
    const f: NonNullable<EndpointFacts['failure']> = facts.failure ?? { message: 'no response', redirects: [] };
    const evidence: Evidence = {
      expected: { status: p.status.label },
      actual: { error: f.message },
      details: { method: facts.method, url: facts.url, ...requestHeaderDetails(facts), ...(f.redirects.length ? { redirects: chain(f.redirects) } : {}), ...(facts.insecure ? { insecure: true } : {}) },
    };
    // No answer to judge (a certificate problem included: tls.certificate judges certificates): the one rule of
    // the shared vocabulary, with its reachability advice.
    if (f.shared) {
      const v = failureVerdict(f.shared);
      return { ...v, message: `${f.message}${insecureNote}`, evidence: { ...evidence, details: { ...evidence.details, ...v.evidence?.details } } };
    }
    return error(`${f.message}${insecureNote}`, evidence);
  }

  const r = facts.response;
  const statusLine = `${r.status}${r.statusText ? ` ${r.statusText}` : ''}`;
  const parts: Verdict[] = [];
  let parsedJson: { ok: true; value: unknown } | { ok: false; error: string } | undefined;
  const getJson = () => {
    if (!parsedJson) {
      try {
        parsedJson = { ok: true, value: JSON.parse(r.body) };
      } catch {
        const type = headerValue(r.headers, 'content-type');
        parsedJson = { ok: false, error: `body is not JSON${type ? ` (content-type ${type})` : ''}${r.truncated ? ' or was cut at the size limit' : ''}: ${show(excerpt(r.body, SHORT_EXCERPT_CHARS))}` };
      }
    }
    return parsedJson;
  };

  // Status
  if (!p.status.test(r.status)) {
    const location = headerValue(r.headers, 'location');
    const redirectNote =
      location && r.status >= 300 && r.status < 400 ? ` to ${displayUrl(location)}${p.follow_redirects ? '' : ' (follow_redirects is off)'}` : '';
    const body = r.body.trim() ? `; body: ${show(excerpt(r.body, SHORT_EXCERPT_CHARS))}` : '';
    parts.push(fail(`status ${statusLine}${redirectNote}, expected ${p.status.label}${body}`));
  }

  // Body. When only its start was read, what is not in that part is unknown, not absent.
  const cut = `only the first ${r.bodyBytes} bytes of the body were read`;
  for (const m of p.body_contains ?? []) {
    if (!m.test(r.body)) parts.push(r.truncated ? error(`cannot tell whether the body contains ${m.label}: ${cut}`) : fail(`body does not contain ${m.label}`));
  }
  for (const m of p.body_not_contains ?? []) {
    if (m.test(r.body)) parts.push(fail(`body contains ${m.label}`));
    else if (r.truncated) parts.push(error(`cannot tell whether the body contains ${m.label} after the part read: ${cut}`));
  }

  // JSON
  const jsonExpect = Object.entries(p.json ?? {});
  const jsonExists = p.json_exists ?? [];
  const jsonActual: Record<string, unknown> = {};
  if (jsonExpect.length || jsonExists.length) {
    const doc = getJson();
    if (!doc.ok && r.truncated) parts.push(error(`cannot read the JSON body: ${cut} (raise the size limit or point the check at a smaller document)`));
    else if (!doc.ok) parts.push(fail(doc.error));
    else {
      for (const [path, expected] of jsonExpect) {
        const got = jsonPath(doc.value, path);
        jsonActual[path] = got.found ? got.value : '(missing)';
        if (!got.found) parts.push(fail(`JSON ${path} is missing, expected ${show(expected)}`));
        else if (!jsonValueMatches(got.value, expected)) parts.push(fail(`JSON ${path} is ${excerpt(show(got.value), SHORT_EXCERPT_CHARS)}, expected ${show(expected)}`));
      }
      for (const path of jsonExists) {
        const got = jsonPath(doc.value, path);
        if (!got.found) parts.push(fail(`JSON ${path} is missing`));
      }
    }
  }

  // Headers
  const headerActual: Record<string, string | null> = {};
  for (const [name, expected] of Object.entries(p.header_equals ?? {})) {
    const got = headerValue(r.headers, name);
    headerActual[name.toLowerCase()] = got ?? null;
    if (got === undefined) parts.push(fail(`header ${name} is missing, expected ${show(expected)}`));
    else if (got.trim() !== expected.trim()) parts.push(fail(`header ${name} is ${show(got)}, expected ${show(expected)}`));
  }
  for (const [name, m] of Object.entries(p.header_matches ?? {})) {
    const got = headerValue(r.headers, name);
    headerActual[name.toLowerCase()] = got ?? null;
    if (got === undefined) parts.push(fail(`header ${name} is missing, expected to match ${m.label}`));
    else if (!m.test(got)) parts.push(fail(`header ${name} is ${show(got)}, which does not match ${m.label}`));
  }

  // Response time
  const took = r.timing.totalMs;
  if (p.max_response_time !== undefined && took > p.max_response_time) {
    parts.push(fail(`response took ${formatDuration(took)}, limit ${formatDuration(p.max_response_time)}`));
  } else if (p.warn_response_time !== undefined && took > p.warn_response_time) {
    parts.push(warn(`response took ${formatDuration(took)}, above the warning threshold ${formatDuration(p.warn_response_time)}`));
  }

  const shownHeaders: Record<string, string> = {};
  for (const name of [...HEADERS_OF_INTEREST, ...Object.keys(headerActual)]) {
    const v = headerValue(r.headers, name);
    if (v !== undefined) shownHeaders[name] = v;
  }
  const expected: Record<string, unknown> = { status: p.status.label };
  if (p.body_contains) expected.body_contains = p.body_contains.map((m) => m.label);
  if (p.body_not_contains) expected.body_not_contains = p.body_not_contains.map((m) => m.label);
  if (p.json) expected.json = p.json;
  if (p.json_exists) expected.json_exists = p.json_exists;
  if (p.header_equals) expected.header_equals = p.header_equals;
  if (p.header_matches) expected.header_matches = Object.fromEntries(Object.entries(p.header_matches).map(([k, m]) => [k, m.label]));
  if (p.max_response_time !== undefined) expected.max_response_time = formatDuration(p.max_response_time);
  if (p.warn_response_time !== undefined) expected.warn_response_time = formatDuration(p.warn_response_time);

  const actual: Record<string, unknown> = { status: r.status, responseTime: formatDuration(took) };
  if (Object.keys(jsonActual).length) actual.json = jsonActual;
  if (Object.keys(headerActual).length) actual.headers = headerActual;

  const evidence: Evidence = {
    expected,
    actual,
    details: {
      method: facts.method,
      url: facts.url,
      ...requestHeaderDetails(facts),
      ...(r.url !== facts.url ? { finalUrl: r.url } : {}),
      ...(r.redirects.length ? { redirects: chain(r.redirects) } : {}),
      timing: { headersMs: r.timing.headersMs, totalMs: r.timing.totalMs },
      headers: shownHeaders,
      bodyExcerpt: excerpt(r.body, EXCERPT_CHARS),
      bodyBytes: r.bodyBytes,
      ...(r.truncated ? { bodyTruncated: true } : {}),
      ...(facts.insecure ? { insecure: true } : {}),
    },
  };

  const via = r.redirects.length ? ` after ${r.redirects.length} redirect${r.redirects.length > 1 ? 's' : ''}` : '';
  const verdict = combine(parts, `${facts.method} ${facts.url} answered ${statusLine}${via} in ${formatDuration(took)}`, evidence);
  return insecureNote ? { ...verdict, message: verdict.message + insecureNote } : verdict;
}

function requestHeaderDetails(facts: EndpointFacts): { requestHeaders?: Record<string, string> } {
  return facts.requestHeaders && Object.keys(facts.requestHeaders).length ? { requestHeaders: facts.requestHeaders } : {};
}

/** Request headers fit for evidence: values of credential-looking headers become `***`. */
export function maskRequestHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, CREDENTIAL_HEADER_NAME.test(k) ? '***' : v]));
}

// ---------------------------------------------------------------------------------------------
// Secrets: values of credential-bearing request headers and URL secrets must never reach the verdict,
// even when a server echoes them back in its body or headers.

/** The strings to scrub from a verdict for this request. */
export function requestSecrets(url: string, headers: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!CREDENTIAL_HEADER_NAME.test(name)) continue;
    found.push(value);
    for (const piece of value.split(/[\s;,=]+/)) found.push(piece);
    const basic = /^basic\s+(\S+)/i.exec(value);
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      found.push(decoded, decoded.slice(decoded.indexOf(':') + 1));
    }
  }
  try {
    const u = new URL(url);
    if (u.password) found.push(u.password, decodeURIComponent(u.password));
    for (const [name, value] of u.searchParams) if (/(token|secret|password|key|sig|auth|code|session)/i.test(name)) found.push(value);
  } catch {
    /* the schema validated the URL */
  }
  // Short fragments ("Bearer", "a") would mangle the output without protecting anything.
  return [...new Set(found.map((s) => s.trim()).filter((s) => s.length >= 6 && !/^(bearer|basic|digest|token)$/i.test(s)))].sort(
    (a, b) => b.length - a.length,
  );
}

/** Replaces every occurrence of each secret in every string of a value (deeply). */
export function scrub<T>(value: T, secrets: string[]): T {
  if (secrets.length === 0) return value;
  const fix = (v: unknown): unknown => {
    if (typeof v === 'string') return secrets.reduce((s, secret) => s.split(secret).join('[redacted]'), v);
    if (Array.isArray(v)) return v.map(fix);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [fix(k) as string, fix(x)]));
    return v;
  };
  return fix(value) as T;
}

// ---------------------------------------------------------------------------------------------

export default defineCheck({
  meta: {
    type: 'http.endpoint',
    title: 'HTTP endpoint answers as expected',
    failureTitle: 'HTTP endpoint does not answer as expected',
    description:
      'Requests a URL (a health endpoint, the home page, an API route) and checks the status, body, JSON fields, ' +
      'headers and response time a deploy depends on. Read-only by default: methods other than GET, HEAD and ' +
      'OPTIONS are refused unless allow_unsafe_method: true is set. Certificates are verified unless insecure: true.',
    remediation:
      'Call the URL yourself (curl -i) from where the check runs; check the service logs, that it is deployed and ' +
      'listening, the load balancer/proxy routes and health-check dependencies (database, cache).',
    docs: 'docs/checks.md#http-endpoint',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const shownUrl = displayUrl(p.url);
    const secrets = requestSecrets(p.url, p.headers);
    const base = { method: p.method, url: shownUrl, insecure: p.insecure, requestHeaders: maskRequestHeaders(p.headers) };

    if (!SAFE_METHODS.includes(p.method) && !p.allow_unsafe_method) {
      return error(`method ${p.method} may change data on the server: set allow_unsafe_method: true to send it`);
    }

    let ca: Buffer | undefined;
    if (p.ca) {
      const caPath = resolve(ctx.baseDir, p.ca);
      try {
        ca = await readFile(caPath);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? 'unreadable';
        return error(`cannot read CA file ${p.ca}: ${why}`, { details: { path: caPath } });
      }
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
        return error(`CA file ${p.ca} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----")`, { details: { path: caPath } });
      }
    }

    const headers = { ...p.headers };
    let body: string | undefined;
    if (p.body !== undefined) {
      if (typeof p.body === 'string') body = p.body;
      else {
        body = JSON.stringify(p.body);
        if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      }
    }

    let facts: EndpointFacts;
    try {
      const res = await httpRequest(p.url, {
        method: p.method,
        headers,
        body,
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
        ca,
        insecure: p.insecure,
        followRedirects: p.follow_redirects,
        maxRedirects: p.max_redirects,
      });
      facts = { ...base, response: { ...res, url: displayUrl(res.url) } };
      ctx.log.debug(scrub(`${p.method} ${shownUrl} → ${res.status} in ${formatDuration(res.timing.totalMs)} (${res.bodyBytes} bytes${res.redirects.length ? `, ${res.redirects.length} redirects` : ''})`, secrets));
    } catch (err) {
      if (!(err instanceof HttpRequestError)) throw err;
      facts = { ...base, failure: { message: err.message, shared: err.failure, redirects: err.redirects } };
      ctx.log.debug(scrub(`${p.method} ${shownUrl} failed: ${err.message}`, secrets));
    }
    return scrub(evaluateEndpoint(facts, p), secrets);
  },
});
