import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { tap, tapDescription } from '../../../src/report/reporters/tap.js';
import { FIXTURES, allowedReport, emptyReport, fullReport, incompleteReport, interruptedReport, passingReport } from '../fixtures/reports.js';

const opts = { color: false, verbose: false };

interface TestPoint {
  ok: boolean;
  number: number;
  description: string;
  directive?: 'SKIP' | 'TODO';
  reason?: string;
  diagnostics?: Record<string, unknown>;
}

/** A small TAP 13 consumer: plan, test points with directives (unescaped `#` only), YAML blocks. */
function parseTap(text: string): { plan: string; points: TestPoint[] } {
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toBe('TAP version 13');
  const plan = lines[1];
  expect(plan).toMatch(/^1\.\.\d+( # .*)?$/);
  const points: TestPoint[] = [];
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('#')) continue;
    if (line === '  ---') {
      const end = lines.indexOf('  ...', i);
      expect(end).toBeGreaterThan(i);
      points[points.length - 1].diagnostics = parseYaml(lines.slice(i + 1, end).map((l) => l.slice(2)).join('\n'));
      i = end;
      continue;
    }
    const m = /^(not )?ok (\d+) - (.*)$/.exec(line);
    if (!m) throw new Error(`not a TAP line: ${JSON.stringify(line)}`);
    // The directive starts at the first `#` not escaped by a backslash.
    const rest = m[3];
    let cut = -1;
    for (let j = 0; j < rest.length; j++) {
      if (rest[j] === '\\') j++;
      else if (rest[j] === '#') {
        cut = j;
        break;
      }
    }
    const point: TestPoint = { ok: !m[1], number: Number(m[2]), description: (cut < 0 ? rest : rest.slice(0, cut)).trim() };
    if (cut >= 0) {
      const d = /^#\s*(SKIP|TODO)\b\s*(.*)$/i.exec(rest.slice(cut));
      expect(d, line).not.toBeNull();
      point.directive = d![1].toUpperCase() as 'SKIP' | 'TODO';
      point.reason = d![2];
    }
    points.push(point);
  }
  return { plan, points };
}

