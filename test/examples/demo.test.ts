// The demo end to end: the reference app in examples/app is the fixture, checked by the built CLI with the
// demo profile (examples/demo/readiness.yaml), exactly as `npm run demo` does. Asserts the expected passes,
// the deliberate warning (certificate expires in ~20 days) and failure (no CSP), and that no secret the
// app uses reaches any output.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../examples/app/server.mjs';
import { DEMO_ARGS, judgeDemo } from '../../examples/demo/run.mjs';
import type { CheckResult, Report } from '../../src/report/model.js';
import { ROOT, runCli, type CliResult } from '../support/cli.js';

type App = Awaited<ReturnType<typeof startApp>>;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(app: App, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(u, { method: init.method ?? 'GET', headers: init.headers, ca: readFileSync(app.caPath), timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timed out: ${url}`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('examples/app: the reference app', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('serves health, auth health, docs and security headers over HTTPS trusted through its own CA — without CSP', async () => {
    const health = await request(app, `${app.url}/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'healthy', database: 'up' });
    expect(JSON.parse((await request(app, `${app.url}/api/auth/health`)).body)).toMatchObject({ status: 'healthy' });
    const docs = await request(app, `${app.url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.body).toContain('/openapi.json');
    expect(health.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    expect(health.headers['x-frame-options']).toBe('DENY');
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['content-security-policy']).toBeUndefined();
  });

  it('redirects plain HTTP to the same path on HTTPS with 301', async () => {
    const r = await request(app, `${app.httpUrl}/pricing?plan=starter`);
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe(`${app.url}/pricing?plan=starter`);
  });

  it('has a certificate that expires in about 20 days', () => {
    const days = (app.certNotAfter.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(19.9);
    expect(days).toBeLessThan(21);
  });

  it('publishes the RS256 public key as JWKS without private members; the private key file is mode 0600', async () => {
    const jwks = JSON.parse((await request(app, `${app.url}/.well-known/jwks.json`)).body);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: app.env.JWT_KID });
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwks.keys[0]).not.toHaveProperty(member);
    expect(Buffer.from(jwks.keys[0].n, 'base64url').length * 8).toBe(2048);
    expect(statSync(app.env.JWT_PRIVATE_KEY_PATH).mode & 0o777).toBe(0o600);
  });

  it('creates the SQLite database with 11 tables and the 4 plans at the checklist prices', () => {
    const db = new Database(app.dbPath, { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
      expect(tables).toHaveLength(11);
      const plans = db.prepare('SELECT name, price_monthly_cents AS m, price_yearly_cents AS y FROM plans ORDER BY m').all();
      expect(plans).toEqual([
        { name: 'Free', m: 0, y: 0 },
        { name: 'Starter', m: 2900, y: 29000 },
        { name: 'Professional', m: 9900, y: 99000 },
        { name: 'Enterprise', m: 49900, y: 499000 },
      ]);
    } finally {
      db.close();
    }
  });

  it('verifies Stripe webhook signatures: a correctly signed event is accepted, a wrong secret is refused', async () => {
    const payload = JSON.stringify({ id: 'evt_test_demo_1', object: 'event', type: 'customer.updated', data: { object: {} } });
    const sign = (secret: string) => Stripe.webhooks.generateTestHeaderString({ payload, secret });
    const post = (signature: string) =>
      request(app, `${app.url}/api/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload });
    expect((await post(sign(app.env.STRIPE_WEBHOOK_SECRET))).status).toBe(200);
    const bad = await post(sign('whsec_not_the_right_secret_at_all'));
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('signature');
    expect((await request(app, `${app.url}/api/webhooks/stripe`)).status).toBe(405);
  });

  it('refuses an anonymous request to a protected route', async () => {
    expect((await request(app, `${app.url}/api/users/me`)).status).toBe(401);
  });
});

describe('examples/app: state', () => {
  it('keeps everything in a temp dir that stop() removes', async () => {
    const app = await startApp();
    expect(existsSync(app.dbPath)).toBe(true);
    await app.stop();
    expect(existsSync(app.dir)).toBe(false);
  });
});

