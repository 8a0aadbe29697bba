import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import check, { evaluateProtected, params } from '../../../checks/http/protected.js';
import { closedPort } from '../../support/http-server.js';
import { runCheck } from '../../support/run-check.js';
import { startHttpServer, startSilentServer, type Running } from '../../support/tls-servers.js';

const p = params.parse({ endpoints: ['https://a/'] });

describe('evaluateProtected (pure)', () => {
  it('passes 401, 403 and a login redirect', () => {
    expect(evaluateProtected([
      { url: 'https://a/admin', method: 'GET', status: 401 },
      { url: 'https://a/api/me', method: 'GET', status: 403 },
      { url: 'https://a/dashboard', method: 'GET', status: 302, location: 'https://a/login?next=/dashboard' },
    ], p)).toMatchObject({ status: 'pass', message: '3 endpoints refuse anonymous requests' });
  });
  it('fails a 200 as an authentication bypass', () => {
    const v = evaluateProtected([{ url: 'https://a/admin', method: 'GET', status: 200 }], p);
    expect(v).toMatchObject({ status: 'fail', message: 'GET https://a/admin answered 200 without credentials; expected 401 or 403' });
    expect(v.remediation).toContain('authentication');
  });
  it('warns on 404, 500 and redirects elsewhere; rejects login redirects when asked', () => {
    expect(evaluateProtected([{ url: 'https://a/x', method: 'GET', status: 404 }], p).status).toBe('warn');
    expect(evaluateProtected([{ url: 'https://a/x', method: 'GET', status: 500 }], p).status).toBe('warn');
    expect(evaluateProtected([{ url: 'https://a/x', method: 'GET', status: 302, location: 'https://a/' }], p).status).toBe('warn');
    expect(evaluateProtected([{ url: 'https://a/x', method: 'GET', status: 302, location: 'https://a/login' }], params.parse({ endpoints: ['https://a/'], accept_login_redirect: false })).status).toBe('warn');
  });
  it('allows only safe methods', () => {
    expect(params.safeParse({ endpoints: [{ url: 'https://a/', method: 'DELETE' }] }).success).toBe(false);
  });
});

describe('http.protected against a real server', () => {
  let server: Running & { url: string };
  const seen: string[] = [];
  const servers: Running[] = [];
  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      seen.push(`${req.method} ${req.url} auth=${req.headers.authorization ?? ''} cookie=${req.headers.cookie ?? ''}`);
      if (req.url === '/admin') return res.writeHead(req.headers.authorization ? 200 : 401).end();
      if (req.url === '/app') return res.writeHead(302, { location: '/login' }).end();
      if (req.url?.split('?')[0] === '/leaky') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"users":[]}');
      res.writeHead(404).end();
    });
    servers.push(server);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  it('passes protected endpoints and sends no credentials', async () => {
    const v = await runCheck(check, { endpoints: [`${server.url}/admin`, { url: `${server.url}/app`, method: 'HEAD' }] });
    expect(v.status).toBe('pass');
    expect(seen).toContain('GET /admin auth= cookie=');
    expect(seen).toContain('HEAD /app auth= cookie=');
  });
  it('fails an open endpoint', async () => {
    expect(await runCheck(check, { endpoints: [`${server.url}/admin`, `${server.url}/leaky`] })).toMatchObject({ status: 'fail', message: `GET ${server.url}/leaky answered 200 without credentials; expected 401 or 403` });
  });
  it('never shows a token from the URL', async () => {
    const logs: string[] = [];
    const v = await runCheck(check, { endpoints: [`${server.url}/leaky?api_key=PlantedKey123`] }, { logs });
    expect(v.status).toBe('fail');
    expect(JSON.stringify(v) + logs.join('\n')).not.toContain('PlantedKey123');
  });
  it('fails an open endpoint although another endpoint is unreachable, naming that one as unchecked', async () => {
    const port = await closedPort();
    const v = await runCheck(check, { endpoints: [`http://127.0.0.1:${port}/admin`, `${server.url}/leaky`] }, { timeoutMs: 3000 });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`GET ${server.url}/leaky answered 200 without credentials; expected 401 or 403`);
    expect(v.unchecked).toHaveLength(1);
    expect(v.unchecked?.[0]).toContain(`127.0.0.1:${port}`);
  });
  it('ends with error at the timeout when the server hangs', async () => {
    const hung = await startSilentServer();
    servers.push(hung);
    expect(await runCheck(check, { endpoints: [`http://127.0.0.1:${hung.port}/`] }, { timeoutMs: 500 })).toMatchObject({ status: 'error', message: expect.stringMatching(/127\.0\.0\.1:\d+ did not answer within 500ms \(waiting for the response\)/) });
  });
});