describe('tap reporter', () => {
  it('has a version line, a plan matching the test points, and consecutive numbers', () => {
    for (const fixture of Object.values(FIXTURES)) {
      const { plan, points } = parseTap(tap(fixture, opts));
      expect(plan.split(' ')[0]).toBe(`1..${fixture.results.length}`);
      expect(points.map((p) => p.number)).toEqual(fixture.results.map((_, i) => i + 1));
    }
  });

  it('maps statuses to ok / not ok with SKIP and TODO directives, never a plain ok for skip or waived', () => {
    const { points } = parseTap(tap(fullReport, opts));
    fullReport.results.forEach((r, i) => {
      const p = points[i];
      if ((r.status === 'skip' && !r.unverified) || r.status === 'waived') expect([p.ok, p.directive], r.id).toEqual([true, 'SKIP']);
      if (r.status === 'pass') expect([p.ok, p.directive], r.id).toEqual([true, undefined]);
      if (r.status === 'warn' && !r.gating) expect([p.ok, p.directive], r.id).toEqual([true, undefined]);
      if ((r.status === 'fail' || r.status === 'error') && r.gating) expect([p.ok, p.directive], r.id).toEqual([false, undefined]);
      // A failure below --fail-on is reported, but as TODO so the harness agrees with the gate.
      if ((r.status === 'fail' || r.status === 'error') && !r.gating) expect([p.ok, p.directive], r.id).toEqual([false, 'TODO']);
    });
    // Below --fail-on, a blocked check is a plain skip that says what blocked it.
    expect(points[5].reason).toBe('blocked by redis.ping (could not check: connection refused at 127.0.0.1:6380)');
    expect(points[7].reason).toBe('waived: migrating webhooks | phase 2 (until 2026-12-31, by ops)');
    expect(points[11].reason).toBe('not selected (--only db.*)');
    // --strict makes a warning gate; the checks the deadline stopped are not verified: not ok.
    expect(parseTap(tap(interruptedReport, opts)).points.map((p) => p.ok)).toEqual([true, false, false, false, false]);
  });

  it('adds a YAML diagnostics block with message, severity, expected and actual to failures', () => {
    const { points } = parseTap(tap(fullReport, opts));
    expect(points[3].description).toBe('db.schema: Schema is up to date');
    expect(points[3].diagnostics).toEqual({
      status: 'fail',
      severity: 'critical',
      failure_title: 'Schema is not up to date',
      message: '3 of 11 tables missing: plans, users, invoices',
      expected: '["plans", "users", "invoices", "orders"]',
      actual: '["orders"]',
      remediation: 'Run the migrations: npm run migrate.',
      duration_ms: 45,
    });
    expect(points[6].diagnostics?.message).toBe('secret key is a test key (sk_test_…4242)\nwhile STRIPE_MODE is "live"\n\tsee the dashboard');
    expect(points[6].diagnostics?.waiver).toContain('waiver expired on 2026-01-31');
    expect(points[0].diagnostics).toBeUndefined();
    expect(parseTap(tap(fullReport, { color: false, verbose: true })).points[2].diagnostics).toMatchObject({
      status: 'pass',
      attempts: 2,
      details: { host: 'db.internal', port: '5432', ssl: 'true' },
    });
  });

  it('makes a gating check that was not verified `not ok`, with its kind and cause; other skips SKIP with their kind', () => {
    const { points } = parseTap(tap(incompleteReport, opts));
    const byId = (id: string) => points[incompleteReport.results.findIndex((r) => r.id === id)];
    for (const u of incompleteReport.gate.unverified) {
      const p = byId(u.id);
      expect([p.ok, p.directive], u.id).toEqual([false, undefined]);
      expect(p.diagnostics).toMatchObject({ status: 'skip', not_verified: true, severity: 'critical', kind: u.kind });
      expect(p.diagnostics?.cause).toContain(u.detail);
    }
    expect(byId('tls.frontend').diagnostics).toMatchObject({ cause: 'blocked by dns.frontend (failed: DOMAIN is not set (with.name))', blocked_by: ['dns.frontend'] });
    expect(byId('email.send').diagnostics?.cause).toBe('active check not enabled: not sent: email.send sends a real message; set allow_send: true to opt in');
    expect(byId('headers.hsts')).toMatchObject({ ok: true, directive: 'SKIP', reason: 'blocked by dns.frontend (failed: DOMAIN is not set (with.name))' });
    expect(byId('email.mx')).toMatchObject({ ok: true, directive: 'SKIP', reason: 'not applicable: no MX expected: the domain does not receive mail' });
    // The `#` in the profile's reason is after the directive: it stays text.
    expect(byId('backup.restore')).toMatchObject({ ok: true, directive: 'SKIP', reason: 'skipped in the profile: not on staging <b>yet</b> | 50% a:b,c # ask ops' });
    expect(byId('redis.ping')).toMatchObject({ ok: true, directive: 'SKIP', reason: 'not selected (--only/--skip)' });
    expect(byId('dns.frontend')).toMatchObject({ ok: false, directive: 'TODO', diagnostics: expect.objectContaining({ failure_title: 'Frontend DNS does not resolve' }) });

    const lines = tap(incompleteReport, opts).trimEnd().split('\n');
    expect(lines.at(-3)).toBe('# 9 checks: 1 passed, 1 failed, 3 not verified, 4 skipped');
    expect(lines.at(-2)).toMatch(/^# gate: INCOMPLETE — 3 critical checks were not verified: tls\.frontend \(blocked by dns\.frontend .*\), email\.send \(active check not enabled: .*\), stripe\.account \(stopped after 29\.9s: the run deadline \(30s\) was reached\)$/);
    expect(lines.at(-1)).toBe('# note: The run deadline was reached: unfinished checks were not verified.');
  });

  it('with --allow-unverified, an unverified check is an ok SKIP that says it was allowed, and the gate says so', () => {
    const out = tap(allowedReport, opts);
    const { points } = parseTap(out);
    const p = points[allowedReport.results.findIndex((r) => r.id === 'tls.frontend')];
    expect(p).toMatchObject({ ok: true, directive: 'SKIP', reason: 'not verified (allowed by --allow-unverified): blocked by dns.frontend (failed: DOMAIN is not set (with.name))' });
    expect(points.filter((x) => !x.ok).map((x) => x.directive)).toEqual(['TODO']); // only the recommended failure, which does not gate
    expect(out).toMatch(/\n# gate: INCOMPLETE \(allowed by --allow-unverified: exit 0\) — 3 critical checks were not verified: /);
  });

  it('FAILED with unverified checks names both, and the part a failure could not check', () => {
    const out = tap(interruptedReport, opts);
    const { points } = parseTap(out);
    expect(points[2].diagnostics).toMatchObject({ failure_title: 'Security headers are missing', unchecked: ['Permissions-Policy (HEAD request timed out)'] });
    expect(points[4].diagnostics).toMatchObject({ status: 'skip', kind: 'deadline', cause: 'not started: the run deadline (30s) was reached' });
    expect(out).toMatch(/\n# gate: FAILED — 1 critical check failed: headers\.csp; 1 critical check warned \(--strict\): tls\.expiry; 2 critical checks were not verified: api\.slow \(stopped after 29\.9s: .*\), api\.reports \(not started: .*\)\n/);
  });

  it('keeps hostile text from breaking lines or starting a directive', () => {
    const out = tap(fullReport, opts);
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\r');
    const { points } = parseTap(out);
    expect(points[9].description).toContain('http.hostile: Status page says <script>&"\'</script> | 100% a:b,c \\#');
    expect(points[9].directive).toBe('TODO');
    expect(tapDescription('a # SKIP b\\c\nd')).toBe('a \\# SKIP b\\\\c ⏎ d');
  });

  it('ends with the summary and the gate as comments', () => {
    const lines = tap(passingReport, opts).trimEnd().split('\n');
    expect(lines.slice(-2)).toEqual(['# 3 checks: 1 passed, 1 failed, 1 waived', '# gate: PASSED (fail-on recommended, strict)']);
    expect(tap(interruptedReport, opts)).toContain('\n# note: The run deadline was reached');
    // The interruption is said from report.interrupted, also when no note says it.
    expect(tap({ ...interruptedReport, notes: [] }, opts)).toContain('\n# note: The run deadline was reached: unfinished checks were not verified.\n');
  });

  it('plans zero tests for an empty report, whose gate is INCOMPLETE: nothing was verified', () => {
    expect(tap(emptyReport, opts)).toBe(
      'TAP version 13\n1..0 # SKIP no checks in the profile\n# 0 checks\n# gate: INCOMPLETE — no check reached a verdict: every check was left out (--only/--skip), skipped in the profile or stopped\n',
    );
  });
});
