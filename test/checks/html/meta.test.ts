import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import check, { evaluateMeta, params, parseMeta } from '../../../checks/html/meta.js';
import { runCheck } from '../../support/run-check.js';
import { startHttpServer, startSilentServer, type Running } from '../../support/tls-servers.js';

const GOOD = `<!doctype html><html><head><title>Acme &amp; Co — invoices</title>
<meta name="description" content="Send invoices in seconds.">
<meta property="og:title" content="Acme"><meta property="og:image" content="https://acme.test/og.png">
<link rel="canonical" href="https://acme.test/">
<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script></head><body></body></html>`;
const p = params.parse({ url: 'https://acme.test/' });

describe('html.meta (pure)', () => {
  it('parses the head tags', () => {
    expect(parseMeta(GOOD)).toEqual({ title: 'Acme & Co — invoices', description: 'Send invoices in seconds.', ogTitle: 'Acme', ogImage: 'https://acme.test/og.png', canonical: 'https://acme.test/', robots: [] });
  });
  it('passes a complete page', () => {
    expect(evaluateMeta(parseMeta(GOOD), GOOD, 'https://acme.test/', params.parse({ url: 'https://acme.test/', analytics: ['googletagmanager.com'] }))).toMatchObject({
      status: 'pass',
      message: 'https://acme.test/ has title, description, og:title, og:image, canonical and is indexable',
    });
  });
  it('fails missing tags by name', () => {
    const html = '<html><head><title>x</title></head></html>';
    expect(evaluateMeta(parseMeta(html), html, 'https://acme.test/', p).message).toBe('https://acme.test/ is missing description, og:title, og:image, canonical');
  });
  it('fails noindex from meta or header, unless allowed', () => {
    const html = GOOD.replace('</head>', '<meta name="robots" content="noindex, nofollow"></head>');
    expect(evaluateMeta(parseMeta(html), html, 'https://acme.test/', p).message).toContain('is marked noindex (noindex, nofollow)');
    expect(evaluateMeta(parseMeta(GOOD, 'noindex'), GOOD, 'https://acme.test/', p).status).toBe('fail');
    expect(evaluateMeta(parseMeta(html), html, 'https://acme.test/', params.parse({ url: 'https://a/', allow_noindex: true })).status).toBe('pass');
  });
  it('fails a staging canonical and a missing analytics snippet', () => {
    const html = GOOD.replace('https://acme.test/"', 'https://staging.acme.test/"');
    expect(evaluateMeta(parseMeta(html), html, 'https://acme.test/', p).message).toBe('canonical link points to https://staging.acme.test/');
    expect(evaluateMeta(parseMeta(GOOD), GOOD, 'https://acme.test/', params.parse({ url: 'https://a/', analytics: ['plausible.io'] })).message).toContain('no analytics snippet found');
  });
  it('fails noindex on a page read only in part, naming the analytics snippet it could not look for as unchecked', () => {
    const start = GOOD.replace('</body></html>', '<p>…');
    const v = evaluateMeta(parseMeta(start, 'noindex'), start, 'https://acme.test/', params.parse({ url: 'https://acme.test/', analytics: ['plausible.io'] }), true, 2 * 1024 * 1024);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('https://acme.test/ is marked noindex (noindex): search engines will drop it');
    expect(v.unchecked).toEqual(['cannot tell whether the page has an analytics snippet (plausible.io): only the first 2048 KB of https://acme.test/ was read']);
  });
  it('does not call tags missing when the part read ends before </head>', () => {
    const start = '<html><head><title>x</title><script>' + 'x'.repeat(100);
    expect(evaluateMeta(parseMeta(start), start, 'https://acme.test/', p, true, 2048)).toMatchObject({
      status: 'error',
      message: 'cannot tell whether https://acme.test/ has description, og:title, og:image, canonical: only the first 2 KB of https://acme.test/ was read and its <head> does not end there',
    });
  });
});

describe('html.meta against a real server', () => {
  let server: Running & { url: string };
  const servers: Running[] = [];
  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      if (req.url === '/good') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(GOOD);
      if (req.url === '/staging') return res.writeHead(200, { 'content-type': 'text/html', 'x-robots-tag': 'noindex' }).end(GOOD);
      if (req.url === '/big') {
        const page = GOOD.replace('</body>', `<p>${'lorem ipsum '.repeat(200_000)}</p><script src="https://plausible.io/js/script.js"></script></body>`);
        return res.writeHead(200, { 'content-type': 'text/html', 'x-robots-tag': 'noindex' }).end(page);
      }
      if (req.url === '/api') return res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      res.writeHead(404, { 'content-type': 'text/html' }).end('<title>Not found</title>');
    });
    servers.push(server);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  it('passes a good page', async () => {
    expect((await runCheck(check, { url: `${server.url}/good`, analytics: ['googletagmanager.com'] })).status).toBe('pass');
  });
  it('fails noindex via X-Robots-Tag, a 404 and a non-HTML answer', async () => {
    expect((await runCheck(check, { url: `${server.url}/staging` })).message).toContain('is marked noindex (noindex)');
    expect(await runCheck(check, { url: `${server.url}/missing` })).toMatchObject({ status: 'fail', message: `${server.url}/missing answered 404; expected the page` });
    expect((await runCheck(check, { url: `${server.url}/api` })).message).toContain('is application/json, not HTML');
  });
  it('fails noindex on a page larger than it reads, naming the analytics snippet beyond the cut as unchecked', async () => {
    const v = await runCheck(check, { url: `${server.url}/big`, analytics: ['plausible.io'] });
    expect(v.status).toBe('fail');
    expect(v.message).toBe(`${server.url}/big is marked noindex (noindex): search engines will drop it`);
    expect(v.unchecked).toEqual([`cannot tell whether the page has an analytics snippet (plausible.io): only the first 2048 KB of ${server.url}/big was read`]);
  });
  it('ends with error at the timeout when the server hangs', async () => {
    const hung = await startSilentServer();
    servers.push(hung);
    expect(await runCheck(check, { url: `http://127.0.0.1:${hung.port}/` }, { timeoutMs: 500 })).toMatchObject({ status: 'error', message: expect.stringMatching(/127\.0\.0\.1:\d+ did not answer within 500ms \(waiting for the response\)/) });
  });
});
