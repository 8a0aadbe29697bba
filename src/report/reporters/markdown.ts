// Markdown for $GITHUB_STEP_SUMMARY and PR comments: the gate verdict (PASSED, FAILED, INCOMPLETE) as
// heading, a summary table, then tables of failures (with remediation), checks not verified (open: they
// keep the gate from passing), warnings and waivers; passes and decision skips folded away.
import type { Status } from '../../check.js';
import type { CheckResult, GateStatus, Reporter } from '../model.js';
import {
  STATUS_ICONS,
  STATUS_ORDER,
  attemptsText,
  evidenceLines,
  formatMs,
  gateStatusOf,
  defaultsUsedLines,
  gateVerdict,
  gateWord,
  groupBySection,
  headline,
  isNotSelected,
  truncate,
  visibleControls,
  waiverText,
} from '../format-value.js';
import { SKIP_KIND_WORDS, UNVERIFIED_ICON, reportNotes, unverifiedChecks } from './unverified.js';

/** Longest text in one table cell: GitHub caps a step summary at 1 MiB. */
const MAX_CELL = 600;

/** Inline text: markdown and HTML specials escaped, newlines as <br>, so it cannot break a table. */
export function escapeMarkdown(text: string, max = MAX_CELL): string {
  return truncate(visibleControls(text).trim(), max)
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([|*_`[\]#~])/g, '\\$1')
    .replace(/\t/g, ' ')
    .replace(/\n/g, '<br>');
}

const HEADINGS: Record<string, string> = {
  pass: 'Passed',
  warn: 'Warnings',
  fail: 'Failed',
  error: 'Could not check',
  skip: 'Skipped',
  waived: 'Waived',
};

const GATE_ICONS: Record<GateStatus, string> = { passed: '✅', failed: '❌', incomplete: '⚠️' };

/** The check's headline (its failure title when it did not pass), id and attempts. */
function checkCell(r: CheckResult): string {
  const attempts = attemptsText(r);
  return `**${escapeMarkdown(headline(r))}**<br>${escapeMarkdown(r.id)}${attempts ? ` (${escapeMarkdown(attempts)})` : ''}`;
}

function messageCell(r: CheckResult): string {
  const parts = [escapeMarkdown(r.message)];
  for (const { label, value } of evidenceLines(r.evidence)) parts.push(`${label}: ${escapeMarkdown(value)}`);
  return parts.join('<br>');
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

/** GitHub rejects a step summary over 1 MiB: rows past this many bytes are left out and counted. */
export const MARKDOWN_BUDGET_BYTES = 1_000_000;

interface Budget {
  left: number;
  omitted: number;
}

/** Lines that fit the budget; once one does not fit, the rest are counted as omitted. */
function fit(lines: string[], budget: Budget): string[] {
  const kept: string[] = [];
  for (const line of lines) {
    const size = Buffer.byteLength(line) + 1;
    if (budget.omitted > 0 || size > budget.left) {
      budget.omitted += 1;
      continue;
    }
    budget.left -= size;
    kept.push(line);
  }
  return kept;
}

function table(header: string[], rows: string[][], budget: Budget): string[] {
  const head = [row(header), row(header.map(() => '---'))];
  budget.left -= head.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
  return [...head, ...fit(rows.map(row), budget)];
}

/** The summary columns: the statuses, with the skips that gate but were not verified counted apart from the others. */
type Column = Status | 'unverified';
const COLUMNS: readonly Column[] = STATUS_ORDER.flatMap((s): Column[] => (s === 'skip' ? ['unverified', 'skip'] : [s]));

export const markdown: Reporter = (report) => {
  const out: string[] = [];
  const status = gateStatusOf(report);
  out.push(`## ${GATE_ICONS[status]} Readiness: ${gateWord(status)} — ${escapeMarkdown(report.profile.name, 200)}`, '');
  out.push(`**Gate:** ${escapeMarkdown(gateVerdict(report), 2000)}`, '');
  const defaults = defaultsUsedLines(report);
  if (defaults.length) out.push(`> **Defaults used** (the profile's \`\${VAR:-default}\`, not the environment): ${defaults.map((d) => escapeMarkdown(d, 300)).join('; ')}`, '');

  const { summary } = report;
  const unverifiedCount = summary.unverified ?? 0;
  const counted = (c: Column) => (c === 'unverified' ? unverifiedCount : c === 'skip' ? summary.skip - unverifiedCount : summary[c]);
  // Room for the fixed parts (headings, summary, footer) is kept aside from the start.
  const budget: Budget = { left: MARKDOWN_BUDGET_BYTES - 48_000, omitted: 0 };
  out.push(
    ...table(
      [...COLUMNS.map((c) => (c === 'unverified' ? `${UNVERIFIED_ICON} Not verified` : `${STATUS_ICONS[c]} ${HEADINGS[c]}`)), 'Total', 'Duration'],
      [[...COLUMNS.map((c) => String(counted(c))), String(summary.total), formatMs(report.durationMs)]],
      budget,
    ),
    '',
  );

  const notes = reportNotes(report);
  for (const note of fit(notes.map((n) => `> **Note:** ${escapeMarkdown(n)}`), budget)) out.push(note, '');

  const failing = report.results.filter((r) => r.status === 'fail' || r.status === 'error');
  if (failing.length > 0) {
    out.push(`### Failures (${failing.length})`, '');
    out.push(
      ...table(
        ['', 'Check', 'Severity', 'Message', 'Fix'],
        failing.map((r) => [
          r.status === 'fail' ? '✖ fail' : '✖ could not check',
          checkCell(r),
          escapeMarkdown(r.severity) + (r.gating ? ' (gating)' : ''),
          messageCell(r) + (r.waiver?.expired ? `<br>${escapeMarkdown(waiverText(r) ?? '')}` : ''),
          r.remediation ? escapeMarkdown(r.remediation) : '',
        ]),
        budget,
      ),
      '',
    );
  }

  // Not folded: until these are verified the gate cannot pass (unless --allow-unverified allowed it).
  const unverified = unverifiedChecks(report);
  if (unverified.length > 0) {
    const allowed = report.gate.allowUnverified ? ' — allowed by --allow-unverified (exit 0)' : '';
    out.push(`### ${UNVERIFIED_ICON} Not verified (${unverified.length})${allowed}`, '');
    out.push(
      ...table(
        ['Check', 'Kind', 'Cause'],
        unverified.map(({ check, result }) => [
          result ? checkCell(result) : escapeMarkdown(check.id),
          escapeMarkdown(SKIP_KIND_WORDS[check.kind] ?? check.kind),
          escapeMarkdown(check.detail),
        ]),
        budget,
      ),
      '',
    );
  }

  const warnings = report.results.filter((r) => r.status === 'warn');
  if (warnings.length > 0) {
    out.push(`### Warnings (${warnings.length})`, '');
    out.push(
      ...table(
        ['Check', 'Severity', 'Message', 'Fix'],
        warnings.map((r) => [checkCell(r), escapeMarkdown(r.severity) + (r.gating ? ' (gating)' : ''), messageCell(r), r.remediation ? escapeMarkdown(r.remediation) : '']),
        budget,
      ),
      '',
    );
  }

  const waived = report.results.filter((r) => r.status === 'waived');
  if (waived.length > 0) {
    out.push(`### Waived (${waived.length})`, '');
    out.push(
      ...table(
        ['Check', 'Message', 'Reason', 'Until', 'By'],
        waived.map((r) => [
          checkCell(r),
          messageCell(r),
          escapeMarkdown(r.waiver?.reason ?? ''),
          escapeMarkdown(r.waiver?.until ?? ''),
          escapeMarkdown(r.waiver?.by ?? ''),
        ]),
        budget,
      ),
      '',
    );
  }

  // The skips that do not hold the gate: decisions (profile, not applicable) and checks below --fail-on that had no verdict.
  const skipped = report.results.filter((r) => r.status === 'skip' && !isNotSelected(r) && !r.unverified);
  if (skipped.length > 0) {
    out.push(`<details><summary>○ Skipped (${skipped.length})</summary>`, '');
    out.push(
      ...table(
        ['Check', 'Kind', 'Reason'],
        skipped.map((r) => [checkCell(r), r.skip ? escapeMarkdown(SKIP_KIND_WORDS[r.skip.kind] ?? r.skip.kind) : '', escapeMarkdown(r.skip ? r.skip.detail : r.message)]),
        budget,
      ),
    );
    out.push('', '</details>', '');
  }
  const notSelected = report.results.filter(isNotSelected).length;
  if (notSelected > 0) out.push(`${notSelected} check${notSelected === 1 ? '' : 's'} not selected (--only/--skip).`, '');

  const passes = report.results.filter((r) => r.status === 'pass');
  if (passes.length > 0) {
    out.push(`<details><summary>✔ Passed (${passes.length})</summary>`, '');
    for (const { section, results } of groupBySection(passes)) {
      const items = fit(
        results.map((r) => {
          const attempts = attemptsText(r);
          return `- ${escapeMarkdown(r.title)} (${escapeMarkdown(r.id)}, ${formatMs(r.durationMs)}${attempts ? `, ${attempts}` : ''})`;
        }),
        budget,
      );
      if (items.length > 0) out.push(`**${escapeMarkdown(section)}**`, '', ...items, '');
    }
    out.push('</details>', '');
  }

  if (budget.omitted > 0) {
    const n = budget.omitted;
    out.push(`_${n} more check${n === 1 ? '' : 's'} not shown: GitHub limits a step summary to 1 MiB; the JSON and JUnit reports have all of them._`, '');
  }
  out.push(
    `<sub>${escapeMarkdown(report.tool.name)} ${escapeMarkdown(report.tool.version)} · ${escapeMarkdown(report.profile.path)} · started ${escapeMarkdown(report.startedAt)}</sub>`,
  );
  return `${out.join('\n')}\n`;
};
