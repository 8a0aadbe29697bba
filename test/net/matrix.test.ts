// One failure, one wording: every network check type, run through the engine, against the same broken
// systems (a refused port, a server that never answers, an unknown host, an untrusted certificate, wrong
// credentials) reads the same way — the vocabulary of src/net/failure.ts — and gives reachability advice,
// never the type's own advice for a system that answered. Adding a type is one row in TYPES.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/engine/runner.js';
import { loadCheckType } from '../../src/engine/registry.js';
import { networkFailure } from '../../src/net/failure.js';
import type { ResolvedCheck } from '../../src/profile/load.js';
import type { CheckResult } from '../../src/report/model.js';
import { closedPort, startHttpServer, startSilentServer, type SilentServer, type TestHttpServer } from '../support/http-server.js';
import { makeSelfSigned } from '../support/http-certs.js';
import { startTempPostgres, type TempPostgres } from '../support/postgres-server.js';
import { startTempRedis, type TempRedis } from '../support/redis-server.js';
import { startSmtpServer, testPki, type TestSmtpServer } from '../support/email-smtp.js';
import { startStripeServer, type FakeStripe } from '../support/stripe-server.js';
import { sendgridRoutes, startJsonServer, type TestHttpServer as JsonServer } from '../support/email-http.js';

const TIMEOUT_MS = 1500;
const DNS_HOST = 'readiness-matrix.invalid';
const STRIPE_KEY = 'sk_live_51MatrixSecretKeyAbCdEfGhIjKlMnOp9k2Q';
const SENDGRID_KEY = 'SG.matrixKey12345678.abcdefghijklmnopqrstuvwxyz0123456789ABCD';
const PG_PW = 'Mx7-matrix-SECRET-pg-4410';
const REDIS_PW = 'Mx7-matrix-SECRET-redis-4410';
const SMTP_USER = 'app@example.com';
const SMTP_PW = 'Mx7-matrix-SECRET-smtp-4410';

/** How to point a type at host:port (scheme: 'http' or 'https' for URL-based types). */
interface Row {
  type: string;
  params(host: string, port: number, scheme?: 'http' | 'https'): Record<string, unknown>;
  env?: Record<string, string>;
}

const TYPES: Row[] = [
  { type: 'http.endpoint', params: (h, p, s = 'http') => ({ url: `${s}://${h}:${p}/health` }) },
  { type: 'http.headers', params: (h, p, s = 'http') => ({ url: `${s}://${h}:${p}/` }) },
  { type: 'jwt.jwks', params: (h, p, s = 'http') => ({ url: `${s}://${h}:${p}/.well-known/jwks.json` }) },
  { type: 'tls.certificate', params: (h, p) => ({ host: h, port: p }) },
  { type: 'postgres.connect', params: (h, p) => ({ url: `postgres://app:${PG_PW}@${h}:${p}/app` }) },
  { type: 'redis.connect', params: (h, p) => ({ host: h, port: p }) },
  { type: 'email.smtp', params: (h, p) => ({ host: h, port: p, username: SMTP_USER, password: SMTP_PW }) },
  { type: 'stripe.keys', params: (h, p, s = 'http') => ({ api_base: `${s}://${h}:${p}`, secret_key: STRIPE_KEY }) },
  { type: 'email.sendgrid', params: (h, p, s = 'http') => ({ api_base: `${s}://${h}:${p}`, api_key: SENDGRID_KEY, from: 'App <noreply@example.com>' }) },
];
const row = (type: string) => TYPES.find((r) => r.type === type)!;

/**
 * The types whose family already speaks the shared vocabulary (src/net/failure.ts). The others still word
 * failures their own way (tls, postgres, redis, smtp, stripe, sendgrid/ses, dns): each joins this list as its
 * family moves, and its rows then run. Until then they are not asserted here, rather than asserted wrong.
 */
const ON_SHARED_LAYER = new Set(['http.endpoint', 'http.headers', 'jwt.jwks', 'postgres.connect', 'redis.connect']);
const SHARED = TYPES.filter((r) => ON_SHARED_LAYER.has(r.type)).map((r) => [r.type, r] as const);

async function run(r: Row, params: Record<string, unknown>, baseDir = process.cwd()): Promise<CheckResult> {
  const check = await loadCheckType(r.type);
  const parsed = check.params.safeParse(params);
  if (!parsed.success) throw new Error(`bad params for ${r.type}: ${parsed.error.message}`);
  const resolved: ResolvedCheck = {
    id: `matrix.${r.type}`, type: r.type, check, section: 'Matrix', severity: 'critical', tags: [], needs: [], timeoutMs: TIMEOUT_MS, retries: 0,
    envProblems: [], defaultsUsed: [], covers: [], baseDir, params: parsed.data,
  };
  const { results } = await runChecks([resolved], { concurrency: 1, env: r.env ?? {} });
  return results[0];
}

/** The advice the shared vocabulary gives for this code at this place. */
const adviceFor = (code: string, where: string) => networkFailure(Object.assign(new Error(code), { code }), { where })!.remediation;

async function expectShared(r: Row, result: CheckResult, status: 'error' | 'fail') {
  const check = await loadCheckType(r.type);
  expect({ type: r.type, status: result.status }).toEqual({ type: r.type, status });
  expect(result.remediation).toBeTruthy();
  expect(result.remediation).not.toBe(check.meta.remediation);
}

