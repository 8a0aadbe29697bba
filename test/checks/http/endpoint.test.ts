import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import endpoint, {
  evaluateEndpoint,
  jsonPath,
  jsonValueMatches,
  parseStatusSpec,
  parseTextMatcher,
  requestSecrets,
  scrub,
  type EndpointFacts,
  type EndpointParams,
  type StatusSpec,
} from '../../../checks/http/endpoint.js';
import { HttpRequestError, closeHttpAgents, displayUrl, httpRequest } from '../../../src/net/http.js';
import { networkFailure } from '../../../src/net/failure.js';
import { runCheck } from '../../support/run-check.js';
import { daysFromNow, makeCa, makeSelfSigned } from '../../support/http-certs.js';
import {
  closedPort,
  redirect,
  sendJson,
  sendText,
  sleep,
  startHttpServer,
  startSilentServer,
  type SilentServer,
  type TestHttpServer,
} from '../../support/http-server.js';

const params = (raw: Record<string, unknown>): EndpointParams => {
  const parsed = endpoint.params.safeParse({ url: 'http://example.test/health', ...raw });
  if (!parsed.success) throw new Error(parsed.error.message);
  return parsed.data;
};

function spec(v: Parameters<typeof parseStatusSpec>[0]): StatusSpec {
  const s = parseStatusSpec(v);
  if (typeof s === 'string') throw new Error(s);
  return s;
}

describe('parseStatusSpec', () => {
  it('accepts a code, a string code, a class, a range, a list and a comma list', () => {
    expect(spec(200).test(200)).toBe(true);
    expect(spec(200).test(201)).toBe(false);
    expect(spec('204').test(204)).toBe(true);
    expect(spec('2xx').test(299)).toBe(true);
    expect(spec('2XX').test(300)).toBe(false);
    expect(spec('200-204').test(204)).toBe(true);
    expect(spec('200-204').test(205)).toBe(false);
    expect(spec([200, '301']).test(301)).toBe(true);
    expect(spec('200, 204').test(204)).toBe(true);
    expect(spec([200, 204]).label).toBe('200, 204');
  });

  it('rejects malformed expectations with a readable reason', () => {
    expect(parseStatusSpec('ok')).toMatch(/invalid status "ok"/);
    expect(parseStatusSpec(600)).toMatch(/invalid status 600/);
    expect(parseStatusSpec('299-200')).toMatch(/invalid status range/);
    expect(parseStatusSpec('6xx')).toMatch(/invalid status/);
  });
});

describe('parseTextMatcher', () => {
  it('treats /…/flags as a regex and anything else as a substring', () => {
    const re = parseTextMatcher('/^OK$/i');
    const text = parseTextMatcher('a.b');
    if (typeof re === 'string' || typeof text === 'string') throw new Error('unexpected');
    expect(re.test('ok')).toBe(true);
    expect(re.label).toBe('/^OK$/i');
    expect(text.test('xa.bx')).toBe(true);
    expect(text.test('axb')).toBe(false);
  });

  it('reports an invalid regex', () => {
    expect(parseTextMatcher('/(unclosed/')).toMatch(/invalid regular expression/);
    expect(parseTextMatcher('(unclosed', true)).toMatch(/invalid regular expression/);
  });
});

