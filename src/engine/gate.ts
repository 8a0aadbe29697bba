// The release gate: which results stop the deploy, given --fail-on and --strict.
import type { Status } from '../check.js';
import { SEVERITIES, type CheckResult, type Gate, type Severity, type Summary } from '../report/model.js';

export function severityAtLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/** True when this result alone fails the gate. */
export function isGating(result: Pick<CheckResult, 'status' | 'severity'>, failOn: Severity, strict: boolean): boolean {
  if (!severityAtLeast(result.severity, failOn)) return false;
  return result.status === 'fail' || result.status === 'error' || (strict && result.status === 'warn');
}

/** Marks the gating results and returns the verdict. Pure: returns new result objects. */
export function evaluateGate(results: CheckResult[], failOn: Severity, strict: boolean): { results: CheckResult[]; gate: Gate } {
  const marked = results.map((r) => ({ ...r, gating: isGating(r, failOn, strict) }));
  const failedBy = marked.filter((r) => r.gating).map((r) => r.id);
  return { results: marked, gate: { passed: failedBy.length === 0, failOn, strict, failedBy } };
}

export function summarize(results: readonly CheckResult[]): Summary {
  const summary: Summary = { total: results.length, pass: 0, warn: 0, fail: 0, error: 0, skip: 0, waived: 0 };
  for (const r of results) summary[r.status as Status]++;
  return summary;
}
