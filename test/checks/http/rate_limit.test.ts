import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import check, { evaluateRateLimit, params } from '../../../checks/http/rate_limit.js';
import { runCheck } from '../../support/run-check.js';
import { startHttpServer, startSilentServer, type Running } from '../../support/tls-servers.js';

const p = params.parse({ url: 'https://a/', send_requests: true });

describe('evaluateRateLimit (pure)', () => {
  it('passes a 429 within the budget', () => {
    const v = evaluateRateLimit({ sent: 61, firstLimitedAt: 61, elapsedMs: 800, statuses: { 200: 60, 429: 1 }, headers: { 'retry-after': '30', 'ratelimit-limit': '60' } }, p);
    expect(v).toMatchObject({ status: 'pass', message: 'rate limited after 61 requests in 800ms (advertised limit 60), Retry-After 30' });
  });
  it('warns on a bare 429', () => {
    expect(evaluateRateLimit({ sent: 61, firstLimitedAt: 61, elapsedMs: 800, statuses: {}, headers: {} }, p).status).toBe('warn');
  });
  it('fails when the whole budget got through', () => {
    const v = evaluateRateLimit({ sent: 70, elapsedMs: 1200, statuses: { 200: 70 }, headers: {} }, p);
    expect(v).toMatchObject({ status: 'fail', message: 'sent 70 requests in 1.2s without any 429; expected a limit of 60 per 1m' });
    expect(v.remediation).toContain('429');
  });
  it('is inconclusive when the window ends first', () => {
    expect(evaluateRateLimit({ sent: 20, elapsedMs: 60_000, statuses: {}, headers: {}, stopped: 'window' }, p).message).toContain('inconclusive');
    // Could not check is an error, never a warning that lets the gate pass.
    expect(evaluateRateLimit({ sent: 20, elapsedMs: 60_000, statuses: {}, headers: {}, stopped: 'deadline' }, p)).toMatchObject({ status: 'error', message: 'no 429 after 20 of 70 requests, but the check timed out before the budget was spent: inconclusive' });
  });
  it('is marked active', () => {
    expect(check.meta.active).toBe(true);
  });
});

describe('http.rate_limit against real servers', () => {
  let limited: Running & { url: string };
  let open: Running & { url: string };
  let limitedHits = 0;
  let openHits = 0;
  const servers: Running[] = [];
  beforeAll(async () => {
    limited = await startHttpServer((_req, res) => {
      limitedHits++;
      if (limitedHits > 5) return res.writeHead(429, { 'retry-after': '60', 'ratelimit-limit': '5', 'ratelimit-remaining': '0' }).end();
      res.writeHead(200, { 'ratelimit-limit': '5', 'ratelimit-remaining': String(5 - limitedHits) }).end();
    });
    open = await startHttpServer((_req, res) => {
      openHits++;
      res.writeHead(200).end('ok');
    });
    servers.push(limited, open);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  it('sends nothing without the opt-in', async () => {
    const v = await runCheck(check, { url: open.url });
    expect(v).toMatchObject({ status: 'skip', message: expect.stringContaining('send_requests: true') });
    expect(openHits).toBe(0);
  });
  it('passes a limiter and stops at the first 429', async () => {
    const v = await runCheck(check, { url: limited.url, send_requests: true, limit: 5, margin: 3, concurrency: 1 });
    expect(v).toMatchObject({ status: 'pass', message: expect.stringMatching(/^rate limited after 6 requests .*Retry-After 60$/) });
    expect(limitedHits).toBe(6);
  });
  it('fails an unlimited endpoint and never exceeds limit + margin', async () => {
    const v = await runCheck(check, { url: open.url, send_requests: 'true', limit: 12, margin: 3, concurrency: 4 });
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^sent 15 requests in .* without any 429; expected a limit of 12 per 1m$/);
    expect(openHits).toBe(15);
  });
  it('ends with error at the timeout when the server hangs', async () => {
    const hung = await startSilentServer();
    servers.push(hung);
    expect(await runCheck(check, { url: `http://127.0.0.1:${hung.port}/`, send_requests: true, limit: 2 }, { timeoutMs: 500 })).toMatchObject({ status: 'error', message: expect.stringMatching(/127\.0\.0\.1:\d+ did not answer within 500ms \(waiting for the response\)/) });
  });
});
