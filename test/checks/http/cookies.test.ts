import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import check, { evaluateCookies, params, parseSetCookie } from '../../../checks/http/cookies.js';
import { closedPort } from '../../support/http-server.js';
import { runCheck } from '../../support/run-check.js';
import { startHttpServer, startSilentServer, type Running } from '../../support/tls-servers.js';

const SECRET = 'sess-9f8e7d6c5b4a-PLANTED-SECRET';
const p = params.parse({ urls: 'https://a.test/' });
const c = (header: string) => parseSetCookie(header, 'https://a.test/');

describe('evaluateCookies (pure)', () => {
  it('parses attributes and drops the value', () => {
    const f = c(`session=${SECRET}; Path=/; Secure; HttpOnly; SameSite=Lax`);
    expect(f).toEqual({ name: 'session', url: 'https://a.test/', secure: true, httpOnly: true, sameSite: 'Lax' });
    expect(JSON.stringify(f)).not.toContain(SECRET);
  });
  it('passes good cookies', () => {
    expect(evaluateCookies([c('session=x; Secure; HttpOnly; SameSite=Strict'), c('theme=dark; Secure; SameSite=Lax')], p)).toMatchObject({
      status: 'pass',
      message: '2 cookies set with Secure, SameSite and HttpOnly on session cookies',
    });
  });
  it('fails a session cookie without Secure/HttpOnly', () => {
    const v = evaluateCookies([c('connect.sid=x; SameSite=Lax')], p);
    expect(v).toMatchObject({ status: 'fail', message: 'cookie connect.sid (set by https://a.test/): no Secure, no HttpOnly on a session-like cookie' });
    expect(v.remediation).toContain('HttpOnly');
  });
  it('fails SameSite=None without Secure and invalid SameSite; warns on a missing one', () => {
    expect(evaluateCookies([c('pref=1; SameSite=None')], p).message).toContain('SameSite=None without Secure');
    expect(evaluateCookies([c('pref=1; Secure; SameSite=Sometimes')], p).message).toContain('invalid SameSite=Sometimes');
    expect(evaluateCookies([c('pref=1; Secure')], p)).toMatchObject({ status: 'warn', message: expect.stringContaining('no SameSite') });
  });
  it('does not require HttpOnly on non-session cookies, and honours ignore', () => {
    expect(evaluateCookies([c('theme=1; Secure; SameSite=Lax')], p).status).toBe('pass');
    expect(evaluateCookies([c('_ga=1')], params.parse({ urls: ['https://a/'], ignore: ['_ga'] })).status).toBe('pass');
  });
  it('passes when no cookie is set', () => {
    expect(evaluateCookies([], p)).toMatchObject({ status: 'pass', message: 'no cookies set by 1 URL checked' });
  });
});

describe('http.cookies against a real server', () => {
  let server: Running & { url: string };
  const servers: Running[] = [];
  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      if (req.url === '/good') res.setHeader('set-cookie', [`__Host-session=${SECRET}; Path=/; Secure; HttpOnly; SameSite=Lax`, 'theme=dark; Secure; SameSite=Lax']);
      if (req.url === '/bad') res.setHeader('set-cookie', [`sid=${SECRET}; Path=/`, 'tracking=1; SameSite=None']);
      res.writeHead(200).end();
    });
    servers.push(server);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('passes good cookies', async () => {
    const logs: string[] = [];
    const v = await runCheck(check, { urls: [`${server.url}/good`, `${server.url}/none`] }, { logs });
    expect(v.status).toBe('pass');
    expect(JSON.stringify(v) + logs.join('\n')).not.toContain(SECRET);
  });
  it('fails bad cookies without leaking their values', async () => {
    const logs: string[] = [];
    const v = await runCheck(check, { urls: `${server.url}/bad` }, { logs });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('cookie sid');
    expect(v.message).toContain('cookie tracking');
    expect(JSON.stringify(v) + logs.join('\n')).not.toContain(SECRET);
  });
  it('fails bad cookies although another URL is unreachable, naming that URL as unchecked', async () => {
    const port = await closedPort();
    const v = await runCheck(check, { urls: [`http://127.0.0.1:${port}/login`, `${server.url}/bad`] }, { timeoutMs: 3000 });
    expect(v.status).toBe('fail');
    expect(v.message).toContain('cookie sid');
    expect(v.unchecked).toHaveLength(1);
    expect(v.unchecked?.[0]).toContain(`127.0.0.1:${port}`);
    expect(JSON.stringify(v)).not.toContain(SECRET);
  });
  it('ends with error at the timeout when the server hangs', async () => {
    const hung = await startSilentServer();
    servers.push(hung);
    expect(await runCheck(check, { urls: `http://127.0.0.1:${hung.port}/` }, { timeoutMs: 500 })).toMatchObject({ status: 'error', message: expect.stringMatching(/127\.0\.0\.1:\d+ did not answer within 500ms \(waiting for the response\)/) });
  });
});
