// The bundled saas profile: it loads (every parameter valid for its check type), its structure follows the
// checklist, and a run with no environment at all ends quickly with a report whose every failure says which
// variable, service or attestation is missing. The run uses the built CLI (npm run build first).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile, type Profile } from '../../src/profile/load.js';
import { ROOT, runCli, type CliResult } from '../support/cli.js';

const PROFILE = resolve(ROOT, 'profiles', 'saas.yaml');

/** A production-shaped environment: every variable the profile reads without a default. */
const FULL_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  APP_DIR: '/srv/app',
  DOMAIN: 'example.com',
  BACKEND_URL: 'https://api.example.com',
  FRONTEND_URL: 'https://example.com',
  DATABASE_URL: 'postgres://app:a-long-database-password@db.example.com:5432/app',
  REDIS_HOST: 'redis.example.com',
  REDIS_PORT: '6379',
  REDIS_PASSWORD: 'a-long-redis-password-0123456789',
  JWT_PRIVATE_KEY_PATH: '/srv/keys/jwt_private.pem',
  JWT_PUBLIC_KEY_PATH: '/srv/keys/jwt_public.pem',
  STRIPE_SECRET_KEY: 'sk_test_readinessDummy000000',
  STRIPE_TEST_SECRET_KEY: 'sk_test_readinessDummy000000',
  STRIPE_WEBHOOK_SECRET: 'whsec_readinessDummy',
  ...Object.fromEntries(['STARTER', 'PROFESSIONAL', 'ENTERPRISE'].flatMap((p) => [[`STRIPE_PRICE_${p}_MONTHLY`, 'price_m'], [`STRIPE_PRICE_${p}_YEARLY`, 'price_y']])),
  EMAIL_FROM: 'noreply@example.com',
  SMTP_HOST: 'smtp.example.com',
  SMTP_USER: 'apikey',
  SMTP_PASSWORD: 'smtp-password',
  SENDGRID_API_KEY: 'SG.dummy',
  AWS_REGION: 'us-east-1',
  PROMETHEUS_URL: 'https://prometheus.example.com',
  GRAFANA_URL: 'https://grafana.example.com',
  STATUS_PAGE_URL: 'https://status.example.com',
  UPTIME_MONITOR_URL: 'https://uptime.example.com',
  LOG_AGGREGATOR_URL: 'https://logs.example.com/ready',
};

describe('profiles/saas.yaml structure', () => {
  let profile: Profile;
  beforeAll(async () => {
    profile = await loadProfile(PROFILE, { env: FULL_ENV });
  });

  it('loads with every parameter valid when the environment is complete', () => {
    const notReady = profile.checks.filter((c) => c.envProblems.length).map((c) => `${c.id}: ${c.envProblems.map((p) => p.message).join('; ')}`);
    expect(notReady).toEqual([]);
    expect(profile.checks.length).toBeGreaterThan(250);
    expect(profile.signoffRoles).toEqual(['Technical Lead', 'DevOps Engineer', 'Security Officer', 'Product Manager']);
  });

  it('runs every host check only on a systemd server (they need host.systemd)', () => {
    const host = profile.checks.filter((c) => c.tags.includes('host') && c.id !== 'host.systemd');
    expect(host.length).toBeGreaterThanOrEqual(30);
    expect(host.filter((c) => !c.needs.includes('host.systemd')).map((c) => c.id)).toEqual([]);
    expect(host.filter((c) => c.type === 'systemd.unit').length).toBeGreaterThanOrEqual(5);
  });

  it('tags areas so the Validation Commands map to selections', () => {
    const tags = new Set(profile.checks.flatMap((c) => c.tags));
    for (const tag of ['database', 'redis', 'stripe', 'email', 'tls', 'headers', 'env', 'host', 'docs', 'backup', 'health', 'manual']) expect(tags, tag).toContain(tag);
    const health = profile.checks.filter((c) => c.tags.includes('health')).map((c) => c.id);
    expect(health).toEqual(expect.arrayContaining(['backend.health', 'health.auth', 'frontend.up']));
  });

  it('uses the Quick Reference localhost defaults for the health endpoints', async () => {
    const bare = await loadProfile(PROFILE, { env: { PATH: process.env.PATH } });
    const url = (id: string) => (bare.checks.find((c) => c.id === id)?.params as { url: string }).url;
    expect(url('backend.health')).toBe('http://localhost:8000/health');
    expect(url('health.auth')).toBe('http://localhost:8000/api/auth/health');
    expect(url('frontend.up')).toBe('http://localhost:3000');
  });

  it('gives sections that mirror the checklist and severities from its Completion Summary', () => {
    const sections = new Set(profile.checks.map((c) => c.section.split(' / ')[0]));
    for (const s of ['Infrastructure', 'Security', 'Stripe Integration', 'Email Service', 'Environment Configuration', 'Deployment', 'Monitoring & Logging', 'Backup & Recovery', 'Documentation', 'Testing', 'Launch Preparation']) {
      expect(sections, s).toContain(s);
    }
    const severity = (id: string) => profile.checks.find((c) => c.id === id)?.severity;
    expect(severity('backend.health')).toBe('critical');
    expect(severity('stripe.webhook.endpoint')).toBe('critical');
    expect(severity('backup.timer')).toBe('recommended');
    expect(severity('logs.aggregation')).toBe('optional');
    // Items the checklist marks "(optional)" are optional.
    const optionalItems = profile.checks.filter((c) => c.covers.some((k) => /\(optional\)$/.test(k)));
    expect(optionalItems.filter((c) => c.severity !== 'optional').map((c) => c.id)).toEqual([]);
  });

  it('gives every env/file/command check its own fix (the generic type text would send an engineer the wrong way)', async () => {
    // The generic fixes of these types talk about `chmod 600`, `openssl rand` or "install the program",
    // which is wrong for a missing test report, DEBUG=true or a missing architecture document.
    const generic = profile.checks.filter((c) => ['env.vars', 'file', 'command'].includes(c.check.meta.type) && !c.remediation);
    expect(generic.map((c) => c.id)).toEqual([]);
    const leaked = profile.checks.filter((c) => c.remediation && /sk_live_[A-Za-z0-9]{4}|whsec_[A-Za-z0-9]{4}/.test(c.remediation));
    expect(leaked.map((c) => c.id)).toEqual([]);
  });

  it('keeps active checks opt-in by default', () => {
    const active = profile.checks.filter((c) => c.check.meta.active);
    expect(active.map((c) => c.id).sort()).toEqual(['email.send', 'rate_limit.api', 'stripe.webhook.probe']);
    for (const c of active) {
      const p = c.params as Record<string, unknown>;
      expect(p.send_requests ?? p.send_signed_event ?? p.allow_send, c.id).toBe(false);
    }
  });
});