describe('jsonPath and jsonValueMatches', () => {
  const doc = { status: 'ok', checks: { db: 'up', list: [{ id: 7 }] }, n: 3, flag: true, nil: null };
  it('walks dotted paths, array indices and brackets', () => {
    expect(jsonPath(doc, 'checks.db')).toEqual({ found: true, value: 'up' });
    expect(jsonPath(doc, 'checks.list.0.id')).toEqual({ found: true, value: 7 });
    expect(jsonPath(doc, '$.checks.list[0].id')).toEqual({ found: true, value: 7 });
    expect(jsonPath(doc, 'nil')).toEqual({ found: true, value: null });
    expect(jsonPath(doc, 'checks.cache')).toEqual({ found: false });
    expect(jsonPath(doc, 'status.length')).toEqual({ found: false });
    expect(jsonPath(doc, 'checks.list.5')).toEqual({ found: false });
  });

  it('compares deeply, matches env strings against numbers/booleans and /regex/', () => {
    expect(jsonValueMatches('up', 'up')).toBe(true);
    expect(jsonValueMatches('down', 'up')).toBe(false);
    expect(jsonValueMatches(3, '3')).toBe(true);
    expect(jsonValueMatches(true, 'true')).toBe(true);
    expect(jsonValueMatches('3', 3)).toBe(false);
    expect(jsonValueMatches({ a: [1, 2] }, { a: [1, 2] })).toBe(true);
    expect(jsonValueMatches({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(jsonValueMatches('v1.4.2', '/^v1\\./')).toBe(true);
    expect(jsonValueMatches('v2.0.0', '/^v1\\./')).toBe(false);
  });
});

describe('parameters', () => {
  const parse = (raw: Record<string, unknown>) => endpoint.params.safeParse({ url: 'https://api.example.com/health', ...raw });
  const messages = (raw: Record<string, unknown>) => {
    const r = parse(raw);
    return r.success ? '' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
  };

  it('has read-only defaults', () => {
    const r = parse({});
    expect(r.success).toBe(true);
    if (!r.success) return;
    expect(r.data.method).toBe('GET');
    expect(r.data.status.label).toBe('2xx');
    expect(r.data.follow_redirects).toBe(false);
    expect(r.data.insecure).toBe(false);
    expect(r.data.max_redirects).toBe(10);
    expect(endpoint.meta.active).toBeFalsy();
  });

  it('refuses methods that change data unless allow_unsafe_method is set', () => {
    expect(messages({ method: 'post' })).toMatch(/method: method POST may change data on the server: set allow_unsafe_method: true/);
    expect(messages({ method: 'DELETE' })).toMatch(/allow_unsafe_method/);
    expect(parse({ method: 'POST', allow_unsafe_method: 'true', body: { a: 1 } }).success).toBe(true);
    expect(parse({ method: 'HEAD' }).success).toBe(true);
    expect(parse({ method: 'options' }).success).toBe(true);
  });

  it('refuses a body with GET, unknown keys, bad URLs, bad statuses and inverted thresholds', () => {
    expect(messages({ body: 'x' })).toMatch(/body: a body cannot be sent with GET/);
    expect(messages({ satus: 200 })).toMatch(/satus/);
    expect(messages({ url: 'ftp://example.com/' })).toMatch(/url: expected an http:\/\/ or https:\/\/ URL/);
    expect(messages({ url: 'not a url' })).toMatch(/^url:/);
    expect(messages({ status: 'fine' })).toMatch(/status: invalid status "fine"/);
    expect(messages({ body_contains: '/(x/' })).toMatch(/invalid regular expression/);
    expect(messages({ max_response_time: '1s', warn_response_time: '2s' })).toMatch(/warn_response_time must be below max_response_time/);
    expect(messages({ max_redirects: 50 })).toMatch(/max_redirects/);
  });

  it('accepts values interpolated from the environment as strings', () => {
    const r = parse({ status: '200-299', max_response_time: '500ms', follow_redirects: 'yes', max_redirects: '3', insecure: 'false' });
    expect(r.success).toBe(true);
    if (!r.success) return;
    expect(r.data.max_response_time).toBe(500);
    expect(r.data.follow_redirects).toBe(true);
    expect(r.data.max_redirects).toBe(3);
  });
});

describe('evaluateEndpoint (pure)', () => {
  const response = (over: Partial<NonNullable<EndpointFacts['response']>> = {}): NonNullable<EndpointFacts['response']> => ({
    url: 'http://example.test/health',
    status: 200,
    statusText: 'OK',
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'set-cookie': ['sid=abc'] },
    body: JSON.stringify({ status: 'ok', checks: { db: 'up', cache: 'down' }, version: 14 }),
    bodyBytes: 60,
    truncated: false,
    redirects: [],
    timing: { headersMs: 40, totalMs: 45 },
    ...over,
  });
  const facts = (over: Partial<NonNullable<EndpointFacts['response']>> = {}, insecure = false): EndpointFacts => ({
    method: 'GET',
    url: 'http://example.test/health',
    insecure,
    response: response(over),
  });

  it('passes with status, time and URL in the message and the data in the evidence', () => {
    const v = evaluateEndpoint(facts(), params({}));
    expect(v.status).toBe('pass');
    expect(v.message).toBe('GET http://example.test/health answered 200 OK in 45ms');
    expect(v.evidence?.actual).toMatchObject({ status: 200, responseTime: '45ms' });
    expect(v.evidence?.details).toMatchObject({ headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, bodyBytes: 60 });
    expect(JSON.stringify(v)).not.toContain('sid=abc');
  });

  it('fails on a wrong status and shows a short body excerpt', () => {
    const v = evaluateEndpoint(facts({ status: 503, statusText: 'Service Unavailable', body: '{"status":"down","db":"timeout"}' }), params({}));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('status 503 Service Unavailable, expected 2xx; body: "{\\"status\\":\\"down\\",\\"db\\":\\"timeout\\"}"');
  });

  it('fails a wrong status even when the cut body cannot be judged, naming that part as unchecked', () => {
    const v = evaluateEndpoint(facts({ status: 503, statusText: 'Service Unavailable', body: '{"status":"do', bodyBytes: 13, truncated: true }), params({ json: { status: 'ok' }, body_contains: 'ready' }));
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^status 503 Service Unavailable, expected 2xx/);
    expect(v.unchecked).toEqual([
      'cannot tell whether the body contains "ready": only the first 13 bytes of the body were read',
      'cannot read the JSON body: only the first 13 bytes of the body were read (raise the size limit or point the check at a smaller document)',
    ]);
  });

  it('caps the excerpt in the message at 120 characters and in the evidence at 500', () => {
    const body = 'x'.repeat(2000);
    const v = evaluateEndpoint(facts({ status: 500, statusText: 'Internal Server Error', body }), params({}));
    expect(v.message.length).toBeLessThan(200);
    expect(String(v.evidence?.details?.bodyExcerpt).length).toBe(501);
  });

  it('names the Location of an unfollowed redirect', () => {
    const v = evaluateEndpoint(facts({ status: 301, statusText: 'Moved Permanently', headers: { location: 'https://example.test/health' }, body: '' }), params({}));
    expect(v.message).toBe('status 301 Moved Permanently to https://example.test/health (follow_redirects is off), expected 2xx');
  });

  it('checks body text and regexes', () => {
    const ok = evaluateEndpoint(facts(), params({ body_contains: ['"ok"', '/"db":\\s*"up"/'], body_not_contains: 'error' }));
    expect(ok.status).toBe('pass');
    const bad = evaluateEndpoint(facts(), params({ body_contains: 'ready', body_not_contains: '/down/i' }));
    expect(bad.status).toBe('fail');
    expect(bad.message).toBe('body does not contain "ready"; body contains /down/i');
  });

  it('checks JSON paths, shows the actual value and missing paths', () => {
    const v = evaluateEndpoint(facts(), params({ json: { status: 'ok', 'checks.db': 'up', 'checks.cache': 'up', version: '14', 'checks.queue': 'up' } }));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('JSON checks.cache is "down", expected "up"; JSON checks.queue is missing, expected "up"');
    expect(v.evidence?.actual).toMatchObject({ json: { status: 'ok', 'checks.cache': 'down', 'checks.queue': '(missing)' } });
    const exists = evaluateEndpoint(facts(), params({ json_exists: ['checks.db', 'uptime'] }));
    expect(exists.message).toBe('JSON uptime is missing');
  });

  it('fails clearly when JSON is expected but the body is HTML', () => {
    const v = evaluateEndpoint(facts({ headers: { 'content-type': 'text/html' }, body: '<html><body>Bad gateway</body></html>' }), params({ json: { status: 'ok' } }));
    expect(v.status).toBe('fail');
    expect(v.message).toBe('body is not JSON (content-type text/html): "<html><body>Bad gateway</body></html>"');
  });

  it('checks headers exactly and by regex, case-insensitively', () => {
    const v = evaluateEndpoint(
      facts(),
      params({ header_equals: { 'Cache-Control': 'no-cache', 'X-Request-Id': 'a' }, header_matches: { 'Content-Type': '^application/json', 'cache-control': '/private/' } }),
    );
    expect(v.status).toBe('fail');
    expect(v.message).toBe(
      'header Cache-Control is "no-store", expected "no-cache"; header X-Request-Id is missing, expected "a"; header cache-control is "no-store", which does not match /private/',
    );
    expect(v.evidence?.actual).toMatchObject({ headers: { 'cache-control': 'no-store', 'x-request-id': null, 'content-type': 'application/json' } });
  });

  it('fails over max_response_time and warns over warn_response_time', () => {
    const slow = facts({ timing: { headersMs: 700, totalMs: 750 } });
    expect(evaluateEndpoint(slow, params({ max_response_time: '500ms' }))).toMatchObject({ status: 'fail', message: 'response took 750ms, limit 500ms' });
    expect(evaluateEndpoint(slow, params({ max_response_time: '2s', warn_response_time: '300ms' }))).toMatchObject({
      status: 'warn',
      message: 'response took 750ms, above the warning threshold 300ms',
    });
    expect(evaluateEndpoint(slow, params({ max_response_time: '1s' })).status).toBe('pass');
  });

  it('lists every failed expectation in one message', () => {
    const v = evaluateEndpoint(facts({ status: 500, statusText: 'Internal Server Error', timing: { headersMs: 10, totalMs: 900 } }), params({ max_response_time: '100ms', json: { status: 'up' } }));
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^status 500 Internal Server Error, expected 2xx; body: .*; JSON status is "ok", expected "up"; response took 900ms, limit 100ms$/);
  });

  it('shows the redirect chain and notes insecure mode', () => {
    const v = evaluateEndpoint(
      facts({ url: 'https://example.test/health', redirects: [{ url: 'http://example.test/health', status: 301, location: 'https://example.test/health' }] }, true),
      params({ follow_redirects: true, insecure: true }),
    );
    expect(v.status).toBe('pass');
    expect(v.message).toBe('GET http://example.test/health answered 200 OK after 1 redirect in 45ms (TLS verification disabled: insecure: true)');
    expect(v.evidence?.details).toMatchObject({ redirects: ['301 http://example.test/health → https://example.test/health'], finalUrl: 'https://example.test/health', insecure: true });
  });

  it('reports every failure to get an answer as error, and a bad certificate as fail, with the shared wording and advice', () => {
    const sys = (code: string) => Object.assign(new Error(code), { code });
    const failure = (code: string, where = 'example.test:443'): EndpointFacts => {
      const shared = networkFailure(sys(code), { where, timeoutMs: 2000 })!;
      return { method: 'GET', url: 'https://example.test/', insecure: false, failure: { message: shared.message, shared, redirects: [] } };
    };
    expect(evaluateEndpoint(failure('ECONNREFUSED', '127.0.0.1:9'), params({}))).toMatchObject({
      status: 'error',
      message: 'connection refused at 127.0.0.1:9',
      remediation: expect.stringMatching(/this host can reach it/),
      evidence: { details: { failure: 'refused', where: '127.0.0.1:9', code: 'ECONNREFUSED' } },
    });
    expect(evaluateEndpoint(failure('ETIMEDOUT'), params({})).status).toBe('error');
    expect(evaluateEndpoint(failure('ENOTFOUND'), params({}))).toMatchObject({ status: 'error', message: 'cannot resolve host "example.test": no such host (ENOTFOUND)' });
    expect(evaluateEndpoint(failure('ERR_SSL_WRONG_VERSION_NUMBER'), params({})).status).toBe('error');
    const expired = evaluateEndpoint(failure('CERT_HAS_EXPIRED'), params({}));
    expect(expired).toMatchObject({ status: 'fail', message: 'the TLS certificate of example.test:443 has expired (CERT_HAS_EXPIRED)' });
    expect(expired.remediation).toMatch(/Renew the certificate/);
    expect(evaluateEndpoint(failure('DEPTH_ZERO_SELF_SIGNED_CERT'), params({})).remediation).toMatch(/the check's ca parameter/);
    // The type's own advice (about a response that was never seen) is never given for a failure.
    expect(evaluateEndpoint(failure('ECONNREFUSED'), params({})).remediation).not.toBe(endpoint.meta.remediation);
  });
});

describe('secrets', () => {
  it('collects credential header values, bearer tokens, basic passwords and URL secrets', () => {
    const basic = Buffer.from('deploy:hunter2-basic-pw').toString('base64');
    const s = requestSecrets('https://u:url-pass-123@x.test/?token=query-token-1&page=2', {
      Authorization: 'Bearer tok_live_abcdef123456',
      'X-Api-Key': 'key-0123456789',
      'Proxy-Authorization': `Basic ${basic}`,
      Accept: 'application/json',
    });
    expect(s).toEqual(expect.arrayContaining(['tok_live_abcdef123456', 'key-0123456789', 'hunter2-basic-pw', 'url-pass-123', 'query-token-1']));
    expect(s).not.toContain('application/json');
    expect(s).not.toContain('Bearer');
    expect(scrub({ a: ['got tok_live_abcdef123456 back'] }, s)).toEqual({ a: ['got [redacted] back'] });
  });

  it('displayUrl masks URL passwords and secret query values', () => {
    expect(displayUrl('https://app:s3cretpw@api.test/h?token=abc&page=2&api_key=k')).toBe('https://app:***@api.test/h?token=***&page=2&api_key=***');
    expect(displayUrl('https://api.test/health')).toBe('https://api.test/health');
  });
});

// ---------------------------------------------------------------------------------------------
// Against real servers

describe('http.endpoint against a local HTTP server', () => {
  let server: TestHttpServer;
  let other: TestHttpServer;
  let silent: SilentServer;

  beforeAll(async () => {
    other = await startHttpServer({ routes: { '/landing': (_req, res) => sendText(res, 200, 'landed') } });
    server = await startHttpServer({
      routes: {
        '/health': (_req, res) => sendJson(res, 200, { status: 'ok', checks: { db: 'up', cache: 'up' } }, { 'cache-control': 'no-store' }),
        '/down': (_req, res) => sendJson(res, 503, { status: 'down', checks: { db: 'connection refused' } }),
        '/slow': async (_req, res) => {
          await sleep(300);
          sendText(res, 200, 'slow but fine');
        },
        '/stall-body': (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 100 });
          res.write('partial');
        },
        '/old': (_req, res) => redirect(res, 301, '/new'),
        '/new': (_req, res) => redirect(res, 302, '/health'),
        '/loop': (_req, res) => redirect(res, 302, '/loop'),
        '/away': (_req, res) => redirect(res, 307, other.url('/landing')),
        '/echo': (req, res, body) => sendJson(res, 401, { error: 'unauthorized', youSent: req.headers, body }),
        'POST /items': (req, res, body) => sendJson(res, 201, { created: JSON.parse(body), type: req.headers['content-type'] }),
        '/big': (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('a'.repeat(2 * 1024 * 1024) + 'THE-END');
        },
        '/gzip': (_req, res) => {
          const body = gzipSync(JSON.stringify({ status: 'ok', compressed: true }));
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length });
          res.end(body);
        },
        '/head': (req, res) => sendText(res, 204, '', { 'x-method': req.method ?? '' }),
      },
    });
    silent = await startSilentServer();
  });

  afterAll(async () => {
    await closeHttpAgents();
    await Promise.all([server?.close(), other?.close(), silent?.close()]);
  });

  it('passes on a healthy JSON endpoint with JSON and header expectations', async () => {
    const v = await runCheck(endpoint, {
      url: server.url('/health'),
      json: { status: 'ok', 'checks.db': 'up' },
      json_exists: 'checks.cache',
      header_equals: { 'Cache-Control': 'no-store' },
      max_response_time: '5s',
    });
    expect(v.status).toBe('pass');
    expect(v.message).toMatch(new RegExp(`^GET ${server.url('/health').replace(/[.]/g, '\\.')} answered 200 OK in \\d+(\\.\\d+)?m?s$`));
    expect(v.evidence?.details).toMatchObject({ headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
  });

  it('fails on a 503 with the status and a body excerpt', async () => {
    const v = await runCheck(endpoint, { url: server.url('/down') });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('status 503 Service Unavailable, expected 2xx; body: "{\\"status\\":\\"down\\",\\"checks\\":{\\"db\\":\\"connection refused\\"}}"');
    expect(v.evidence?.actual).toMatchObject({ status: 503 });
  });

  it('accepts the 503 when that is what is expected, and checks JSON values', async () => {
    const v = await runCheck(endpoint, { url: server.url('/down'), status: [503], json: { 'checks.db': 'up' } });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('JSON checks.db is "connection refused", expected "up"');
  });

  it('errors with "connection refused" when nothing listens', async () => {
    const port = await closedPort();
    const v = await runCheck(endpoint, { url: `http://127.0.0.1:${port}/health` });
    expect(v.status).toBe('error');
    expect(v.message).toBe(`connection refused at 127.0.0.1:${port}`);
  });

  it('errors with a DNS failure for a host that does not exist', async () => {
    const v = await runCheck(endpoint, { url: 'http://no-such-host.invalid/health' }, { timeoutMs: 8000 });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/^cannot resolve host "no-such-host\.invalid": (no such host \(ENOTFOUND\)|the DNS lookup timed out \(EAI_AGAIN\))/);
    expect(v.remediation).toMatch(/Check the host name "no-such-host\.invalid"/);
  });

  it('ends at the timeout with error when the server accepts TCP and never answers', async () => {
    const started = Date.now();
    const v = await runCheck(endpoint, { url: silent.url('/health') }, { timeoutMs: 500 });
    const took = Date.now() - started;
    expect(v.status).toBe('error');
    expect(v.message).toBe(`127.0.0.1:${silent.port} did not answer within 500ms (waiting for the response)`);
    expect(v.remediation).toMatch(/this host can reach it/);
    expect(silent.connections()).toBeGreaterThan(0);
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(2500);
  });

  it('ends at the timeout when an https:// server accepts TCP and never answers the TLS handshake', async () => {
    const started = Date.now();
    const v = await runCheck(endpoint, { url: silent.url('/health').replace(/^http:/, 'https:') }, { timeoutMs: 500 });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:${silent.port} did not answer within 500ms \\(`));
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('ends at the timeout when the body stalls after the headers', async () => {
    const v = await runCheck(endpoint, { url: server.url('/stall-body') }, { timeoutMs: 500 });
    expect(v.status).toBe('error');
    expect(v.message).toBe(`127.0.0.1:${server.port} did not answer within 500ms (reading the response body)`);
  });

  it('fails or warns on a slow response, and passes within the limit', async () => {
    const tooSlow = await runCheck(endpoint, { url: server.url('/slow'), max_response_time: '100ms' });
    expect(tooSlow.status).toBe('fail');
    expect(tooSlow.message).toMatch(/^response took (\d{3}ms|[\d.]+s), limit 100ms$/);
    const slowish = await runCheck(endpoint, { url: server.url('/slow'), max_response_time: '5s', warn_response_time: '100ms' });
    expect(slowish.status).toBe('warn');
    expect(slowish.message).toMatch(/above the warning threshold 100ms$/);
    const fine = await runCheck(endpoint, { url: server.url('/slow'), max_response_time: '5s', body_contains: 'slow but fine' });
    expect(fine.status).toBe('pass');
  });

  it('does not follow redirects by default and says where it pointed', async () => {
    const v = await runCheck(endpoint, { url: server.url('/old') });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`status 301 Moved Permanently to /new (follow_redirects is off), expected 2xx`);
    expect((await runCheck(endpoint, { url: server.url('/old'), status: 301, header_equals: { location: '/new' } })).status).toBe('pass');
  });

  it('follows redirects when asked and records the chain', async () => {
    const v = await runCheck(endpoint, { url: server.url('/old'), follow_redirects: true, json: { status: 'ok' } });
    expect(v.status).toBe('pass');
    expect(v.message).toMatch(/answered 200 OK after 2 redirects in/);
    expect(v.evidence?.details).toMatchObject({
      finalUrl: server.url('/health'),
      redirects: [`301 ${server.url('/old')} → ${server.url('/new')}`, `302 ${server.url('/new')} → ${server.url('/health')}`],
    });
  });

  it('errors after too many redirects', async () => {
    const v = await runCheck(endpoint, { url: server.url('/loop'), follow_redirects: true, max_redirects: 3 });
    expect(v.status).toBe('error');
    expect(v.message).toBe(`more than 3 redirects (last to ${server.url('/loop')})`);
    expect((v.evidence?.details?.redirects as string[]).length).toBe(4);
  });

  it('drops the Authorization header on a redirect to another origin', async () => {
    const v = await runCheck(endpoint, {
      url: server.url('/away'),
      follow_redirects: true,
      headers: { Authorization: 'Bearer cross-origin-secret-1234' },
      body_contains: 'landed',
    });
    expect(v.status).toBe('pass');
    const seen = other.requests.filter((r) => r.path === '/landing').at(-1);
    expect(seen?.headers.authorization).toBeUndefined();
    expect(server.requests.filter((r) => r.path === '/away').at(-1)?.headers.authorization).toBe('Bearer cross-origin-secret-1234');
  });

  it('never lets a planted Authorization secret reach the verdict or the logs, even when echoed', async () => {
    const secret = 'sk_live_PLANTEDsecret0123456789';
    const apiKey = 'planted-api-key-98765';
    const logs: string[] = [];
    const v = await runCheck(
      endpoint,
      {
        url: server.url('/echo') + '?access_token=planted-query-token-555',
        headers: { Authorization: `Bearer ${secret}`, 'X-Api-Key': apiKey, Accept: 'application/json' },
        header_equals: { 'content-type': 'text/plain' },
      },
      { logs },
    );
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^status 401 Unauthorized, expected 2xx; body: /);
    // The server did receive them (so the test is meaningful)...
    expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${secret}`);
    // ...but nothing of them comes back out.
    const out = JSON.stringify(v) + logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const s of [secret, apiKey, 'planted-query-token-555', 'PLANTEDsecret']) expect(out).not.toContain(s);
    expect(v.evidence?.details?.requestHeaders).toEqual({ Authorization: '***', 'X-Api-Key': '***', Accept: 'application/json' });
    expect(v.evidence?.details?.url).toBe(server.url('/echo') + '?access_token=***');
    expect(out).toContain('[redacted]');
  });

  it('strips a password from the URL in messages', async () => {
    const v = await runCheck(endpoint, { url: server.url('/down').replace('http://', 'http://admin:url-planted-pw-42@') });
    expect(v.status).toBe('fail');
    expect(server.requests.at(-1)?.headers.authorization).toBe(`Basic ${Buffer.from('admin:url-planted-pw-42').toString('base64')}`);
    expect(JSON.stringify(v)).not.toContain('url-planted-pw-42');
    expect(JSON.stringify(v)).not.toContain(Buffer.from('admin:url-planted-pw-42').toString('base64'));
  });

  it('sends a JSON body with an allowed unsafe method', async () => {
    const v = await runCheck(endpoint, {
      url: server.url('/items'),
      method: 'POST',
      allow_unsafe_method: true,
      body: { name: 'probe' },
      status: 201,
      json: { 'created.name': 'probe', type: 'application/json' },
    });
    expect(v.status).toBe('pass');
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', path: '/items', body: '{"name":"probe"}' });
  });

  it('decodes a gzip-encoded body', async () => {
    const v = await runCheck(endpoint, { url: server.url('/gzip'), headers: { 'Accept-Encoding': 'gzip' }, json: { compressed: true } });
    expect(v.status).toBe('pass');
  });

  it('sends HEAD requests', async () => {
    const v = await runCheck(endpoint, { url: server.url('/head'), method: 'HEAD', status: 204, header_equals: { 'x-method': 'HEAD' } });
    expect(v.status).toBe('pass');
  });

  it('reads at most 1 MiB of body and says so: what is not in that part is unknown, not missing', async () => {
    const v = await runCheck(endpoint, { url: server.url('/big'), body_contains: 'THE-END' });
    expect(v.status).toBe('error');
    expect(v.message).toBe('cannot tell whether the body contains "THE-END": only the first 1048576 bytes of the body were read');
    expect(v.evidence?.details).toMatchObject({ bodyBytes: 1048576, bodyTruncated: true });
    expect(String(v.evidence?.details?.bodyExcerpt).length).toBeLessThanOrEqual(501);
  });

  it('fails a wrong status of a large body, naming the body check it could not finish as unchecked', async () => {
    const v = await runCheck(endpoint, { url: server.url('/big'), status: 201, body_not_contains: 'Traceback' });
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^status 200 OK, expected 201; body: /);
    expect(v.unchecked).toEqual(['cannot tell whether the body contains "Traceback" after the part read: only the first 1048576 bytes of the body were read']);
  });
});