describe('the same failure reads the same way in every network check type', () => {
  let refusedPort: number;
  let silent: SilentServer;
  let untrusted: TestHttpServer;

  beforeAll(async () => {
    refusedPort = await closedPort();
    silent = await startSilentServer();
    const cert = await makeSelfSigned();
    untrusted = await startHttpServer({ tls: cert, routes: { '/': (_req, res) => void res.end('{}') } });
  });
  afterAll(async () => {
    await Promise.all([silent?.close(), untrusted?.close()]);
  });

  it.each(SHARED)('%s: a refused port', async (_t, r) => {
    const result = await run(r, r.params('127.0.0.1', refusedPort));
    await expectShared(r, result, 'error');
    expect(result.message).toMatch(/connection refused at 127\.0\.0\.1:\d+/);
    expect(result.message).toContain(`127.0.0.1:${refusedPort}`);
    expect(result.remediation).toBe(adviceFor('ECONNREFUSED', `127.0.0.1:${refusedPort}`));
  });

  it.each(SHARED)('%s: a server that accepts and never answers', async (_t, r) => {
    const result = await run(r, r.params('127.0.0.1', silent.port));
    await expectShared(r, result, 'error');
    // host:port, the timeout in force and the stage that hung, in parentheses.
    expect(result.message).toMatch(/127\.0\.0\.1:\d+ did not answer within 1\.5s \((resolving|while|during|waiting|sending)[^)]*\)/);
    expect(result.message).toContain(`127.0.0.1:${silent.port}`);
    expect(result.remediation).toBe(adviceFor('ETIMEDOUT', `127.0.0.1:${silent.port}`));
  });

  it.each(SHARED)('%s: an unknown host', async (_t, r) => {
    const result = await run(r, r.params(DNS_HOST, 443));
    await expectShared(r, result, 'error');
    expect(result.message).toMatch(/cannot resolve host "readiness-matrix\.invalid": no such host \(ENOTFOUND\)/);
    expect(result.remediation).toBe(adviceFor('ENOTFOUND', `${DNS_HOST}:443`));
  });

  // tls.certificate is left out: an untrusted certificate is what it reports (a finding, `fail`).
  const UNTRUSTED = ['http.endpoint', 'http.headers', 'jwt.jwks', 'stripe.keys', 'email.sendgrid'].filter((t) => ON_SHARED_LAYER.has(t)).map((t) => [t, row(t)] as const);
  it.each(UNTRUSTED)('%s: an untrusted (self-signed) certificate is a finding', async (_t, r) => {
    const result = await run(r, r.params('127.0.0.1', untrusted.port, 'https'));
    await expectShared(r, result, 'fail');
    expect(result.message).toMatch(/the TLS certificate of 127\.0\.0\.1:\d+ is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/);
    expect(result.remediation).toBe(adviceFor('DEPTH_ZERO_SELF_SIGNED_CERT', `127.0.0.1:${untrusted.port}`));
  });
});

describe('rejected credentials are a finding (fail) with the credential advice, in every type that takes them', () => {
  let pg: TempPostgres;
  let redis: TempRedis;
  let smtp: TestSmtpServer;
  let stripe: FakeStripe;
  let sendgrid: JsonServer;
  let dir: string;
  let caFile: string;

  beforeAll(async () => {
    const pki = await testPki();
    dir = mkdtempSync(path.join(tmpdir(), 'readiness-matrix-'));
    caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, pki.ca.certPem);
    [pg, redis, smtp, stripe, sendgrid] = await Promise.all([
      startTempPostgres({ password: PG_PW }).then(async (s) => {
        await s.exec(`CREATE ROLE app LOGIN PASSWORD '${PG_PW}'`);
        await s.exec('CREATE DATABASE app OWNER app');
        return s;
      }),
      startTempRedis({ password: REDIS_PW }),
      startSmtpServer({ tls: pki.leaf, auth: { user: SMTP_USER, pass: 'a-different-password' } }),
      startStripeServer({ keys: {} }),
      startJsonServer(sendgridRoutes([])),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([pg?.stop(), redis?.stop(), smtp?.close(), stripe?.close(), sendgrid?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const CASES: Array<[string, () => Record<string, unknown>, () => string]> = [
    ['postgres.connect', () => ({ url: `postgres://app:wrong-password@127.0.0.1:${pg.port}/app` }), () => `127.0.0.1:${pg.port}`],
    ['redis.connect', () => ({ host: '127.0.0.1', port: redis.port, password: 'wrong-password' }), () => `127.0.0.1:${redis.port}`],
    ['email.smtp', () => ({ host: '127.0.0.1', port: smtp.port, username: SMTP_USER, password: SMTP_PW, ca_file: caFile, servername: 'localhost' }), () => `127.0.0.1:${smtp.port}`],
    ['stripe.keys', () => ({ api_base: stripe.apiBase, secret_key: STRIPE_KEY }), () => new URL(stripe.apiBase).host],
    ['email.sendgrid', () => ({ api_base: sendgrid.url, api_key: SENDGRID_KEY }), () => new URL(sendgrid.url).host],
  ];

  // Redis already names host:port and gives the credential advice; the others join with their family.
  it.each(CASES.filter(([type]) => ON_SHARED_LAYER.has(type) || type === 'redis.connect'))('%s: wrong credentials', async (type, params, where) => {
    const r = row(type);
    const result = await run(r, params(), dir);
    await expectShared(r, result, 'fail');
    expect(result.message).toContain(where());
    expect(JSON.stringify(result)).not.toMatch(/wrong-password|Mx7-matrix-SECRET/);
  }, 20_000);
});