describe('the demo: readiness check on the reference app', () => {
  let app: App;
  let work: string;
  let run: CliResult;
  let report: Report;
  let secrets: string[];
  /** The checks of a type that ran (not those left out by DEMO_ARGS' --skip). */
  const byType = (type: string) => report.results.filter((r) => r.type === type && r.skip?.kind !== 'not-selected');

  beforeAll(async () => {
    app = await startApp();
    work = mkdtempSync(path.join(tmpdir(), 'readiness-demo-test-'));
    const jsonPath = path.join(work, 'report.json');
    run = await runCli(['check', '-p', 'examples/demo/readiness.yaml', ...DEMO_ARGS, '-f', 'pretty', '-f', `json:${jsonPath}`, '-v'], {
      cwd: ROOT,
      env: { ...app.env, NODE_EXTRA_CA_CERTS: app.caPath },
      timeoutMs: 45_000,
    });
    report = JSON.parse(readFileSync(jsonPath, 'utf8'));
    // Every secret the app uses: the webhook secret, the session/CSRF secrets and the private keys.
    const keyBody = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----'));
    secrets = [
      ...app.secretNames.map((name) => app.env[name as keyof typeof app.env]),
      ...keyBody(app.env.JWT_PRIVATE_KEY_PATH),
      ...keyBody(path.join(app.dir, 'tls_key.pem')),
    ];
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('completes with the gate failed (exit 1), not a profile or usage error', () => {
    expect(run.stderr).not.toMatch(/\n\s+at .*\(/); // no stack trace
    expect(run.code).toBe(1);
    expect(report.gate.passed).toBe(false);
  });

  const byId = (id: string) => {
    const r = report.results.find((x) => x.id === id);
    if (!r) throw new Error(`check ${id} is not in the report`);
    return r;
  };

  it('passes the health endpoints, database, JWT, TLS protocol, redirect, webhook, rate-limit and environment checks', () => {
    const mustPass = ['http.endpoint', 'sqlite.schema', 'sqlite.rows', 'jwt.keys', 'jwt.jwks', 'jwt.policy', 'tls.protocols', 'http.redirect',
      'stripe.webhook_probe', 'http.rate_limit', 'http.cors', 'http.cookies', 'http.protected', 'http.compression', 'http.caching', 'html.meta', 'env.vars', 'secrets.strength'];
    for (const type of mustPass) {
      const results = byType(type);
      expect(results.length, `a ${type} check runs in the demo`).toBeGreaterThan(0);
      for (const r of results) expect({ id: r.id, status: r.status, message: r.message }).toMatchObject({ status: 'pass' });
    }
    expect(byId('backend.health').message).toContain('/health answered 200');
    expect(byId('health.auth').message).toContain('/api/auth/health answered 200');
    expect(byId('backend.docs').message).toContain('/docs answered 200');
    expect(byId('db.schema').message).toContain('11 tables');
    expect(byId('db.plans').message).toContain('4 rows');
    expect(byId('jwt.private_key_mode').status).toBe('pass');
    expect(byId('stripe.webhook.probe').message).toContain('rejected a badly signed one');
    expect(byId('rate_limit.api').message).toContain('rate limited after');
  });

  it('warns that the certificate expires in about 20 days', () => {
    const cert = byId('tls.api');
    expect(cert.type).toBe('tls.certificate');
    expect(cert.status).toBe('warn');
    expect(cert.message).toMatch(/expires in (19|20) days/);
  });

  it('fails the CSP checks because Content-Security-Policy is missing, and only those header checks', () => {
    for (const id of ['xss.csp', 'headers.full']) {
      const r = byId(id);
      expect(r.type).toBe('http.headers');
      expect(r.status).toBe('fail');
      expect(r.message.toLowerCase()).toContain('content-security-policy is missing');
      expect(report.gate.failedBy).toContain(id);
    }
    expect(run.stdout).toContain('Content-Security-Policy is missing');
    for (const r of byType('http.headers').filter((x) => !['xss.csp', 'headers.full'].includes(x.id))) expect(r.status, r.id).toBe('pass');
  });

  it('finds nothing else wrong: no other warning, failure, error or blocked check (run.mjs judges the same way)', () => {
    const others = report.results.filter((r: CheckResult) => r.status !== 'pass' && r.skip?.kind !== 'not-selected' && !['tls.api', 'xss.csp', 'headers.full'].includes(r.id));
    expect(others.map((r) => `${r.id}: ${r.status} ${r.message}`)).toEqual([]);
    expect(report.results.filter((r) => r.status === 'pass').length).toBeGreaterThan(40);
    expect(judgeDemo(report)).toEqual({ ok: true, problems: [] });
  });

  it('never shows a secret the app uses, in the pretty output, the verbose log or the JSON report', () => {
    expect(secrets.length).toBeGreaterThan(10);
    const outputs = [run.stdout, run.stderr, JSON.stringify(report)];
    for (const secret of secrets) for (const out of outputs) expect(out.includes(secret), `a secret leaked: ${secret.slice(0, 6)}…`).toBe(false);
  });
});

describe('judgeDemo', () => {
  const result = (id: string, status: CheckResult['status'], message = 'm', skip?: CheckResult['skip']): Partial<CheckResult> => ({ id, type: 'some.type', status, message, ...(skip ? { skip } : {}) });
  const report = (results: Partial<CheckResult>[], passed = false) => ({ results, gate: { status: passed ? 'passed' : 'failed', passed } }) as unknown as Report;
  const deliberate = [result('tls.api', 'warn'), result('xss.csp', 'fail'), result('headers.full', 'fail')];

  it('is ok with exactly the deliberate warning and failures', () => {
    expect(judgeDemo(report([...deliberate, result('backend.health', 'pass')]))).toEqual({ ok: true, problems: [] });
  });

  it('names an unexpected error, a deliberate problem that did not show, a missing check and a gate that passed', () => {
    const v = judgeDemo(report([result('tls.api', 'pass'), result('xss.csp', 'fail'), result('backend.health', 'error', 'connection refused at 127.0.0.1:1')], true));
    expect(v.ok).toBe(false);
    const text = v.problems.join('\n');
    expect(text).toContain('tls.api (some.type) is pass, expected warn');
    expect(text).toContain('headers.full did not run');
    expect(text).toContain('backend.health (some.type) is error, expected pass: connection refused at 127.0.0.1:1');
    expect(text).toContain('the gate is passed');
  });

  it('counts a blocked check as a problem but ignores checks that were not selected', () => {
    expect(judgeDemo(report([...deliberate, result('db.backup_doc', 'skip', 'blocked by repo.app_dir', { kind: 'blocked', detail: 'blocked by repo.app_dir', blockedBy: ['repo.app_dir'] })])).ok).toBe(false);
    expect(judgeDemo(report([...deliberate, result('ddos', 'skip', 'not selected', { kind: 'not-selected', detail: 'not selected' })])).ok).toBe(true);
  });
});

describe('npm run demo', () => {
  it('runs on this machine in well under a minute and exits 0 when it found the deliberate problems', async () => {
    const { spawn } = await import('node:child_process');
    const started = Date.now();
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'examples', 'demo', 'run.mjs')], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', CI: 'true' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 55_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Gate: FAILED');
    expect(result.stdout).toContain('Demo OK');
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