describe('http.endpoint against local HTTPS servers', () => {
  let dir: string;
  let ca: Awaited<ReturnType<typeof makeCa>>;
  let trusted: TestHttpServer;
  let selfSigned: TestHttpServer;
  let expired: TestHttpServer;
  let wrongHost: TestHttpServer;
  let plain: TestHttpServer;
  const ok = { '/health': (_req: unknown, res: import('node:http').ServerResponse) => sendJson(res, 200, { status: 'ok' }) };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'readiness-http-'));
    ca = await makeCa();
    await writeFile(join(dir, 'ca.pem'), ca.cert);
    await writeFile(join(dir, 'not-a-cert.pem'), 'hello');
    trusted = await startHttpServer({ tls: await ca.issue({}), routes: ok });
    selfSigned = await startHttpServer({ tls: await makeSelfSigned(), routes: ok });
    expired = await startHttpServer({ tls: await ca.issue({ notBefore: daysFromNow(-60), notAfter: daysFromNow(-2) }), routes: ok });
    wrongHost = await startHttpServer({ tls: await ca.issue({ hosts: ['api.example.com'] }), routes: ok });
    plain = await startHttpServer({ routes: ok });
  });

  afterAll(async () => {
    await closeHttpAgents();
    await Promise.all([trusted, selfSigned, expired, wrongHost, plain].map((s) => s?.close()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('passes with a private CA given by a path relative to the profile', async () => {
    const v = await runCheck(endpoint, { url: trusted.url('/health'), ca: 'ca.pem', json: { status: 'ok' } }, { baseDir: dir });
    expect(v.status).toBe('pass');
    expect(v.message).not.toMatch(/insecure/);
  });

  it('fails when the issuing CA is not trusted (clients refuse it too)', async () => {
    const v = await runCheck(endpoint, { url: trusted.url('/health') });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`the TLS certificate of 127.0.0.1:${trusted.port} is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`);
    expect(v.remediation).toMatch(/full chain/);
  });

  it('fails on a self-signed certificate, and passes with insecure: true noting it', async () => {
    const v = await runCheck(endpoint, { url: selfSigned.url('/health') });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`the TLS certificate of 127.0.0.1:${selfSigned.port} is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)`);
    const insecure = await runCheck(endpoint, { url: selfSigned.url('/health'), insecure: true });
    expect(insecure.status).toBe('pass');
    expect(insecure.message).toMatch(/answered 200 OK in .* \(TLS verification disabled: insecure: true\)$/);
    expect(insecure.evidence?.details).toMatchObject({ insecure: true });
  });

  it('fails on an expired certificate and says so', async () => {
    const v = await runCheck(endpoint, { url: expired.url('/health'), ca: join(dir, 'ca.pem') });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`the TLS certificate of 127.0.0.1:${expired.port} has expired (CERT_HAS_EXPIRED)`);
    expect(v.remediation).toMatch(/Renew/);
  });

  it('fails on a certificate for another host name and names the host', async () => {
    const v = await runCheck(endpoint, { url: wrongHost.url('/health'), ca: 'ca.pem' }, { baseDir: dir });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`the TLS certificate of 127.0.0.1:${wrongHost.port} is not valid for "127.0.0.1" (ERR_TLS_CERT_ALTNAME_INVALID)`);
  });

  it('errors when the CA file is missing or not PEM', async () => {
    const missing = await runCheck(endpoint, { url: trusted.url('/health'), ca: 'nope.pem' }, { baseDir: dir });
    expect(missing).toMatchObject({ status: 'error', message: 'cannot read CA file nope.pem: no such file' });
    const junk = await runCheck(endpoint, { url: trusted.url('/health'), ca: 'not-a-cert.pem' }, { baseDir: dir });
    expect(junk.status).toBe('error');
    expect(junk.message).toMatch(/holds no PEM certificate/);
  });

  it('errors when speaking TLS to a plain HTTP port', async () => {
    const v = await runCheck(endpoint, { url: plain.url('/health').replace('http://', 'https://') }, { timeoutMs: 3000 });
    expect(v.status).toBe('error');
    expect(v.message).toBe(`the TLS handshake with 127.0.0.1:${plain.port} failed (ERR_SSL_WRONG_VERSION_NUMBER)`);
    expect(v.remediation).toMatch(/speaks TLS on this port/);
  });
});

