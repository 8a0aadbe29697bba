import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import check, { evaluateRedirect, startUrl } from '../../../checks/http/redirect.js';
import { runCheck } from '../../support/run-check.js';
import { makeCa, makeCert } from '../../support/certs.js';
import { startHttpServer, startSilentServer, type Running } from '../../support/tls-servers.js';

describe('evaluateRedirect (pure)', () => {
  const start = 'http://example.com/';
  it('passes 301 to https on the same host, then anything', () => {
    const v = evaluateRedirect({ start, end: 'final', hops: [
      { url: start, status: 301, location: 'https://example.com/' },
      { url: 'https://example.com/', status: 308, location: 'https://www.example.com/' },
      { url: 'https://www.example.com/', status: 200 },
    ] });
    expect(v.status).toBe('pass');
    expect(v.message).toBe('http://example.com/ redirects with 301 to https://example.com/; 1 more redirect, then https://www.example.com/ answers 200');
    expect((v.evidence?.details as any).summary).toHaveLength(3);
  });
  it('fails no redirect, redirect to another host first, redirect to http', () => {
    expect(evaluateRedirect({ start, end: 'final', hops: [{ url: start, status: 200 }] }).message).toBe('http://example.com/ answered 200 over plain HTTP instead of redirecting to HTTPS');
    const other = evaluateRedirect({ start, end: 'final', hops: [{ url: start, status: 301, location: 'https://www.example.com/' }, { url: 'https://www.example.com/', status: 200 }] });
    expect(other).toMatchObject({ status: 'fail', message: expect.stringContaining('first redirect goes to another host (www.example.com)') });
    expect(evaluateRedirect({ start, end: 'final', hops: [{ url: start, status: 301, location: 'http://example.com/x' }, { url: 'http://example.com/x', status: 200 }] }).message).toContain('not to https://');
  });
  it('warns on a temporary redirect', () => {
    expect(evaluateRedirect({ start, end: 'final', hops: [{ url: start, status: 302, location: 'https://example.com/' }, { url: 'https://example.com/', status: 200 }] }).status).toBe('warn');
  });
  it('fails a loop and names it', () => {
    const v = evaluateRedirect({ start, end: 'loop', hops: [
      { url: start, status: 301, location: 'https://example.com/' },
      { url: 'https://example.com/', status: 301, location: 'https://example.com/a' },
      { url: 'https://example.com/a', status: 301, location: 'https://example.com/' },
    ] });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('redirect loop: http://example.com/ → https://example.com/ → https://example.com/a → https://example.com/');
  });
  it('fails a first redirect to another host even when the rest of the chain could not be followed', () => {
    const v = evaluateRedirect({ start, end: 'error', errorMessage: 'connection refused at www.example.com:443', hops: [{ url: start, status: 301, location: 'https://www.example.com/' }] });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('first redirect goes to another host (www.example.com) instead of https://example.com; HSTS cannot be set for example.com');
    expect(v.unchecked).toEqual(['could not follow the redirect chain past https://www.example.com/: connection refused at www.example.com:443']);
    // A good first hop and an unfollowable chain: could not check, not a pass or a warning.
    const rest = evaluateRedirect({ start, end: 'error', errorMessage: 'timed out', hops: [{ url: start, status: 301, location: 'https://example.com/' }] });
    expect(rest).toMatchObject({ status: 'error', message: 'could not follow the redirect chain past https://example.com/: timed out' });
  });
  it('masks secrets in URLs', () => {
    const v = evaluateRedirect({ start: 'http://example.com/?token=s3cr3t-value', end: 'final', hops: [{ url: 'http://example.com/?token=s3cr3t-value', status: 200 }] });
    expect(JSON.stringify(v)).not.toContain('s3cr3t-value');
  });
  it('accepts bare hosts and refuses https start URLs', () => {
    expect(String(startUrl('example.com'))).toBe('http://example.com/');
    expect(startUrl('https://example.com/')).toContain('must start with http://');
  });
});

