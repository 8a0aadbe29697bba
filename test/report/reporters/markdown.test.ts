import { describe, expect, it } from 'vitest';
import { MARKDOWN_BUDGET_BYTES, escapeMarkdown, markdown } from '../../../src/report/reporters/markdown.js';
import { FIXTURES, allowedReport, emptyReport, fullReport, hostileIncompleteReport, incompleteReport, interruptedReport, passingReport, report, result } from '../fixtures/reports.js';

const opts = { color: false, verbose: false };

/** Cells of a table row, splitting on pipes not escaped by a backslash. */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  for (let i = 1; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\') {
      cell += ch + (line[i + 1] ?? '');
      i++;
    } else if (ch === '|') {
      out.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  return out;
}

/** Tables as arrays of rows of cells (header first, separator dropped). */
function tables(md: string): string[][][] {
  const found: string[][][] = [];
  let current: string[][] | undefined;
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) {
      if (!current) found.push((current = []));
      if (!/^\|( --- \|)+$/.test(line)) current.push(cells(line));
    } else current = undefined;
  }
  return found;
}

const section = (md: string, heading: string) => {
  const start = md.indexOf(heading);
  if (start < 0) throw new Error(`no ${heading}`);
  return tables(md.slice(start))[0];
};

describe('markdown reporter', () => {
  it('has tables whose rows all have as many cells as their header, with no raw newline inside a row', () => {
    for (const fixture of Object.values(FIXTURES)) {
      const md = markdown(fixture, opts);
      for (const line of md.split('\n').filter((l) => l.startsWith('|'))) expect(line.endsWith(' |'), line).toBe(true);
      for (const table of tables(md)) {
        for (const row of table) expect(row.length).toBe(table[0].length);
      }
    }
  });

  it('puts the gate verdict in the heading', () => {
    expect(markdown(fullReport, opts)).toMatch(/^## ❌ Readiness: FAILED — Acme API — production\n\n\*\*Gate:\*\* FAILED — 2 critical checks failed: db\.schema, stripe\.keys; 1 critical check could not be checked: redis\.ping\n/);
    expect(markdown(passingReport, opts)).toMatch(/^## ✅ Readiness: PASSED — .*\n\n\*\*Gate:\*\* PASSED \(fail-on recommended, strict\)\n/);
    expect(markdown(incompleteReport, opts)).toMatch(
      /^## ⚠️ Readiness: INCOMPLETE — Acme API — production\n\n\*\*Gate:\*\* INCOMPLETE — 3 critical checks were not verified: tls\.frontend \(blocked by dns\.frontend \(failed: DOMAIN is not set \(with\.name\)\)\), email\.send \(active check not enabled: /,
    );
    expect(markdown(allowedReport, opts)).toMatch(/^## ⚠️ Readiness: INCOMPLETE — .*\n\n\*\*Gate:\*\* INCOMPLETE \(allowed by --allow-unverified: exit 0\) — 3 critical/);
    expect(markdown(interruptedReport, opts)).toMatch(/^## ❌ Readiness: FAILED — .*\n\n\*\*Gate:\*\* FAILED — 1 critical check failed: headers\.csp; .*; 2 critical checks were not verified: api\.slow/);
  });

  it('summarises the status counts in a table', () => {
    const [summary] = tables(markdown(fullReport, opts));
    expect(summary[0]).toEqual(['✔ Passed', '⚠ Warnings', '✖ Failed', '✖ Could not check', '? Not verified', '○ Skipped', '◌ Waived', 'Total', 'Duration']);
    expect(summary[1]).toEqual(['3', '1', '3', '1', '0', '3', '2', '13', '2.35s']);
    // Not verified apart from the other skips; together they are the skips.
    expect(tables(markdown(incompleteReport, opts))[0][1]).toEqual(['1', '0', '1', '0', '3', '4', '0', '9', '30s']);
  });

  it('lists failing and erroring checks with severity, message, expected/actual and remediation', () => {
    const rows = section(markdown(fullReport, opts), '### Failures (4)');
    expect(rows[0]).toEqual(['', 'Check', 'Severity', 'Message', 'Fix']);
    expect(rows[1]).toEqual([
      '✖ fail',
      '**Schema is not up to date**<br>db.schema',
      'critical (gating)',
      '3 of 11 tables missing: plans, users, invoices<br>expected: \\["plans", "users", "invoices", "orders"\\]<br>actual: \\["orders"\\]',
      'Run the migrations: npm run migrate.',
    ]);
    expect(rows[2][0]).toBe('✖ could not check');
    expect(rows[2][1]).toContain('redis.ping (3 attempts)');
    expect(rows[3][3]).toContain('sk\\_test\\_…4242)<br>while STRIPE\\_MODE is "live"');
    expect(rows[3][3]).toContain('waiver expired on 2026-01-31');
    expect(rows[3][4]).toBe('Use the live secret key from the Stripe dashboard.<br>Rotate the test key if it was shared.');
    expect(rows[4][2]).toBe('optional');
  });

  it('lists warnings and waived checks with reason, expiry and who waived them', () => {
    const md = markdown(fullReport, opts);
    expect(section(md, '### Warnings (1)')[1][0]).toBe('**DEBUG is off**<br>env.debug');
    const waived = section(md, '### Waived (2)');
    expect(waived[0]).toEqual(['Check', 'Message', 'Reason', 'Until', 'By']);
    expect(waived[1].slice(2)).toEqual(['migrating webhooks \\| phase 2', '2026-12-31', 'ops']);
    expect(waived[2].slice(2)).toEqual(['not selling in the EU yet', '2026-06-30', '']);
  });

  it('never lists skipped or waived checks as passed, and only counts the not-selected ones', () => {
    const md = markdown(fullReport, opts);
    const passed = md.slice(md.indexOf('<summary>✔ Passed (3)</summary>'));
    for (const id of ['redis.persistence', 'stripe.webhooks', 'stripe.tax', 'email.spf']) expect(passed).not.toContain(id);
    expect(md).not.toContain('email.spf');
    expect(md).toContain('\n2 checks not selected (--only/--skip).\n');
    expect(section(md, '○ Skipped (1)')[1]).toEqual([
      '**Redis persists data**<br>redis.persistence',
      'blocked',
      'blocked by redis.ping (could not check: connection refused at 127.0.0.1:6380)',
    ]);
    expect(passed).toContain('PostgreSQL is reachable (db.connection, 1.23s, passed on attempt 2)');
  });

  it('lists the checks not verified with kind and cause, open and before the warnings; the Skipped fold keeps the decisions', () => {
    const md = markdown(incompleteReport, opts);
    const heading = '### ? Not verified (3)\n';
    expect(md).toContain(heading);
    expect(md.indexOf(heading)).toBeGreaterThan(md.indexOf('### Failures (1)'));
    expect(md.slice(0, md.indexOf(heading))).not.toContain('<details>'); // not folded
    const rows = section(md, heading);
    expect(rows).toEqual([
      ['Check', 'Kind', 'Cause'],
      ['**Frontend certificate is valid**<br>tls.frontend', 'blocked', 'blocked by dns.frontend (failed: DOMAIN is not set (with.name))'],
      ['**A test email is delivered**<br>email.send', 'not opted in', 'not sent: email.send sends a real message; set allow\\_send: true to opt in'],
      ['**Stripe account can take payments**<br>stripe.account', 'run deadline', 'stopped after 29.9s: the run deadline (30s) was reached'],
    ]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(incompleteReport.gate.unverified.map((u) => expect.stringContaining(u.id)));
    const skipped = section(md, '○ Skipped (3)');
    expect(skipped[0]).toEqual(['Check', 'Kind', 'Reason']);
    expect(skipped.slice(1).map((r) => r[1])).toEqual(['blocked', 'not applicable', 'skipped in the profile']);
    // The profile's reason is escaped: no HTML, no broken cell, no heading.
    expect(skipped[3][2]).toBe('not on staging &lt;b&gt;yet&lt;/b&gt; \\| 50% a:b,c \\# ask ops');
    expect(md).toContain('\n1 check not selected (--only/--skip).\n');
    expect(md).not.toContain('redis.ping');
    // The warning section (when there is one) comes after: FAILED with unverified checks.
    const failed = markdown(interruptedReport, opts);
    expect(failed.indexOf('### ? Not verified (2)')).toBeGreaterThan(failed.indexOf('### Failures (1)'));
    expect(section(failed, '### ? Not verified (2)').slice(1).map((r) => r[1])).toEqual(['run deadline', 'run deadline']);
    expect(section(failed, '### Failures (1)')[1][1]).toBe('**Security headers are missing**<br>headers.csp');
  });

  it('says when --allow-unverified allowed the checks not verified', () => {
    const md = markdown(allowedReport, opts);
    expect(md).toContain('### ? Not verified (3) — allowed by --allow-unverified (exit 0)\n');
    expect(md).toContain('> **Note:** --allow-unverified: the gate is INCOMPLETE but exits 0; this run is not a release verdict.\n');
  });

  it('escapes pipes, newlines and HTML so hostile text cannot break the page', () => {
    const md = markdown(fullReport, opts);
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('<b>');
    expect(md).not.toContain('\u001b');
    expect(md).not.toContain('\r');
    expect(escapeMarkdown('a | b\nc\r\nd <i>&amp; `x` *y* _z_ [l](u) \\|')).toBe(
      'a \\| b<br>c<br>d &lt;i&gt;&amp;amp; \\`x\\` \\*y\\* \\_z\\_ \\[l\\](u) \\\\\\|',
    );
  });

  it('escapes hostile text in the table of checks not verified', () => {
    const md = markdown(hostileIncompleteReport, opts);
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('<b>');
    expect(md).not.toContain('\u001b');
    expect(md).not.toContain('\r');
    const rows = section(md, '### ? Not verified (1)');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toHaveLength(3);
    expect(rows[1][2]).toContain('blocked by &lt;b&gt;"x"&lt;/b&gt; (failed: &lt;script&gt;');
  });

  it('shows run notes and the interruption', () => {
    expect(markdown(fullReport, opts)).toContain('> **Note:** env file .env.local not found\n');
    expect(markdown(interruptedReport, opts)).toContain('> **Note:** The run deadline was reached');
  });

  it('stays under the 1 MiB step summary limit and says what it left out', () => {
    const long = 'x'.repeat(2000);
    const huge = report(
      Array.from({ length: 3000 }, (_, i) => result({ id: `check.${i}`, status: 'fail', message: long, remediation: long, gating: true })),
    );
    const md = markdown(huge, opts);
    expect(Buffer.byteLength(md)).toBeLessThan(MARKDOWN_BUDGET_BYTES);
    const shown = section(md, '### Failures (3000)').length - 1;
    expect(shown).toBeGreaterThan(100);
    expect(md).toContain(`_${3000 - shown} more checks not shown: GitHub limits a step summary to 1 MiB`);
  });

  it('renders an empty report (nothing verified: INCOMPLETE)', () => {
    const md = markdown(emptyReport, opts);
    expect(md).toContain('## ⚠️ Readiness: INCOMPLETE');
    expect(md).not.toContain('### ');
  });
});
