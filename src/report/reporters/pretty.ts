// Human report for the terminal: checks grouped by section, one line each, details under the ones
// that did not pass, a summary line and the gate verdict. Readable without colour.
import { Chalk, type ChalkInstance } from 'chalk';
import type { Status } from '../../check.js';
import type { CheckResult, Report, Reporter, SkipKind } from '../model.js';
import { UNVERIFIED_ICON, reportNotes } from './unverified.js';
import {
  STATUS_ICONS,
  attemptsText,
  defaultsUsedLines,
  evidenceLines,
  formatMs,
  gateStatusOf,
  gateVerdict,
  groupBySection,
  headline,
  isNotSelected,
  oneLine,
  summaryCounts,
  unverifiedText,
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

/** How a skip reads: a decision ("skipped in the profile: …") or, for a gating check, what left it unverified. */
const SKIP_LABELS: Record<SkipKind, string> = {
  'not-selected': 'not selected',
  profile: 'skipped in the profile',
  'not-applicable': 'not applicable',
  blocked: 'not run',
  'opt-in': 'active check not enabled',
  deadline: 'not run',
  interrupted: 'not run',
};

function checkLine(chalk: ChalkInstance, r: CheckResult): string {
  const color = paint(chalk, r.status);
  if (r.unverified) {
    // Not a quiet skip: the gate counts it as not verified.
    const cause = r.skip ? unverifiedText(r.skip) : r.message;
    return `  ${chalk.yellow(UNVERIFIED_ICON)} ${chalk.yellow('not verified:')} ${oneLine(r.title)} ${chalk.dim(`(${oneLine(r.id)})`)}${r.severity !== 'critical' ? ` ${chalk.dim(`[${r.severity}]`)}` : ''} — ${oneLine(cause)}`;
  }
  const icon = color(STATUS_ICONS[r.status]);
  const title = r.status === 'error' ? `${color('could not check:')} ${oneLine(headline(r))}` : oneLine(headline(r));
  const parts = [`  ${icon} ${r.status === 'skip' ? chalk.dim(title) : title}`, chalk.dim(`(${oneLine(r.id)})`)];
  if (r.severity !== 'critical') parts.push(chalk.dim(`[${r.severity}]`));
  if (r.status !== 'skip') parts.push(chalk.dim(formatMs(r.durationMs)));
  const attempts = attemptsText(r);
  if (attempts) parts.push(chalk.dim(`(${attempts})`));
  let line = parts.join(' ');
  // A pass still says what was found (version, latency, days left): that is what a reader checks first.
  if (r.status === 'pass' && r.message) line += chalk.dim(` — ${oneLine(r.message)}`);
  if (r.status === 'skip') line += chalk.dim(` — ${r.skip ? SKIP_LABELS[r.skip.kind] : 'skipped'}: ${oneLine(r.message)}`);
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
  // Said up front: a value the profile filled in may point at the wrong system (a laptop's localhost).
  for (const line of defaultsLines(report)) out.push(chalk.yellow(line));

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
  const status = gateStatusOf(report);
  const gateColor = status === 'passed' ? chalk.green.bold : status === 'incomplete' ? chalk.yellow.bold : chalk.red.bold;
  out.push(`Gate: ${gateColor(verdict)}`);
  if (status === 'incomplete' && !report.gate.allowUnverified && report.gate.unverified?.length) {
    out.push(chalk.dim('      (not verified is not passed: make the needed checks pass, opt in to active checks, or run with --allow-unverified for an exploratory run)'));
  }
  const signoff = signoffLine(report);
  if (signoff) out.push(signoff.complete ? chalk.green(signoff.text) : signoff.text);
  for (const note of reportNotes(report)) out.push(chalk.yellow(`note: ${oneLine(note)}`));
  return `${out.join('\n')}\n`;
};

const MAX_DEFAULTS = 6;

/** The variables the profile's defaults stood in for, under the header. */
function defaultsLines(report: Report): string[] {
  const lines = defaultsUsedLines(report);
  if (!lines.length) return [];
  const shown = lines.slice(0, MAX_DEFAULTS).map((line) => `  ${oneLine(line)}`);
  if (lines.length > MAX_DEFAULTS) shown.push(`  and ${lines.length - MAX_DEFAULTS} more (see the JSON report's defaultsUsed)`);
  return [`defaults used (the profile's \${VAR:-default}, not the environment):`, ...shown];
}

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
