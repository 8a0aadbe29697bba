import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import check, { evaluateCaching, linkedAssets, params } from '../../../checks/http/caching.js';
import { closedPort } from '../../support/http-server.js';
import { runCheck } from '../../support/run-check.js';
import { startHttpServer, startSilentServer, type Running } from '../../support/tls-servers.js';

const p = params.parse({ page: 'https://a/' });
const LONG = 'public, max-age=31536000, immutable';

describe('evaluateCaching (pure)', () => {
  it('passes long-cached assets and no-cache HTML', () => {
    const v = evaluateCaching([{ url: 'https://a/', kind: 'html', status: 200, cacheControl: 'no-cache' }, { url: 'https://a/_next/static/app.js', kind: 'asset', status: 200, cacheControl: LONG }], p);
    expect(v).toMatchObject({ status: 'pass', message: '1 static asset(s) cached ≥ 30d; HTML not cached publicly for long' });
  });
  it('fails short, missing or no-store asset caching with the numbers', () => {
    expect(evaluateCaching([{ url: 'https://a/x.js', kind: 'asset', status: 200, cacheControl: 'max-age=600' }], p).message).toBe('asset https://a/x.js has max-age=600 (10m), below the 30d minimum');
    expect(evaluateCaching([{ url: 'https://a/x.js', kind: 'asset', status: 200 }], p).message).toContain('no max-age (Cache-Control: missing)');
    expect(evaluateCaching([{ url: 'https://a/x.js', kind: 'asset', status: 200, cacheControl: 'no-store' }], p).status).toBe('fail');
  });
  it('fails HTML cached publicly for a day, accepts private or short', () => {
    expect(evaluateCaching([{ url: 'https://a/', kind: 'html', status: 200, cacheControl: 'public, max-age=86400' }], p).message).toMatch(/^HTML https:\/\/a\/ may be cached for 24h \(Cache-Control: public, max-age=86400\); expected at most 5m; no linked assets/);
    expect(evaluateCaching([{ url: 'https://a/', kind: 'html', status: 200, cacheControl: 'private, max-age=86400' }], p).status).not.toBe('fail');
    expect(evaluateCaching([{ url: 'https://a/', kind: 'html', status: 200, cacheControl: 's-maxage=60' }], p).status).not.toBe('fail');
  });
  it('finds linked fingerprinted assets on the same origin', () => {
    const html = `<link rel="stylesheet" href="/_next/static/css/a1b2c3d4e5.css"><script src="/_next/static/chunks/main.js"></script>
      <script src="https://cdn.other.com/x.js"></script><link rel="icon" href="/favicon.ico"><script src='/app.0123456789ab.js'></script>`;
    expect(linkedAssets(html, 'https://a.test/page', new RegExp(params.parse({ page: 'https://a/' }).asset_pattern, 'i'))).toEqual([
      'https://a.test/_next/static/css/a1b2c3d4e5.css',
      'https://a.test/_next/static/chunks/main.js',
      'https://a.test/app.0123456789ab.js',
    ]);
  });
});

describe('http.caching against a real server', () => {
  let server: Running & { url: string };
  const servers: Running[] = [];
  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      if (req.url === '/good') return res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-cache' }).end('<script src="/_next/static/chunks/app-0123abcd.js"></script>');
      if (req.url === '/bad') return res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'public, max-age=604800' }).end('<script src="/assets/app.js"></script>');
      if (req.url?.startsWith('/_next/')) return res.writeHead(200, { 'cache-control': LONG }).end('x');
      res.writeHead(200, { 'cache-control': 'max-age=60' }).end('x');
    });
    servers.push(server);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  it('passes a page with long-cached linked assets', async () => {
    const v = await runCheck(check, { page: `${server.url}/good` });
    expect(v.status).toBe('pass');
    expect((v.evidence?.actual as any[]).map((r) => r.kind)).toEqual(['html', 'asset']);
  });
  it('fails long-cached HTML and short-cached assets', async () => {
    const v = await runCheck(check, { page: `${server.url}/bad` });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('may be cached for 7d');
    expect(v.message).toContain(`asset ${server.url}/assets/app.js has max-age=60`);
  });
  it('fails a short-cached asset although another URL is unreachable, naming that URL as unchecked', async () => {
    const port = await closedPort();
    const v = await runCheck(check, { assets: [`${server.url}/assets/app.js`, `http://127.0.0.1:${port}/b.js`] }, { timeoutMs: 3000 });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`asset ${server.url}/assets/app.js has max-age=60 (1m), below the 30d minimum`);
    expect(v.unchecked).toHaveLength(1);
    expect(v.unchecked?.[0]).toContain(`127.0.0.1:${port}`);
  });
  it('still judges the listed assets when the page is unreachable, without claiming the page links no assets', () => {
    const q = params.parse({ page: 'https://down.test/', assets: ['https://a/app.js'] });
    const down = { status: 'error' as const, message: 'connection refused at down.test:443 (https://down.test/)' };
    const v = evaluateCaching([{ url: 'https://a/app.js', kind: 'asset', status: 200, cacheControl: 'max-age=60' }], q, [down]);
    expect(v).toMatchObject({ status: 'fail', unchecked: ['connection refused at down.test:443 (https://down.test/)'] });
    expect(evaluateCaching([], params.parse({ page: 'https://down.test/' }), [down])).toMatchObject({ status: 'error', message: down.message });
  });
  it('ends with error at the timeout when the server hangs', async () => {
    const hung = await startSilentServer();
    servers.push(hung);
    expect(await runCheck(check, { assets: [`http://127.0.0.1:${hung.port}/a.js`] }, { timeoutMs: 500 })).toMatchObject({ status: 'error', message: expect.stringMatching(/127\.0\.0\.1:\d+ did not answer within 500ms \(waiting for the response\)/) });
  });
});
