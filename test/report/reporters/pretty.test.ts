import { Chalk } from 'chalk';
import chalkGlobal from 'chalk';
import { afterEach, describe, expect, it } from 'vitest';
import { pretty } from '../../../src/report/reporters/pretty.js';
import { allowedReport, emptyReport, fullReport, incompleteReport, interruptedReport, passingReport, report, result } from '../fixtures/reports.js';

const plain = { color: false, verbose: false };
const ESC = '\u001b';

/** The line of a check, found by its id in parentheses. */
const lineOf = (output: string, id: string) => {
  const line = output.split('\n').find((l) => l.includes(`(${id})`));
  if (!line) throw new Error(`no line for ${id} in:\n${output}`);
  return line;
};

describe('pretty reporter', () => {
  const globalLevel = chalkGlobal.level;
  afterEach(() => {
    chalkGlobal.level = globalLevel;
  });

  it('writes no escape sequence at all when colour is off, even for hostile text and a coloured global chalk', () => {
    chalkGlobal.level = 3;
    for (const r of [fullReport, passingReport, interruptedReport, emptyReport]) {
      expect(pretty(r, plain)).not.toContain(ESC);
      expect(pretty(r, { color: false, verbose: true })).not.toContain(ESC);
    }
  });

  it('colours each status as documented when colour is on, even when the global chalk is off', () => {
    chalkGlobal.level = 0;
    const c = new Chalk({ level: 1 });
    const out = pretty(fullReport, { color: true, verbose: false });
    expect(lineOf(out, 'env.backend')).toContain(c.green('✔'));
    expect(lineOf(out, 'env.debug')).toContain(c.yellow('⚠'));
    expect(lineOf(out, 'db.schema')).toContain(c.red('✖'));
    expect(lineOf(out, 'redis.ping')).toContain(c.magenta('✖'));
    expect(lineOf(out, 'redis.ping')).toContain(c.magenta('could not check:'));
    expect(lineOf(out, 'stripe.webhooks')).toContain(c.cyan('◌'));
    expect(lineOf(out, 'redis.persistence')).toContain(c.dim('○'));
    // Hostile escape sequences from a check's message never reach the terminal raw.
    expect(out).not.toContain(`${ESC}[31mred`);
    expect(out).toContain('\\u001b[31mred');
  });

  it('groups checks by section in profile order and lists each check once', () => {
    const out = pretty(fullReport, plain);
    const headings = ['Configuration', 'Infrastructure / Database', 'Infrastructure / Cache', 'Payments', 'Edge <&> "quotes"'];
    const positions = headings.map((h) => out.split('\n').indexOf(h));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const id of ['env.backend', 'db.schema', 'redis.ping', 'stripe.keys', 'i18n.ünïcødé']) {
      expect(out.split('\n').filter((l) => l.includes(`(${id})`))).toHaveLength(1);
    }
  });

  it('counts "not selected" checks on one line instead of listing them', () => {
    const out = pretty(fullReport, plain);
    expect(out).not.toContain('email.spf');
    expect(out).not.toContain('email.dmarc');
    expect(out.split('\n')).not.toContain('Email');
    expect(out).toContain('○ 2 checks not selected (--only/--skip)');
  });

  it('labels each status with its own symbol and never shows skip or waived as a pass', () => {
    const out = pretty(fullReport, plain);
    expect(lineOf(out, 'env.backend')).toMatch(/^ {2}✔ Backend environment is complete/);
    expect(lineOf(out, 'env.debug')).toMatch(/^ {2}⚠ /);
    expect(lineOf(out, 'db.schema')).toMatch(/^ {2}✖ Schema is not up to date/);
    expect(lineOf(out, 'redis.ping')).toMatch(/^ {2}✖ could not check: Redis is not reachable/);
    // Blocked but below --fail-on: shown as not run, not as a gating "not verified".
    expect(lineOf(out, 'redis.persistence')).toMatch(/^ {2}○ .* \[recommended\] — not run: blocked by redis\.ping \(could not check: /);
    for (const id of ['redis.persistence', 'stripe.webhooks', 'stripe.tax']) expect(lineOf(out, id)).not.toContain('✔');
    expect(lineOf(out, 'stripe.webhooks')).toMatch(/^ {2}◌ .* — waived$/);
  });

  it('shows severity only when not critical, and the duration', () => {
    const out = pretty(fullReport, plain);
    expect(lineOf(out, 'env.debug')).toContain('[recommended]');
    expect(lineOf(out, 'stripe.tax')).toContain('[optional]');
    expect(lineOf(out, 'db.schema')).not.toContain('[');
    expect(out).not.toContain('[critical]');
    expect(lineOf(out, 'db.schema')).toMatch(/ 45ms$/);
    expect(lineOf(out, 'redis.ping')).toContain(' 10s ');
  });

  it('puts message, expected/actual, fix and the waiver note under checks that did not pass', () => {
    const lines = pretty(fullReport, plain).split('\n');
    const at = lines.findIndex((l) => l.includes('(db.schema)'));
    expect(lines.slice(at + 1, at + 5)).toEqual([
      '      3 of 11 tables missing: plans, users, invoices',
      '      expected: ["plans", "users", "invoices", "orders"]',
      '      actual: ["orders"]',
      '      fix: Run the migrations: npm run migrate.',
    ]);
    const waived = lines.findIndex((l) => l.includes('(stripe.webhooks)'));
    expect(lines.slice(waived + 1, waived + 6)).toContain('      waived: migrating webhooks | phase 2 (until 2026-12-31, by ops)');
    const tax = lines.findIndex((l) => l.includes('(stripe.tax)'));
    expect(lines[tax + 2]).toBe('      waived: not selling in the EU yet (until 2026-06-30)');
    const expired = lines.findIndex((l) => l.includes('(stripe.keys)'));
    expect(lines.slice(expired + 1, expired + 9)).toContain('      waiver expired: 2026-01-31, the check gates again — accepted until launch (by ops)');
  });

  it('indents every line of a multi-line message and remediation', () => {
    const lines = pretty(fullReport, plain).split('\n');
    const at = lines.findIndex((l) => l.includes('(stripe.keys)'));
    expect(lines.slice(at + 1, at + 4)).toEqual(['      secret key is a test key (sk_test_…4242)', '      while STRIPE_MODE is "live"', '      \tsee the dashboard']);
    expect(lines).toContain('      fix: Use the live secret key from the Stripe dashboard.');
    expect(lines).toContain('           Rotate the test key if it was shared.');
  });

  it('keeps passing checks to one line (with what was found) unless verbose, which shows every evidence detail', () => {
    const quiet = pretty(fullReport, plain);
    const loud = pretty(fullReport, { color: false, verbose: true });
    expect(lineOf(quiet, 'db.connection')).toContain('— connected to PostgreSQL 15.4 in 41ms');
    expect(quiet).not.toContain('host: db.internal');
    expect(loud).toContain('      host: db.internal');
    expect(loud).toContain('      port: 5432');
    expect(loud).toContain('      missing: ["plans", "users", "invoices"]');
    expect(loud).toContain('      docs: docs/checks.md#postgres-schema');
  });

  it('says when a pass needed a retry', () => {
    expect(lineOf(pretty(fullReport, plain), 'db.connection')).toContain('(passed on attempt 2)');
    expect(lineOf(pretty(fullReport, plain), 'redis.ping')).toContain('(3 attempts)');
  });

  it('ends with the summary line, the gate verdict naming what failed it, and the notes', () => {
    const lines = pretty(fullReport, plain).trimEnd().split('\n');
    expect(lines.slice(-4)).toEqual([
      '13 checks: 3 passed, 1 warning, 3 failed, 1 could not check, 3 skipped, 2 waived in 2.35s',
      'Gate: FAILED — 2 critical checks failed: db.schema, stripe.keys; 1 critical check could not be checked: redis.ping',
      'note: env file .env.local not found',
      'note: Waiver for stripe.keys expired on 2026-01-31 (accepted until launch): the check gates again.',
    ]);
  });

  it('words the gate like the issue: failures by severity, or the policy that passed', () => {
    const failing = report([
      result({ id: 'db.schema', status: 'fail', gating: true }),
      result({ id: 'stripe.keys', status: 'fail', gating: true }),
      result({ id: 'cache', status: 'pass' }),
    ]);
    expect(pretty(failing, plain)).toContain('\nGate: FAILED — 2 critical checks failed: db.schema, stripe.keys\n');
    expect(pretty(report([result({ id: 'a', status: 'pass' })]), plain)).toContain('\nGate: PASSED (fail-on critical)\n');
    expect(pretty(passingReport, plain)).toContain('\nGate: PASSED (fail-on recommended, strict)\n');
  });

  it('notes an interrupted run', () => {
    const out = pretty(interruptedReport, plain);
    expect(out.match(/deadline was reached/g)).toHaveLength(1); // the builder's note, not a second one
    expect(out).toContain('note: The run deadline was reached: unfinished checks were not verified.');
    expect(out).toMatch(/^ {2}\? not verified: Slow report endpoint \(api\.slow\) — stopped after 29\.9s: the run deadline \(30s\) was reached$/m);
    expect(out).toContain(
      'Gate: FAILED — 1 critical check failed: headers.csp; 1 critical check warned (--strict): tls.expiry; 2 critical checks were not verified: api.slow (stopped after 29.9s: the run deadline (30s) was reached), api.reports (not started: the run deadline (30s) was reached)',
    );
    // A report without a note about the interruption still says so.
    const signal = pretty({ ...interruptedReport, interrupted: 'signal', notes: [] }, plain);
    expect(signal).toContain('note: The run was interrupted (Ctrl-C): this report is partial.');
  });

  it('renders an empty report', () => {
    // Nothing ran, so nothing was verified: never PASSED.
    expect(pretty(emptyReport, plain)).toBe(
      'Acme API — production (readiness.yaml)\n\n0 checks in 0ms\nGate: INCOMPLETE — no check reached a verdict: every check was left out (--only/--skip), skipped in the profile or stopped\n',
    );
  });

  it('lists the defaults the profile filled in at the top, and the unverified checks with their cause', () => {
    const withDefaults = { ...incompleteReport, defaultsUsed: [{ variable: 'BACKEND_URL', values: ['http://localhost:8000'], checks: ['api.health', 'api.docs'] }] };
    const out = pretty(withDefaults, plain);
    expect(out.split('\n').slice(1, 3)).toEqual([
      "defaults used (the profile's ${VAR:-default}, not the environment):",
      '  BACKEND_URL not set → "http://localhost:8000" (2 checks)',
    ]);
    expect(out).toMatch(/^Gate: INCOMPLETE — /m);
    expect(out).toMatch(/not verified is not passed/);
    expect(pretty({ ...allowedReport }, plain)).toMatch(/^Gate: INCOMPLETE \(allowed by --allow-unverified: exit 0\) — /m);
  });
});
