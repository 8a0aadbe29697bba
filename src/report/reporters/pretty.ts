// Human report for the terminal: checks grouped by section, one line each, details under the ones
// that did not pass, a summary line and the gate verdict. Readable without colour.
import { Chalk, type ChalkInstance } from 'chalk';
import type { Status } from '../../check.js';
import type { CheckResult, Report, Reporter } from '../model.js';
import {
  STATUS_ICONS,
  attemptsText,
  evidenceLines,
  formatMs,
  gateVerdict,
  groupBySection,
  isNotSelected,
  oneLine,
  runNotes,
  summaryCounts,
  visibleControls,
  waiverText,
} from '../format-value.js';

const DETAIL_INDENT = '      ';

function paint(chalk: ChalkInstance, status: Status): (text: string) => string {
  switch (status) {
    case 'pass':
      return chalk.green;
    case 'warn':
      return chalk.yellow;
    case 'fail':
      return chalk.red;
    case 'error':
      return chalk.magenta;
    case 'skip':
      return chalk.dim;
    case 'waived':
      return chalk.cyan;
  }
}

/** A possibly multi-line text under a check, continuation lines aligned after the label. */
function block(text: string, label?: string, paintLabel: (s: string) => string = (s) => s): string {
  const lines = visibleControls(text).split('\n');
  const pad = label ? ' '.repeat(label.length + 1) : '';
  return lines.map((line, i) => `${DETAIL_INDENT}${i > 0 ? pad : label ? `${paintLabel(label)} ` : ''}${line}`).join('\n');
}

function checkLine(chalk: ChalkInstance, r: CheckResult): string {
  const color = paint(chalk, r.status);
  const icon = color(STATUS_ICONS[r.status]);
  const title = r.status === 'error' ? `${color('could not check:')} ${oneLine(r.title)}` : oneLine(r.title);
  const parts = [`  ${icon} ${r.status === 'skip' ? chalk.dim(title) : title}`, chalk.dim(`(${oneLine(r.id)})`)];
  if (r.severity !== 'critical') parts.push(chalk.dim(`[${r.severity}]`));
  if (r.status !== 'skip') parts.push(chalk.dim(formatMs(r.durationMs)));
  const attempts = attemptsText(r);
  if (attempts) parts.push(chalk.dim(`(${attempts})`));
  let line = parts.join(' ');
  // A pass still says what was found (version, latency, days left): that is what a reader checks first.
  if (r.status === 'pass' && r.message) line += chalk.dim(` — ${oneLine(r.message)}`);
  if (r.status === 'skip') line += chalk.dim(` — skipped: ${oneLine(r.message)}`);
  if (r.status === 'waived') line += color(' — waived');
  return line;
}

function detailLines(chalk: ChalkInstance, r: CheckResult, verbose: boolean): string[] {
  const failing = r.status !== 'pass' && r.status !== 'skip';
  const lines: string[] = [];
  if (failing) lines.push(block(r.message));
  if (failing || verbose) {
    for (const { label, value } of evidenceLines(r.evidence, { details: verbose })) {
      lines.push(`${DETAIL_INDENT}${chalk.dim(`${label}:`)} ${value}`);
    }
  }
  if (failing && r.remediation) lines.push(block(r.remediation, 'fix:', chalk.bold));
  const w = r.waiver;
  if (w?.expired) {
    lines.push(block(`${w.until}, the check gates again — ${w.reason}${w.by ? ` (by ${w.by})` : ''}`, 'waiver expired:', chalk.red));
  } else if (w) {
    lines.push(block(waiverText(r) ?? '', 'waived:', chalk.cyan));
  }
  if (verbose && failing && r.docs) lines.push(`${DETAIL_INDENT}${chalk.dim('docs:')} ${oneLine(r.docs)}`);
  return lines;
}

export const pretty: Reporter = (report, options) => {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const out: string[] = [];
  const environment = report.environment ? chalk.dim(` · environment: ${oneLine(report.environment)}`) : '';
  out.push(`${chalk.bold(oneLine(report.profile.name))} ${chalk.dim(`(${oneLine(report.profile.path)})`)}${environment}`);

  const listed = report.results.filter((r) => !isNotSelected(r));
  const notSelected = report.results.length - listed.length;
  for (const { section, results } of groupBySection(listed)) {
    out.push('', chalk.bold.underline(oneLine(section)));
    for (const r of results) {
      out.push(checkLine(chalk, r), ...detailLines(chalk, r, options.verbose));
    }
  }

  out.push('');
  if (notSelected > 0) out.push(chalk.dim(`${STATUS_ICONS.skip} ${notSelected} check${notSelected === 1 ? '' : 's'} not selected (--only/--skip)`));
  out.push(`${summaryCounts(report)} ${chalk.dim(`in ${formatMs(report.durationMs)}`)}`);
  const verdict = oneLine(gateVerdict(report));
  out.push(`Gate: ${report.gate.passed ? chalk.green.bold(verdict) : chalk.red.bold(verdict)}`);
  const signoff = signoffLine(report);
  if (signoff) out.push(signoff.complete ? chalk.green(signoff.text) : signoff.text);
  for (const note of runNotes(report)) out.push(chalk.yellow(`note: ${oneLine(note)}`));
  return `${out.join('\n')}\n`;
};

/** `Sign-off: 1 of 4 roles signed these findings (Technical Lead: alice); not current: …; missing: …`. */
function signoffLine(report: Report): { text: string; complete: boolean } | undefined {
  const roles = report.signoffRoles ?? [];
  const signoffs = report.signoffs ?? [];
  if (!roles.length && !signoffs.length) return undefined;
  const current = signoffs.filter((s) => s.current);
  const stale = signoffs.filter((s) => !s.current);
  const missing = roles.filter((role) => !signoffs.some((s) => s.role === role));
  const parts = [
    roles.length
      ? `${current.filter((s) => roles.includes(s.role)).length} of ${roles.length} role${roles.length === 1 ? '' : 's'} signed these findings`
      : `${current.length} signed these findings`,
  ];
  if (current.length) parts[0] += ` (${current.map((s) => `${s.role}: ${s.by}`).join(', ')})`;
  if (stale.length) parts.push(`signed earlier findings: ${stale.map((s) => `${s.role} (${s.by}, ${s.at.slice(0, 10)})`).join(', ')}`);
  if (missing.length) parts.push(`missing: ${missing.join(', ')}`);
  return { text: oneLine(`Sign-off: ${parts.join('; ')}`), complete: roles.length > 0 && !missing.length && !stale.some((s) => roles.includes(s.role)) };
}
