// What the reporters say about skipped and unverified checks, decided from data — the skip kind, the
// result's `unverified` mark, the gate's status and `report.interrupted` — never by reading a message.
import type { CheckResult, GateStatus, Report, SkipInfo, SkipKind, UnverifiedCheck } from '../model.js';
import { unverifiedText } from '../format-value.js';

/** The kind of a skip in a few words, for a column or a badge. */
export const SKIP_KIND_WORDS: Record<SkipKind, string> = {
  'not-selected': 'not selected',
  profile: 'skipped in the profile',
  'not-applicable': 'not applicable',
  blocked: 'blocked',
  'opt-in': 'not opted in',
  deadline: 'run deadline',
  interrupted: 'interrupted',
};

/** The icon of a check that gates but was not verified, and of an INCOMPLETE gate. */
export const UNVERIFIED_ICON = '?';

export const GATE_ICONS: Record<GateStatus, string> = { passed: '✔', failed: '✖', incomplete: UNVERIFIED_ICON };

/**
 * Why a check was skipped, its kind readable: `skipped in the profile: not on staging`, `not applicable: …`,
 * and for the kinds that reach no verdict the detail, which names the cause itself (`blocked by dns.root
 * (failed: …)`, `not started: the run deadline (30s) was reached`, `active check not enabled: …`).
 */
export function skipCause(skip: SkipInfo): string {
  switch (skip.kind) {
    case 'profile':
    case 'not-applicable':
      return `${SKIP_KIND_WORDS[skip.kind]}: ${skip.detail}`;
    case 'not-selected':
      return skip.detail;
    default:
      return unverifiedText(skip);
  }
}

/** True when the result leaves the gate short of PASSED: it gates, was not verified, and --allow-unverified did not allow it. */
export function blocksGate(r: Pick<CheckResult, 'unverified'>, report: Pick<Report, 'gate'>): boolean {
  return r.unverified === true && !report.gate.allowUnverified;
}

/** `not verified` or `not verified (allowed by --allow-unverified)`. */
export function notVerifiedWords(report: Pick<Report, 'gate'>): string {
  return report.gate.allowUnverified ? 'not verified (allowed by --allow-unverified)' : 'not verified';
}

/**
 * A skipped result in one phrase with its kind visible: `not verified: blocked by …` for a gating check that
 * reached no verdict, else the skip's cause. A result without skip data (an old report) keeps its message.
 */
export function skipText(r: CheckResult, report: Pick<Report, 'gate'>): string {
  if (!r.skip) return r.message;
  return r.unverified ? `${notVerifiedWords(report)}: ${skipCause(r.skip)}` : skipCause(r.skip);
}

/** The gate's list of unverified checks, each with its result when the report has it (for the title). */
export function unverifiedChecks(report: Report): { check: UnverifiedCheck; result?: CheckResult }[] {
  const byId = new Map(report.results.map((r) => [r.id, r]));
  return (report.gate.unverified ?? []).map((check) => ({ check, result: byId.get(check.id) }));
}

/** The sentence for a run cut short, from `report.interrupted` (the same words the report builder notes). */
export function interruptionText(interrupted: NonNullable<Report['interrupted']>): string {
  return interrupted === 'signal'
    ? 'The run was interrupted (Ctrl-C): this report is partial.'
    : 'The run deadline was reached: unfinished checks were not verified.';
}

/**
 * The run-level notes, the interruption first when the run was cut short: decided by `report.interrupted`,
 * so a partial report never reads as a complete one. A note that says the same sentence is not repeated.
 */
export function reportNotes(report: Pick<Report, 'interrupted' | 'notes'>): string[] {
  if (!report.interrupted) return [...report.notes];
  const sentence = interruptionText(report.interrupted);
  return [sentence, ...report.notes.filter((note) => note !== sentence)];
}
