import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import check, { evaluateHeaders, params, parseCsp } from '../../../checks/http/headers.js';
import { runCheck } from '../../support/run-check.js';
import { makeCa, makeCert } from '../../support/certs.js';
import { startHttpServer, startSilentServer, type Running } from '../../support/tls-servers.js';

const GOOD = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'self'; script-src 'self' 'nonce-abc'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(), geolocation=()',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
const baseline = params.parse({ url: 'https://x.test/' });
const strict = params.parse({ url: 'https://x.test/', preset: 'strict' });

describe('evaluateHeaders (pure)', () => {
  it('passes a good set under both presets with grade A+', () => {
    expect(evaluateHeaders(GOOD, true, baseline)).toMatchObject({ status: 'pass', message: 'security headers meet the baseline preset (grade A+)' });
    expect(evaluateHeaders(GOOD, true, strict).status).toBe('pass');
  });
  it('fails a missing or short HSTS with the numbers', () => {
    const { ['strict-transport-security']: _, ...noHsts } = GOOD;
    expect(evaluateHeaders(noHsts, true, baseline).message).toBe('Strict-Transport-Security is missing; expected max-age ≥ 15552000');
    const v = evaluateHeaders({ ...GOOD, 'strict-transport-security': 'max-age=86400' }, true, baseline);
    expect(v.message).toBe('HSTS max-age is 86400, below the required 15552000 (six months)');
    expect(v.remediation).toContain('15552000');
    expect(evaluateHeaders({ ...GOOD, 'strict-transport-security': 'max-age=63072000' }, true, params.parse({ url: 'https://x/', hsts_include_subdomains: true })).message).toBe('HSTS lacks includeSubDomains');
  });
  it('warns instead of judging HSTS on plain http', () => {
    expect(evaluateHeaders(GOOD, false, baseline)).toMatchObject({ status: 'warn', message: expect.stringContaining('HSTS not checked') });
  });
  it('accepts CSP frame-ancestors instead of X-Frame-Options, fails neither or ALLOW-FROM', () => {
    const { ['x-frame-options']: _, ...noXfo } = GOOD;
    expect(evaluateHeaders(noXfo, true, baseline).status).toBe('pass');
    const { ['content-security-policy']: __, ...neither } = noXfo;
    expect(evaluateHeaders(neither, true, baseline).message).toContain('clickjacking');
    expect(evaluateHeaders({ ...neither, 'x-frame-options': 'ALLOW-FROM https://a' }, true, baseline).message).toContain('expected DENY or SAMEORIGIN');
  });
  it('requires nosniff exactly', () => {
    expect(evaluateHeaders({ ...GOOD, 'x-content-type-options': 'sniff' }, true, baseline).message).toBe('X-Content-Type-Options is "sniff"; expected exactly nosniff');
  });
  it('passes X-XSS-Protection 0 or absent, only warns on 1', () => {
    expect(evaluateHeaders({ ...GOOD, 'x-xss-protection': '0' }, true, baseline).status).toBe('pass');
    const v = evaluateHeaders({ ...GOOD, 'x-xss-protection': '1; mode=block' }, true, baseline);
    expect(v.status).toBe('warn');
    expect(v.message).toContain('deprecated');
  });
  it('warns on version-leaking Server and X-Powered-By', () => {
    const v = evaluateHeaders({ ...GOOD, server: 'nginx/1.18.0', 'x-powered-by': 'Express' }, true, baseline);
    expect(v.status).toBe('warn');
    expect(v.message).toContain('"nginx/1.18.0"');
    expect(v.message).toContain('Express');
    expect(evaluateHeaders({ ...GOOD, server: 'nginx' }, true, baseline).status).toBe('pass');
  });
  it('strict: flags CSP unsafe-inline / unsafe-eval / object-src / base-uri and weak Referrer-Policy', () => {
    const v = evaluateHeaders({ ...GOOD, 'content-security-policy': "script-src 'self' 'unsafe-inline' 'unsafe-eval'", 'referrer-policy': 'unsafe-url' }, true, strict);
    expect(v.status).toBe('fail');
    for (const part of ["'unsafe-inline'", "'unsafe-eval'", "object-src 'none'", 'base-uri', 'Referrer-Policy "unsafe-url"']) expect(v.message).toContain(part);
    expect((v.evidence?.details as any).grade).not.toBe('A+');
    // A nonce neutralises unsafe-inline in CSP2+ browsers.
    expect(evaluateHeaders({ ...GOOD, 'content-security-policy': GOOD['content-security-policy'].replace("'nonce-abc'", "'nonce-abc' 'unsafe-inline'") }, true, strict).status).toBe('pass');
    const { ['cross-origin-opener-policy']: _, ['permissions-policy']: __, ...noCoop } = GOOD;
    expect(evaluateHeaders(noCoop, true, strict).status).toBe('warn');
  });
  it('applies custom require / forbid / match rules', () => {
    const p = params.parse({ url: 'https://x/', preset: 'none', require: ['X-Request-Id'], forbid: ['X-Debug'], match: { 'Cache-Control': 'no-store' } });
    const v = evaluateHeaders({ 'x-debug': '1', 'cache-control': 'public' }, true, p);
    expect(v.message).toBe('required header X-Request-Id is missing; forbidden header X-Debug is present: "1"; header Cache-Control is "public"; expected it to match /no-store/');
    expect(evaluateHeaders({ 'x-request-id': 'a', 'cache-control': 'no-store' }, true, p).status).toBe('pass');
  });
  it('fails a forbidden header even when a match rule is not a valid regular expression, naming that rule as unchecked', () => {
    const p = params.parse({ url: 'https://x/', preset: 'none', forbid: ['X-Debug'], match: { 'Cache-Control': '(' } });
    const v = evaluateHeaders({ 'x-debug': '1', 'cache-control': 'public' }, true, p);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('forbidden header X-Debug is present: "1"');
    expect(v.unchecked).toEqual(['match rule for Cache-Control is not a valid regular expression: (']);
    expect(evaluateHeaders({ 'cache-control': 'public' }, true, p)).toMatchObject({ status: 'error', message: 'match rule for Cache-Control is not a valid regular expression: (' });
  });
  it('parses CSP directives', () => {
    expect(parseCsp("default-src 'self'; Script-Src 'none'").get('script-src')).toEqual(["'none'"]);
  });
});