describe('a run of the saas profile with no environment at all', () => {
  let cwd: string;
  let result: CliResult;
  let elapsedMs: number;
  let report: {
    summary: Record<string, number>;
    gate: { status: string; unverified: { id: string }[] };
    results: { id: string; status: string; severity: string; message: string; skip?: { kind: string; blockedBy?: string[] } }[];
  };

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'readiness-saas-empty-'));
    const started = Date.now();
    // runCli passes only PATH and HOME (plus CI/NO_COLOR): no DATABASE_URL, no STRIPE_SECRET_KEY, nothing else.
    result = await runCli(['check', '--profile', PROFILE, '--timeout', '3s', '-f', 'pretty', '-f', 'json:report.json'], { cwd, timeoutMs: 60_000 });
    elapsedMs = Date.now() - started;
    report = JSON.parse(readFileSync(join(cwd, 'report.json'), 'utf8'));
  }, 90_000);
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('never reports PASSED: the gate failed, and the checks blocked by what failed are listed as not verified', () => {
    expect(report.gate.status).toBe('failed');
    expect(result.stdout).toMatch(/^Gate: FAILED — .*critical checks were not verified: /m);
    const blockedCritical = report.results.filter((r) => r.skip?.kind === 'blocked' && r.severity === 'critical').map((r) => r.id);
    expect(blockedCritical.length).toBeGreaterThan(50);
    expect(report.gate.unverified.map((u) => u.id)).toEqual(expect.arrayContaining(blockedCritical));
  });

  it('exits 1 (gate failed), not 2 (profile/usage error), without crashing', () => {
    expect(result.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
    expect(result.stderr).not.toMatch(/TypeError|ReferenceError|check crashed/);
    expect(result.stdout).not.toMatch(/check crashed/);
    expect(result.code).toBe(1);
    expect(report.summary.total).toBe(report.results.length);
  });

  it('finishes well within its timeouts', () => {
    expect(elapsedMs).toBeLessThan(30_000);
    const timedOut = report.results.filter((r) => /timed out/.test(r.message)).map((r) => r.id);
    expect(timedOut).toEqual([]);
  });

  it('says for every failure which variable, service or attestation is missing', () => {
    const reasons: [string, RegExp][] = [
      ['missing variable', /\b[A-Z][A-Z0-9_]{2,}\b.*\b(is|are) not set\b|\bvariables? not set: [A-Z]|none of [A-Z][A-Z0-9_]+/],
      ['unreachable service', /connection refused at [\w.-]+:\d+|systemd is not running on this machine|systemctl not found/],
      ['manual item', /^not attested — run: readiness attest /],
    ];
    const bad = report.results.filter((r) => r.status === 'fail' || r.status === 'error');
    expect(bad.length).toBeGreaterThan(20);
    const unexplained = bad.filter((r) => !reasons.some(([, re]) => re.test(r.message))).map((r) => `${r.id}: ${r.message}`);
    expect(unexplained).toEqual([]);
    // The dependent checks are blocked (not verified) instead of failing noisily, naming the root cause.
    const blocked = report.results.filter((r) => r.status === 'skip' && r.skip?.kind === 'blocked');
    expect(blocked.length).toBeGreaterThan(100);
    expect(report.results.find((r) => r.id === 'db.schema')).toMatchObject({ skip: { kind: 'blocked', blockedBy: ['db.connect'] }, message: expect.stringMatching(/^blocked by db\.connect \(failed: DATABASE_URL is not set/) });
    expect(report.results.find((r) => r.id === 'db.connect')?.message).toMatch(/DATABASE_URL is not set/);
    expect(report.results.find((r) => r.id === 'backend.health')?.message).toMatch(/connection refused at localhost:8000/);
    expect(report.results.find((r) => r.id === 'services.nginx')?.message).toMatch(/^blocked by host\.systemd/);
  });

  it('prints a readable report on stdout', () => {
    expect(result.stdout).toContain('DATABASE_URL is not set');
    expect(result.stdout).toContain('not attested');
  });

  it('selects the checklist validation areas by tag (Stripe here)', async () => {
    const stripe = await runCli(['check', '--profile', PROFILE, '--only', 'tag:stripe', '--timeout', '3s', '-f', 'json:stripe.json'], { cwd, timeoutMs: 60_000 });
    expect(stripe.code).toBe(1);
    const run = JSON.parse(readFileSync(join(cwd, 'stripe.json'), 'utf8')) as typeof report;
    const ran = run.results.filter((r) => r.skip?.kind !== 'not-selected').map((r) => r.id);
    expect(ran).toContain('stripe.connection');
    expect(ran).not.toContain('redis.connect');
    expect(ran).toContain('db.connect'); // needed by stripe.subscription_created, so selected with it
  }, 60_000);
});
