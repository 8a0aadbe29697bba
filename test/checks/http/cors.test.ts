import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import check, { evaluateCors, params, type CorsAnswer } from '../../../checks/http/cors.js';
import { runCheck } from '../../support/run-check.js';
import { startHttpServer, startSilentServer, type Running } from '../../support/tls-servers.js';

const APP = 'https://app.example.com';
const FOREIGN = 'https://readiness-probe.invalid';
const p = params.parse({ url: 'https://api.example.com/', allowed_origins: [APP] });
const answer = (origin: string, kind: CorsAnswer['kind'], extra: Partial<CorsAnswer> = {}): CorsAnswer => ({ origin, kind, status: kind === 'preflight' ? 204 : 200, ...extra });

describe('evaluateCors (pure)', () => {
  it('passes a strict allow-list', () => {
    const v = evaluateCors({ allowed: [answer(APP, 'preflight', { allowOrigin: APP, allowCredentials: 'true' }), answer(APP, 'actual', { allowOrigin: APP })], foreign: [answer(FOREIGN, 'preflight'), answer(FOREIGN, 'actual')] }, p);
    expect(v).toMatchObject({ status: 'pass', message: `${APP} allowed; foreign origin ${FOREIGN} not allowed` });
  });
  it('fails a reflected origin with credentials as the dangerous case', () => {
    const v = evaluateCors({ allowed: [], foreign: [answer(FOREIGN, 'actual', { allowOrigin: FOREIGN, allowCredentials: 'true' })] }, p);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('with Access-Control-Allow-Credentials: true (GET) — any site can read authenticated responses');
    // A preflight and the real request showing the same problem make one line, not two.
    const both = evaluateCors({ allowed: [], foreign: [answer(FOREIGN, 'preflight', { allowOrigin: FOREIGN, allowCredentials: 'true' }), answer(FOREIGN, 'actual', { allowOrigin: FOREIGN, allowCredentials: 'true' })] }, p);
    expect(both.message).toBe(
      `foreign origin ${FOREIGN} gets Access-Control-Allow-Origin "${FOREIGN}" with Access-Control-Allow-Credentials: true (preflight and GET) — any site can read authenticated responses; expected no Access-Control-Allow-Origin for it`,
    );
  });
  it('fails plain reflection and wildcard with credentials; warns on a bare wildcard', () => {
    expect(evaluateCors({ allowed: [], foreign: [answer(FOREIGN, 'actual', { allowOrigin: FOREIGN })] }, p).message).toContain('reflects the Origin header');
    expect(evaluateCors({ allowed: [], foreign: [answer(FOREIGN, 'actual', { allowOrigin: '*', allowCredentials: 'true' })] }, p).status).toBe('fail');
    expect(evaluateCors({ allowed: [answer(APP, 'actual', { allowOrigin: '*' })], foreign: [answer(FOREIGN, 'actual', { allowOrigin: '*' })] }, p).status).toBe('warn');
  });
  it('fails an allowed origin that is refused, with expected vs actual', () => {
    const v = evaluateCors({ allowed: [answer(APP, 'preflight', { allowOrigin: 'https://other.example.com' })], foreign: [] }, p);
    expect(v.message).toBe(`preflight from ${APP} is not allowed: Access-Control-Allow-Origin is "https://other.example.com", expected "${APP}"`);
  });
  it('checks announced methods and headers in the preflight', () => {
    const q = params.parse({ url: 'https://a/', allowed_origins: [APP], method: 'DELETE', request_headers: ['Authorization'] });
    const v = evaluateCors({ allowed: [answer(APP, 'preflight', { allowOrigin: APP, allowMethods: 'GET, POST', allowHeaders: 'content-type' })], foreign: [] }, q);
    expect(v.message).toContain('does not allow DELETE');
    expect(v.message).toContain('does not allow header Authorization');
  });
});

describe('http.cors against a real server', () => {
  let server: Running & { url: string };
  const servers: Running[] = [];
  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      const origin = req.headers.origin;
      const headers: Record<string, string> = {};
      if (req.url === '/strict' && origin === APP) Object.assign(headers, { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true', vary: 'Origin' });
      if (req.url === '/reflect' && origin) Object.assign(headers, { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' });
      if (req.url === '/wildcard') Object.assign(headers, { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' });
      if (req.url === '/reflect-no-preflight') {
        if (req.method === 'OPTIONS') return req.socket.destroy();
        if (origin) Object.assign(headers, { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' });
      }
      if (req.method === 'OPTIONS') Object.assign(headers, { 'access-control-allow-methods': 'GET, POST, DELETE', 'access-control-allow-headers': 'authorization, content-type' });
      res.writeHead(req.method === 'OPTIONS' ? 204 : 200, headers).end();
    });
    servers.push(server);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const run = (path: string, extra: object = {}) => runCheck(check, { url: server.url + path, allowed_origins: [APP], ...extra }, { timeoutMs: 3000 });

  it('passes a strict allow-list', async () => {
    const v = await run('/strict', { method: 'DELETE', request_headers: ['authorization'] });
    expect(v.status).toBe('pass');
    expect(v.evidence?.actual).toHaveLength(4);
  });
  it('fails a reflecting server', async () => {
    expect(await run('/reflect')).toMatchObject({ status: 'fail', message: expect.stringContaining(`foreign origin ${FOREIGN} gets Access-Control-Allow-Origin "${FOREIGN}"`) });
  });
  it('fails a wildcard with credentials', async () => {
    expect(await run('/wildcard')).toMatchObject({ status: 'fail', message: expect.stringContaining('"*" with Access-Control-Allow-Credentials: true') });
  });
  it('fails when the allowed origin gets nothing', async () => {
    expect(await run('/none')).toMatchObject({ status: 'fail', message: expect.stringContaining('Access-Control-Allow-Origin is missing') });
  });
  it('fails origin reflection seen on GET although the preflights got no answer, naming those as unchecked', async () => {
    const v = await run('/reflect-no-preflight');
    expect(v.status).toBe('fail');
    expect(v.message).toContain(`foreign origin ${FOREIGN} gets Access-Control-Allow-Origin "${FOREIGN}" with Access-Control-Allow-Credentials: true (GET)`);
    expect(v.unchecked).toHaveLength(1);
    expect(v.unchecked?.[0]).toMatch(/^OPTIONS preflight requests got no answer: .*\/reflect-no-preflight/);
  });
  it('ends with error at the timeout when the server hangs', async () => {
    const hung = await startSilentServer();
    servers.push(hung);
    expect(await runCheck(check, { url: `http://127.0.0.1:${hung.port}/` }, { timeoutMs: 500 })).toMatchObject({ status: 'error', message: expect.stringMatching(/127\.0\.0\.1:\d+ did not answer within 500ms \(waiting for the response\)/) });
  });
});
