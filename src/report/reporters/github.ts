// GitHub Actions workflow commands: one annotation per failing, erroring or warning check
// (`::error` when it fails the gate, `::warning` otherwise), one per gating check that was not verified
// (`::error`, or `::warning` when --allow-unverified allowed it), one when the run was cut short, one per
// run note, and one for the gate verdict when it is not PASSED and nothing above already says so.
// Titles are `title (id)`, the same whether the check passes or fails; the failure title leads the message.
import type { CheckResult, Report, Reporter } from '../model.js';
import { attemptsText, evidenceLines, gateStatusOf, gateVerdict, gateWord, visibleLoneSurrogates, waiverText } from '../format-value.js';
import { reportNotes, skipCause } from './unverified.js';

// Control characters other than CR/LF (terminal escapes...) shown as `\u001b` rather than sent raw.
const OTHER_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Escapes a command's data (the message) per the workflow command rules: `%`, CR and LF. */
export function escapeData(text: string): string {
  return visibleLoneSurrogates(text)
    .replace(/%/g, '%25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
    .replace(OTHER_CONTROLS, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Escapes a command property value (title=…): data escaping plus `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const command = (level: 'error' | 'warning' | 'notice', title: string, message: string) =>
  `::${level} title=${escapeProperty(title)}::${escapeData(message)}`;

function message(r: CheckResult): string {
  const lines = r.failureTitle ? [r.failureTitle] : [];
  lines.push(r.status === 'error' ? `could not check: ${r.message}` : r.message);
  for (const { label, value } of evidenceLines(r.evidence)) lines.push(`${label}: ${value}`);
  if (r.remediation) lines.push(`fix: ${r.remediation}`);
  const waiver = waiverText(r);
  if (waiver) lines.push(waiver);
  const attempts = attemptsText(r);
  if (attempts) lines.push(`(${attempts})`);
  lines.push(`severity: ${r.severity}${r.gating ? ', fails the gate' : ''}`);
  return lines.join('\n');
}

function unverifiedMessage(r: CheckResult, report: Report): string {
  const lines = [r.skip ? skipCause(r.skip) : r.message];
  const allowed = report.gate.allowUnverified;
  lines.push(`severity: ${r.severity}, ${allowed ? 'allowed by --allow-unverified: the gate is INCOMPLETE, the run exits 0' : 'the gate cannot pass until it is verified'}`);
  return lines.join('\n');
}

export const github: Reporter = (report) => {
  const lines: string[] = [];
  let said = false; // an annotation already tells why the gate did not pass
  for (const r of report.results) {
    if (r.status === 'fail' || r.status === 'error' || r.status === 'warn') {
      lines.push(command(r.gating ? 'error' : 'warning', `${r.title} (${r.id})`, message(r)));
      said ||= r.gating;
    } else if (r.status === 'skip' && r.unverified) {
      lines.push(command(report.gate.allowUnverified ? 'warning' : 'error', `Not verified: ${r.title} (${r.id})`, unverifiedMessage(r, report)));
      said = true;
    }
  }
  const status = gateStatusOf(report);
  // Error when the gate stops the job; an INCOMPLETE gate that --allow-unverified let exit 0 (or a run stopped
  // after every gating check had its verdict) is a warning.
  const level = status === 'failed' || (status === 'incomplete' && !report.gate.allowUnverified) ? 'error' : 'warning';
  // Whether the run was cut short is data (report.interrupted): its sentence comes first, at the gate's level.
  reportNotes(report).forEach((note, i) => {
    lines.push(report.interrupted && i === 0 ? command(level, 'readiness run interrupted', note) : command('warning', 'readiness', note));
  });
  if (status !== 'passed' && !said && !report.interrupted) lines.push(command(level, `Readiness gate ${gateWord(status)}`, gateVerdict(report)));
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
};
