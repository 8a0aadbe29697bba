import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, github } from '../../../src/report/reporters/github.js';
import { allowedReport, emptyReport, fullReport, hostileIncompleteReport, incompleteReport, interruptedReport, passingReport, report, result } from '../fixtures/reports.js';

const opts = { color: false, verbose: false };
const COMMAND = /^::(error|warning|notice) title=([^:]*)::([^\r\n]*)$/;

/** Reverses the workflow command escaping, as the runner does. */
const unescape = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

function annotations(output: string) {
  return output
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = COMMAND.exec(line);
      if (!m) throw new Error(`not a workflow command: ${JSON.stringify(line)}`);
      return { level: m[1], title: unescape(m[2]), message: unescape(m[3]), rawTitle: m[2] };
    });
}

describe('github reporter', () => {
  it('writes one annotation per failing, erroring or warning check, plus one per note', () => {
    const found = annotations(github(fullReport, opts));
    const checks = fullReport.results.filter((r) => ['fail', 'error', 'warn'].includes(r.status));
    expect(found).toHaveLength(checks.length + fullReport.notes.length);
    expect(found.slice(0, checks.length).map((a) => /\(([^()]*)\)$/.exec(a.title)?.[1])).toEqual(checks.map((r) => r.id));
    for (const r of fullReport.results.filter((x) => ['pass', 'skip', 'waived'].includes(x.status))) {
      expect(found.some((a) => a.title.includes(`(${r.id})`))).toBe(false);
    }
  });

  it('uses ::error for checks that fail the gate and ::warning for the others', () => {
    const levels = Object.fromEntries(
      annotations(github(fullReport, opts))
        .filter((a) => a.title.endsWith(')'))
        .map((a) => [/\(([^()]*)\)$/.exec(a.title)![1], a.level]),
    );
    expect(levels).toEqual({ 'env.debug': 'warning', 'db.schema': 'error', 'redis.ping': 'error', 'stripe.keys': 'error', 'http.hostile': 'warning' });
    // --strict: a gating warning is an error; so is each check the deadline left unverified, and the interruption.
    expect(annotations(github(interruptedReport, opts)).map((a) => [a.level, a.title])).toEqual([
      ['error', 'Not verified: Slow report endpoint (api.slow)'],
      ['error', 'Security headers are set (headers.csp)'],
      ['error', 'Certificate is valid for 30 days (tls.expiry)'],
      ['error', 'Not verified: Reports endpoint answers (api.reports)'],
      ['error', 'readiness run interrupted'],
    ]);
    expect(annotations(github(passingReport, opts))).toEqual([expect.objectContaining({ level: 'warning', title: 'README exists (readme)' })]);
  });

  it('titles an annotation with the stable title, and puts the failure title, message, expected/actual and the fix in it', () => {
    const schema = annotations(github(fullReport, opts)).find((a) => a.title === 'Schema is up to date (db.schema)')!;
    expect(schema.message).toBe(
      'Schema is not up to date\n3 of 11 tables missing: plans, users, invoices\nexpected: ["plans", "users", "invoices", "orders"]\nactual: ["orders"]\nfix: Run the migrations: npm run migrate.\nseverity: critical, fails the gate',
    );
    const redis = annotations(github(fullReport, opts)).find((a) => a.title.includes('(redis.ping)'))!;
    expect(redis.title).toBe('Redis is reachable (redis.ping)');
    expect(redis.message.startsWith('Redis is not reachable\ncould not check: connection refused at 127.0.0.1:6380\n')).toBe(true);
  });

  it('writes one ::error per gating check that was not verified, with its cause, and no gate annotation that repeats them', () => {
    const found = annotations(github(incompleteReport, opts));
    expect(found.map((a) => [a.level, a.title])).toEqual([
      ['warning', 'Frontend DNS resolves (dns.frontend)'],
      ['error', 'Not verified: Frontend certificate is valid (tls.frontend)'],
      ['error', 'Not verified: A test email is delivered (email.send)'],
      ['error', 'Not verified: Stripe account can take payments (stripe.account)'],
      ['error', 'readiness run interrupted'],
    ]);
    for (const u of incompleteReport.gate.unverified) {
      const a = found.find((x) => x.title.endsWith(`(${u.id})`))!;
      expect(a.message.split('\n')[0]).toContain(u.detail);
      expect(a.message).toContain('severity: critical, the gate cannot pass until it is verified');
    }
    expect(found[1].message.split('\n')[0]).toBe('blocked by dns.frontend (failed: DOMAIN is not set (with.name))');
    expect(found[2].message.split('\n')[0]).toBe('active check not enabled: not sent: email.send sends a real message; set allow_send: true to opt in');
    // Decisions and checks below --fail-on are not annotated.
    for (const id of ['headers.hsts', 'email.mx', 'backup.restore', 'redis.ping']) expect(found.some((a) => a.title.includes(`(${id})`)), id).toBe(false);
  });

  it('with --allow-unverified, the unverified checks are warnings that say they were allowed', () => {
    const found = annotations(github(allowedReport, opts));
    expect(found.filter((a) => a.level === 'error')).toEqual([]);
    expect(found.filter((a) => a.title.startsWith('Not verified: ')).map((a) => a.message.split('\n')[1])).toEqual(
      Array(3).fill('severity: critical, allowed by --allow-unverified: the gate is INCOMPLETE, the run exits 0'),
    );
    expect(found.at(-1)).toEqual(expect.objectContaining({ level: 'warning', title: 'readiness', message: '--allow-unverified: the gate is INCOMPLETE but exits 0; this run is not a release verdict.' }));
  });

  it('says the gate verdict once when no other annotation says why it did not pass', () => {
    expect(annotations(github(emptyReport, opts))).toEqual([
      expect.objectContaining({ level: 'error', title: 'Readiness gate INCOMPLETE', message: expect.stringMatching(/^INCOMPLETE — no check reached a verdict/) }),
    ]);
    const allLeftOut = report([result({ id: 'a', status: 'skip', message: 'not selected', skip: { kind: 'not-selected', detail: 'not selected' } })]);
    expect(annotations(github(allLeftOut, opts)).map((a) => a.title)).toEqual(['Readiness gate INCOMPLETE']);
    // A failing gate is already said by its ::error annotations.
    expect(annotations(github(fullReport, opts)).some((a) => a.title.startsWith('Readiness gate'))).toBe(false);
  });

  it('escapes %, CR and LF in data and also : and , in properties', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
    expect(escapeProperty('100% a:b,c\nd')).toBe('100%25 a%3Ab%2Cc%0Ad');
    const hostile = annotations(github(fullReport, opts)).find((a) => a.title.includes('(http.hostile)'))!;
    expect(hostile.rawTitle).not.toMatch(/[:,\r\n]/);
    expect(hostile.title).toContain('<script>&"\'</script> | 100% a:b,c #');
    expect(hostile.message).toContain('body contained <script>&"\'</script> | 100% a:b,c #');
    expect(github(fullReport, opts)).not.toContain('\u001b');
  });

  it('escapes hostile text in an unverified check\'s title and cause', () => {
    const out = github(hostileIncompleteReport, opts);
    expect(out).not.toContain('\u001b');
    const [a] = annotations(out);
    expect(a.level).toBe('error');
    expect(a.rawTitle).not.toMatch(/[:,\r\n]/);
    expect(a.title).toContain('Not verified: Hostile <script>&"\'</script> | 100% a:b,c #');
    expect(a.title.endsWith('(x.hostile)')).toBe(true);
    expect(a.message).toContain('blocked by <b>"x"</b> (failed: <script>&"\'</script> | 100% a:b,c #');
  });

  it('reports an interrupted run as an error annotation, from report.interrupted, once', () => {
    const found = annotations(github(interruptedReport, opts));
    expect(found.filter((a) => a.title === 'readiness run interrupted')).toEqual([
      expect.objectContaining({ level: 'error', message: 'The run deadline was reached: unfinished checks were not verified.' }),
    ]);
    expect(found.filter((a) => a.title === 'readiness')).toEqual([]);
    const bare = annotations(github({ ...interruptedReport, interrupted: 'signal', notes: [] }, opts));
    expect(bare.at(-1)).toEqual(expect.objectContaining({ level: 'error', message: 'The run was interrupted (Ctrl-C): this report is partial.' }));
    // A note is only a note: words like "deadline" in it do not make it the interruption.
    const noted = annotations(github(report([result({ id: 'a', status: 'pass' })], { notes: ['deadline for the waiver is near'] }), opts));
    expect(noted).toEqual([expect.objectContaining({ level: 'warning', title: 'readiness', message: 'deadline for the waiver is near' })]);
  });

  it('writes nothing when nothing needs attention', () => {
    expect(github(passingReport, opts)).not.toMatch(/^::error/m);
    const blockedBelowFailOn = result({
      id: 'b',
      status: 'skip',
      severity: 'optional',
      message: 'blocked by a (warning: slow)',
      skip: { kind: 'blocked', detail: 'blocked by a (warning: slow)', blockedBy: ['a'] },
    });
    expect(github(report([result({ id: 'a', status: 'pass' }), blockedBelowFailOn]), opts)).toBe('');
  });
});
