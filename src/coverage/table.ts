// The coverage table as markdown: checklist item → check id → automated/host/manual. Deterministic
// (no dates), so a test can compare the committed file with a fresh rendering.
import { KEY_SEPARATOR } from './checklist.js';
import { kindOf, type Coverage } from './coverage.js';

export interface TableOptions {
  /** Shown in the header, e.g. profiles/saas.yaml. */
  profilePath: string;
  checklistPath: string;
  /** How to regenerate, e.g. `npm run coverage:docs`. */
  command: string;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function renderCoverageTable(coverage: Coverage, options: TableOptions): string {
  const total = coverage.rows.length;
  const { automated, host, manual } = coverage.counts;
  const out: string[] = [
    '# Checklist coverage of the `saas` profile',
    '',
    `<!-- Generated from ${options.profilePath} and ${options.checklistPath} by \`${options.command}\`. Do not edit by hand. -->`,
    '',
    `Every item of the [production readiness checklist](${relativeLink(options.checklistPath)}) is covered by exactly one check of`,
    `[\`${options.profilePath}\`](${relativeLink(options.profilePath)}):`,
    '',
    '| Kind | Items | Meaning |',
    '| --- | ---: | --- |',
    `| automated | ${automated} | checked by \`readiness check\` from CI or the deploy host |`,
    `| host | ${host} | checked on the production server itself: \`readiness check --only tag:host\` |`,
    `| manual | ${manual} | a person confirms it: \`readiness attest <check id> --by <name>\` |`,
    `| **total** | **${total}** | |`,
    '',
  ];
  const problems = coverage.uncovered.length + coverage.duplicated.length + coverage.unknown.length;
  if (problems) out.push(`> **${problems} coverage problem(s)**: run the coverage test (\`npx vitest run test/coverage\`) for details.`, '');

  let section: string | undefined;
  for (const row of coverage.rows) {
    if (row.item.section !== section) {
      section = row.item.section;
      out.push(`## ${section}`, '', '| Item | Check | Kind | Severity |', '| --- | --- | --- | --- |');
    }
    const label = [row.item.subsection, row.item.parent, row.item.text].filter(Boolean).join(KEY_SEPARATOR);
    const checks = row.checks.length ? row.checks.map((c) => `\`${c.id}\``).join(', ') : '**not covered**';
    const kinds = [...new Set(row.checks.map(kindOf))].join(', ') || '—';
    const severity = [...new Set(row.checks.map((c) => c.severity ?? 'critical'))].join(', ') || '—';
    out.push(`| ${cell(label)} | ${checks} | ${kinds} | ${severity} |`);
    const next = coverage.rows[coverage.rows.indexOf(row) + 1];
    if (!next || next.item.section !== section) out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Links in docs/saas-coverage.md are relative to docs/. */
function relativeLink(repoPath: string): string {
  return repoPath.startsWith('docs/') ? repoPath.slice('docs/'.length) : `../${repoPath}`;
}