describe('http.redirect against real servers', () => {
  let dir: string;
  let https: Running & { url: string };
  let http: Running & { url: string };
  const servers: Running[] = [];
  let downPort = 9;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'readiness-redirect-'));
    const root = await makeCa();
    const leaf = await makeCert({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], issuer: root, key: { type: 'ec' } });
    await writeFile(join(dir, 'ca.pem'), root.certPem);
    https = await startHttpServer((req, res) => {
      const to = { '/loop1': '/loop2', '/loop2': '/loop1' }[req.url ?? ''];
      if (to) return res.writeHead(301, { location: to }).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    }, { key: leaf.keyPem, cert: leaf.chainPem });
    http = await startHttpServer((req, res) => {
      const port = https.port;
      const routes: Record<string, [number, string | undefined]> = {
        '/': [301, `https://127.0.0.1:${port}/`],
        '/temp': [302, `https://127.0.0.1:${port}/`],
        '/other': [301, `https://localhost:${port}/`],
        '/plain': [200, undefined],
        '/loop': [308, `https://127.0.0.1:${port}/loop1`],
        '/to-down': [301, `http://127.0.0.1:${downPort}/`],
      };
      const [status, location] = routes[req.url ?? ''] ?? [404, undefined];
      res.writeHead(status, location ? { location } : {}).end();
    });
    servers.push(https, http);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });
  const run = (path: string, extra: object = {}) => runCheck(check, { url: http.url + path, ca: 'ca.pem', ...extra }, { baseDir: dir, timeoutMs: 3000 });

  it('passes a 301 to https on the same host', async () => {
    const v = await run('/');
    expect(v.status).toBe('pass');
    expect((v.evidence?.details as any).chain.map((h: any) => h.status)).toEqual([301, 200]);
  });
  it('warns on a temporary redirect', async () => {
    expect(await run('/temp')).toMatchObject({ status: 'warn', message: expect.stringContaining('temporary (302)') });
  });
  it('fails a redirect to another host first', async () => {
    const v = await run('/other');
    expect(v).toMatchObject({ status: 'fail', message: expect.stringContaining('another host (localhost)') });
    expect(v.remediation).toContain('https://127.0.0.1/');
  });
  it('fails when plain HTTP serves the page', async () => {
    expect(await run('/plain')).toMatchObject({ status: 'fail', message: `${http.url}/plain answered 200 over plain HTTP instead of redirecting to HTTPS` });
  });
  it('detects a loop', async () => {
    const v = await run('/loop');
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^redirect loop: .*\/loop1 → .*\/loop2 → .*\/loop1$/);
  });
  it('fails a first redirect to plain http although its target refuses the connection, naming the rest of the chain as unchecked', async () => {
    const down = await startSilentServer();
    await down.close();
    downPort = down.port;
    const v = await run('/to-down');
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`first redirect goes to http://127.0.0.1:${downPort}/, not to https://`);
    expect(v.unchecked).toHaveLength(1);
    expect(v.unchecked?.[0]).toMatch(new RegExp(`^could not follow the redirect chain past http://127\\.0\\.0\\.1:${downPort}/: connection refused`));
  });
  it('ends with error at the timeout when the server hangs, and on refused connections', async () => {
    const hung = await startSilentServer();
    servers.push(hung);
    const started = Date.now();
    const v = await runCheck(check, { url: `http://127.0.0.1:${hung.port}/` }, { timeoutMs: 700 });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(v).toMatchObject({ status: 'error', message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${hung.port} did not answer within 700ms \\(waiting for the response\\)`)) });
    const closed = await startSilentServer();
    await closed.close();
    expect(await runCheck(check, { url: `http://127.0.0.1:${closed.port}/` })).toMatchObject({ status: 'error', message: expect.stringContaining('connection refused') });
  });
});