describe('http.endpoint against the benchmark slow server (bench/slow-server.mjs)', () => {
  let child: ChildProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    const script = fileURLToPath(new URL('../../../bench/slow-server.mjs', import.meta.url));
    child = spawn(process.execPath, [script, '--port', '0', '--delay', '150', '--exit-with-parent'], { stdio: ['pipe', 'pipe', 'pipe'] });
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      let err = '';
      child!.stdout!.on('data', (d: Buffer) => {
        out += d;
        if (out.includes('\n')) resolve(Number(out.trim()));
      });
      child!.stderr!.on('data', (d: Buffer) => (err += d));
      child!.once('exit', (code) => reject(new Error(`bench/slow-server.mjs exited with ${code} before printing its port: ${err}`)));
    });
  });

  afterAll(async () => {
    await closeHttpAgents();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('prints its port and answers after the delay', async () => {
    expect(port).toBeGreaterThan(0);
    const v = await runCheck(endpoint, { url: `http://127.0.0.1:${port}/health`, json: { status: 'ok' }, max_response_time: '100ms' });
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^response took (\d{3}ms|[\d.]+s), limit 100ms$/);
    const t = Number(String((v.evidence?.details?.timing as { totalMs: number }).totalMs));
    expect(t).toBeGreaterThanOrEqual(140);
  });

  it('serves concurrent checks in parallel: 32 checks at concurrency 16 take about two delays', async () => {
    const started = Date.now();
    let next = 0;
    const statuses: string[] = [];
    const worker = async () => {
      while (next < 32) {
        next++;
        statuses.push((await runCheck(endpoint, { url: `http://127.0.0.1:${port}/health`, json: { status: 'ok' } })).status);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const took = Date.now() - started;
    expect(statuses).toEqual(Array(32).fill('pass'));
    expect(took).toBeGreaterThanOrEqual(290);
    // Serial would be 32 × 150 ms = 4.8 s; parallel is 2 × 150 ms plus overhead (generous for a busy CI box).
    expect(took).toBeLessThan(1500);
  });
});

// The shared helper's own contract, beyond what http.endpoint exercises.
describe('httpRequest (src/net/http.ts)', () => {
  let server: TestHttpServer;
  beforeAll(async () => {
    server = await startHttpServer({
      routes: {
        '/ten': (_req, res) => sendText(res, 200, '0123456789'),
        'POST /form': (_req, res) => redirect(res, 303, '/result'),
        '/result': (req, res, body) => sendJson(res, 200, { method: req.method, body, type: req.headers['content-type'] ?? null }),
        '/ftp': (_req, res) => redirect(res, 302, 'ftp://example.test/file'),
      },
    });
  });
  afterAll(async () => {
    await closeHttpAgents();
    await server?.close();
  });

  it('caps the body exactly at maxBodyBytes', async () => {
    const exact = await httpRequest(server.url('/ten'), { timeoutMs: 5000, maxBodyBytes: 10 });
    expect(exact).toMatchObject({ body: '0123456789', bodyBytes: 10, truncated: false, status: 200, statusText: 'OK' });
    const cut = await httpRequest(server.url('/ten'), { timeoutMs: 5000, maxBodyBytes: 4 });
    expect(cut).toMatchObject({ body: '0123', bodyBytes: 4, truncated: true });
    expect(cut.timing.totalMs).toBeGreaterThanOrEqual(cut.timing.headersMs);
  });

  it('turns a POST into a GET without body after a 303', async () => {
    const res = await httpRequest(server.url('/form'), {
      method: 'POST',
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      timeoutMs: 5000,
      followRedirects: true,
    });
    expect(res.method).toBe('GET');
    expect(JSON.parse(res.body)).toEqual({ method: 'GET', body: '', type: null });
    expect(res.redirects).toEqual([{ url: server.url('/form'), status: 303, location: server.url('/result') }]);
  });

  it('refuses to follow a redirect to a non-HTTP URL, keeping the chain', async () => {
    const err = await httpRequest(server.url('/ftp'), { timeoutMs: 5000, followRedirects: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpRequestError);
    expect(err).toMatchObject({ kind: 'redirects', message: 'redirect to a non-HTTP URL ftp://example.test/file' });
    expect((err as HttpRequestError).redirects).toHaveLength(1);
  });

  it('reports an aborted signal that is not a timeout as aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('Ctrl-C'));
    const err = await httpRequest(server.url('/ten'), { timeoutMs: 5000, signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'aborted', message: `request to 127.0.0.1:${server.port} was aborted` });
  });
});
