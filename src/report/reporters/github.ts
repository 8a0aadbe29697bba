// GitHub Actions workflow commands: one annotation per failing, erroring or warning check
// (`::error` when it fails the gate, `::warning` otherwise) and one per run note.
import type { CheckResult, Reporter } from '../model.js';
import { INTERRUPTION_NOTE, attemptsText, evidenceLines, runNotes, visibleLoneSurrogates, waiverText } from '../format-value.js';

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
  const lines = [r.status === 'error' ? `could not check: ${r.message}` : r.message];
  for (const { label, value } of evidenceLines(r.evidence)) lines.push(`${label}: ${value}`);
  if (r.remediation) lines.push(`fix: ${r.remediation}`);
  const waiver = waiverText(r);
  if (waiver) lines.push(waiver);
  const attempts = attemptsText(r);
  if (attempts) lines.push(`(${attempts})`);
  lines.push(`severity: ${r.severity}${r.gating ? ', fails the gate' : ''}`);
  return lines.join('\n');
}

export const github: Reporter = (report) => {
  const lines: string[] = [];
  for (const r of report.results) {
    if (r.status !== 'fail' && r.status !== 'error' && r.status !== 'warn') continue;
    lines.push(command(r.gating ? 'error' : 'warning', `${r.title} (${r.id})`, message(r)));
  }
  for (const note of runNotes(report)) {
    const interruption = Boolean(report.interrupted) && INTERRUPTION_NOTE.test(note);
    lines.push(interruption ? command('error', 'readiness run interrupted', note) : command('warning', 'readiness', note));
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
};
