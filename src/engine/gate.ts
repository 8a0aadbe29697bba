// The release gate: which results stop the deploy, given --fail-on, --strict and --allow-unverified.
// Three outcomes: PASSED (every gating check was verified and none failed), FAILED (a gating check
// failed or could not be checked), INCOMPLETE (none failed, but a gating check reached no verdict of its
// own — blocked, not opted in, stopped by the deadline or Ctrl-C — or nothing ran at all).
import type { Status } from '../check.js';
import { EXIT } from '../commands/errors.js';
import {
  SEVERITIES,
  UNVERIFIED_KINDS,
  type CheckResult,
  type Gate,
  type GateStatus,
  type Severity,
  type Summary,
  type UnverifiedCheck,
} from '../report/model.js';

export interface GatePolicy {
  failOn: Severity;
  strict: boolean;
  /** An incomplete gate exits 0 (the report still says INCOMPLETE). */
  allowUnverified: boolean;
}

export function severityAtLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/** True when this result alone fails the gate. */
export function isGating(result: Pick<CheckResult, 'status' | 'severity'>, failOn: Severity, strict: boolean): boolean {
  if (!severityAtLeast(result.severity, failOn)) return false;
  return result.status === 'fail' || result.status === 'error' || (strict && result.status === 'warn');
}

/** True when the result reached no verdict of its own (blocked, not opted in, stopped), whatever its severity. */
export function hasNoVerdict(result: Pick<CheckResult, 'status' | 'skip'>): boolean {
  return result.status === 'skip' && result.skip !== undefined && UNVERIFIED_KINDS.has(result.skip.kind);
}

/** True when the result gates but was not verified. */
export function isUnverified(result: Pick<CheckResult, 'status' | 'skip' | 'severity'>, failOn: Severity): boolean {
  return hasNoVerdict(result) && severityAtLeast(result.severity, failOn);
}

/** A verdict someone can read as "this was looked at": anything but a skip, or a check that found the item not applicable. */
function reachedVerdict(result: Pick<CheckResult, 'status' | 'skip'>): boolean {
  return result.status !== 'skip' || result.skip?.kind === 'not-applicable';
}

export function gateStatus(failedBy: readonly string[], unverified: readonly unknown[], nothingVerified: boolean): GateStatus {
  if (failedBy.length) return 'failed';
  return unverified.length || nothingVerified ? 'incomplete' : 'passed';
}

/** Marks the gating and unverified results and returns the verdict. Pure: returns new result objects. */
export function evaluateGate(results: CheckResult[], policy: GatePolicy): { results: CheckResult[]; gate: Gate } {
  const { failOn, strict, allowUnverified } = policy;
  const marked = results.map((r) => {
    const { unverified: _previous, ...rest } = r;
    return { ...rest, gating: isGating(r, failOn, strict), ...(isUnverified(r, failOn) ? { unverified: true } : {}) };
  });
  const failedBy = marked.filter((r) => r.gating).map((r) => r.id);
  const unverified: UnverifiedCheck[] = marked
    .filter((r) => r.unverified && r.skip)
    .map((r) => ({ id: r.id, severity: r.severity, kind: r.skip!.kind, detail: r.skip!.detail, ...(r.skip!.blockedBy ? { blockedBy: r.skip!.blockedBy } : {}) }));
  const nothingVerified = !marked.some(reachedVerdict);
  const status = gateStatus(failedBy, unverified, nothingVerified);
  return {
    results: marked,
    gate: { status, passed: status === 'passed', failOn, strict, allowUnverified, failedBy, unverified, ...(nothingVerified ? { nothingVerified } : {}) },
  };
}

/** The exit code of a gate: 0 passed (or incomplete with --allow-unverified), 1 otherwise. */
export function gateExitCode(gate: Pick<Gate, 'status' | 'allowUnverified'>): number {
  if (gate.status === 'passed') return EXIT.ok;
  if (gate.status === 'incomplete' && gate.allowUnverified) return EXIT.ok;
  return EXIT.gateFailed;
}

export function summarize(results: readonly CheckResult[]): Summary {
  const summary: Summary = { total: results.length, pass: 0, warn: 0, fail: 0, error: 0, skip: 0, waived: 0, unverified: 0 };
  for (const r of results) {
    summary[r.status as Status]++;
    if (r.unverified) summary.unverified++;
  }
  return summary;
}