describe('http.headers against a real HTTPS server', () => {
  let dir: string;
  let server: Running & { url: string };
  const servers: Running[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'readiness-headers-'));
    const root = await makeCa();
    const leaf = await makeCert({ commonName: 'localhost', altNames: ['127.0.0.1'], issuer: root, key: { type: 'ec' } });
    await writeFile(join(dir, 'ca.pem'), root.certPem);
    server = await startHttpServer((req, res) => {
      if (req.url === '/good') res.writeHead(200, GOOD);
      else if (req.url === '/bad') res.writeHead(200, { 'x-xss-protection': '1; mode=block', server: 'Apache/2.4.41 (Ubuntu)', 'strict-transport-security': 'max-age=300' });
      else if (req.url === '/moved') res.writeHead(301, { location: '/good' });
      else res.writeHead(404);
      res.end('<html></html>');
    }, { key: leaf.keyPem, cert: leaf.chainPem });
    servers.push(server);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });
  const run = (path: string, extra: object = {}) => runCheck(check, { url: server.url + path, ca: 'ca.pem', ...extra }, { baseDir: dir, timeoutMs: 3000 });

  it('passes good headers (after following a redirect)', async () => {
    const v = await run('/moved', { preset: 'strict' });
    expect(v.status).toBe('pass');
    expect(v.evidence?.details).toMatchObject({ grade: 'A+', url: `${server.url}/good`, status: 200 });
  });
  it('fails bad headers with expected next to actual', async () => {
    const v = await run('/bad');
    expect(v.status).toBe('fail');
    expect(v.message).toContain('HSTS max-age is 300, below the required 15552000');
    expect(v.message).toContain('X-Content-Type-Options is missing');
    expect(v.message).toContain('Server header reveals a version: "Apache/2.4.41 (Ubuntu)"');
    expect(v.evidence?.actual).toMatchObject({ 'x-xss-protection': '1; mode=block' });
    expect(v.remediation).toBeTruthy();
  });
  it('never shows a password or token from the URL', async () => {
    const logs: string[] = [];
    const url = server.url.replace('https://', 'https://deploy:PlantedPassw0rd@') + '/bad?token=PlantedTok3n';
    const v = await runCheck(check, { url, ca: 'ca.pem' }, { baseDir: dir, timeoutMs: 3000, logs });
    expect(v.status).toBe('fail');
    const all = JSON.stringify(v) + logs.join('\n');
    expect(all).not.toContain('PlantedPassw0rd');
    expect(all).not.toContain('PlantedTok3n');
  });
  it('fails when the certificate is not trusted (clients refuse it too: a finding, the one rule of src/net/failure.ts)', async () => {
    const v = await run('/good', { ca: undefined });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('TLS certificate');
    expect((await run('/good', { ca: undefined, insecure: true })).status).toBe('pass');
  });
  it('ends with error at the timeout when the server hangs', async () => {
    const hung = await startSilentServer();
    servers.push(hung);
    const v = await runCheck(check, { url: `https://127.0.0.1:${hung.port}/` }, { timeoutMs: 600 });
    expect(v).toMatchObject({ status: 'error', message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${hung.port} did not answer within 600ms \\(waiting for the response\\)`)) });
    expect(v.remediation).toMatch(/this host can reach it/);
  });
});
