import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import check, { evaluateCompression, params } from '../../../checks/http/compression.js';
import { closedPort } from '../../support/http-server.js';
import { runCheck } from '../../support/run-check.js';
import { startHttpServer, startSilentServer, type Running } from '../../support/tls-servers.js';

const p = params.parse({ urls: 'https://a/' });
const BIG = 'body { color: red; }\n'.repeat(500);

describe('evaluateCompression (pure)', () => {
  it('passes br/gzip text with Vary', () => {
    expect(evaluateCompression([{ url: 'https://a/x.css', status: 200, contentType: 'text/css', contentEncoding: 'br', vary: 'Accept-Encoding', bytes: 900 }], p)).toMatchObject({ status: 'pass', message: '1 of 1 text response compressed' });
  });
  it('fails large uncompressed text with the size and content type', () => {
    const v = evaluateCompression([{ url: 'https://a/app.js', status: 200, contentType: 'application/javascript; charset=utf-8', bytes: 50_000 }], p);
    expect(v.message).toBe('https://a/app.js (application/javascript, 50000 bytes) is served uncompressed; expected br or gzip');
    expect(v.remediation).toContain('gzip');
  });
  it('ignores small bodies and non-text types', () => {
    expect(evaluateCompression([{ url: 'https://a/', status: 200, contentType: 'application/json', bytes: 100 }, { url: 'https://a/i.png', status: 200, contentType: 'image/png', bytes: 90_000 }], p).status).toBe('pass');
  });
  it('warns when Vary: Accept-Encoding is missing; fails error pages', () => {
    expect(evaluateCompression([{ url: 'https://a/', status: 200, contentType: 'text/html', contentEncoding: 'gzip', bytes: 2000 }], p).status).toBe('warn');
    expect(evaluateCompression([{ url: 'https://a/', status: 404, contentType: 'text/html', bytes: 2000 }], p).status).toBe('fail');
  });
});

describe('http.compression against a real server', () => {
  let server: Running & { url: string };
  const servers: Running[] = [];
  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      const accepts = String(req.headers['accept-encoding'] ?? '');
      if (req.url === '/good.css' && accepts.includes('br')) return res.writeHead(200, { 'content-type': 'text/css', 'content-encoding': 'br', vary: 'Accept-Encoding' }).end(brotliCompressSync(BIG));
      if (req.url === '/good.css' && accepts.includes('gzip')) return res.writeHead(200, { 'content-type': 'text/css', 'content-encoding': 'gzip', vary: 'Accept-Encoding' }).end(gzipSync(BIG));
      res.writeHead(200, { 'content-type': 'text/css' }).end(BIG);
    });
    servers.push(server);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  it('passes a compressing server', async () => {
    expect((await runCheck(check, { urls: [`${server.url}/good.css`] })).status).toBe('pass');
    expect((await runCheck(check, { urls: [`${server.url}/good.css`], encodings: ['gzip'] })).status).toBe('pass');
  });
  it('fails an uncompressed stylesheet', async () => {
    const v = await runCheck(check, { urls: [`${server.url}/good.css`, `${server.url}/plain.css`] });
    expect(v).toMatchObject({ status: 'fail', message: `${server.url}/plain.css (text/css, ${BIG.length} bytes) is served uncompressed; expected br or gzip` });
  });
  it('fails an uncompressed stylesheet although another URL is unreachable, naming that URL as unchecked', async () => {
    const port = await closedPort();
    const v = await runCheck(check, { urls: [`http://127.0.0.1:${port}/app.js`, `${server.url}/plain.css`] }, { timeoutMs: 3000 });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`${server.url}/plain.css (text/css, ${BIG.length} bytes) is served uncompressed; expected br or gzip`);
    expect(v.unchecked).toHaveLength(1);
    expect(v.unchecked?.[0]).toContain(`127.0.0.1:${port}`);
  });
  it('ends with error at the timeout when the server hangs', async () => {
    const hung = await startSilentServer();
    servers.push(hung);
    expect(await runCheck(check, { urls: `http://127.0.0.1:${hung.port}/` }, { timeoutMs: 500 })).toMatchObject({ status: 'error', message: expect.stringMatching(/127\.0\.0\.1:\d+ did not answer within 500ms \(waiting for the response\)/) });
  });
});
