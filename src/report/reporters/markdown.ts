// Markdown for $GITHUB_STEP_SUMMARY and PR comments: the gate verdict as heading, a summary table,
// then tables of failures (with remediation), warnings and waivers; passes and skips folded away.
import type { CheckResult, Reporter } from '../model.js';
import {
  STATUS_ICONS,
  STATUS_ORDER,
  attemptsText,
  evidenceLines,
  formatMs,
  gateVerdict,
  groupBySection,
  isNotSelected,
  runNotes,
  truncate,
  visibleControls,
  waiverText,
} from '../format-value.js';

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

function checkCell(r: CheckResult): string {
  const attempts = attemptsText(r);
  return `**${escapeMarkdown(r.title)}**<br>${escapeMarkdown(r.id)}${attempts ? ` (${escapeMarkdown(attempts)})` : ''}`;
}

function messageCell(r: CheckResult): string {
  const parts = [escapeMarkdown(r.message)];
  for (const { label, value } of evidenceLines(r.evidence)) parts.push(`${label}: ${escapeMarkdown(value)}`);
  return parts.join('<br>');
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

function table(header: string[], rows: string[][]): string[] {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)];
}

export const markdown: Reporter = (report) => {
  const out: string[] = [];
  const passed = report.gate.passed;
  out.push(`## ${passed ? '✅' : '❌'} Readiness: ${passed ? 'PASSED' : 'FAILED'} — ${escapeMarkdown(report.profile.name, 200)}`, '');
  out.push(`**Gate:** ${escapeMarkdown(gateVerdict(report), 2000)}`, '');

  const { summary } = report;
  out.push(
    ...table(
      [...STATUS_ORDER.map((s) => `${STATUS_ICONS[s]} ${HEADINGS[s]}`), 'Total', 'Duration'],
      [[...STATUS_ORDER.map((s) => String(summary[s])), String(summary.total), formatMs(report.durationMs)]],
    ),
    '',
  );

  const notes = runNotes(report);
  for (const note of notes) out.push(`> **Note:** ${escapeMarkdown(note)}`, '');

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
      ),
      '',
    );
  }

  const skipped = report.results.filter((r) => r.status === 'skip' && !isNotSelected(r));
  if (skipped.length > 0) {
    out.push(`<details><summary>○ Skipped (${skipped.length})</summary>`, '');
    out.push(...table(['Check', 'Reason'], skipped.map((r) => [checkCell(r), escapeMarkdown(r.message)])));
    out.push('', '</details>', '');
  }
  const notSelected = report.results.filter(isNotSelected).length;
  if (notSelected > 0) out.push(`${notSelected} check${notSelected === 1 ? '' : 's'} not selected (--only/--skip).`, '');

  const passes = report.results.filter((r) => r.status === 'pass');
  if (passes.length > 0) {
    out.push(`<details><summary>✔ Passed (${passes.length})</summary>`, '');
    for (const { section, results } of groupBySection(passes)) {
      out.push(`**${escapeMarkdown(section)}**`, '');
      for (const r of results) {
        const attempts = attemptsText(r);
        out.push(`- ${escapeMarkdown(r.title)} (${escapeMarkdown(r.id)}, ${formatMs(r.durationMs)}${attempts ? `, ${attempts}` : ''})`);
      }
      out.push('');
    }
    out.push('</details>', '');
  }

  out.push(
    `<sub>${escapeMarkdown(report.tool.name)} ${escapeMarkdown(report.tool.version)} · ${escapeMarkdown(report.profile.path)} · started ${escapeMarkdown(report.startedAt)}</sub>`,
  );
  return `${out.join('\n')}\n`;
};
