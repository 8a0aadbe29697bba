// Reading reports written by earlier versions: schemaVersion 1 had no skip kinds and a pass/fail gate.
// The one place where an old report's skip messages are read as words; everything after works on data.
import { REPORT_SCHEMA_VERSION, UNVERIFIED_KINDS, type CheckResult, type GateStatus, type Report, type SkipInfo } from './model.js';
import { severityAtLeast } from '../engine/gate.js';

/** The skip kind a schemaVersion 1 report meant by its message (the runner's fixed wordings of that version). */
export function legacySkip(message: string): SkipInfo {
  const text = message.trim();
  if (/^not selected\b/i.test(text)) return { kind: 'not-selected', detail: text };
  if (/^blocked by\b/i.test(text)) return { kind: 'blocked', detail: text, blockedBy: [...text.matchAll(/(?:by|,)\s+([^\s(,]+)\s+\(/g)].map((m) => m[1]) };
  if (/^not started: the run was interrupted/i.test(text)) return { kind: 'interrupted', detail: text };
  if (/^not started: its needs/i.test(text)) return { kind: 'blocked', detail: text };
  if (/\bopt(?:-| )in\b|opted in/i.test(text)) return { kind: 'opt-in', detail: text };
  return { kind: 'not-applicable', detail: text };
}

/** A report in the current shape: an older one gets skip kinds, unverified marks and a gate status. Pure. */
export function upgradeReport(report: Report): Report {
  if ((report.schemaVersion as number) !== 1) return report;
  const failOn = report.gate?.failOn ?? 'critical';
  const results: CheckResult[] = report.results.map((r) => {
    if (r.status !== 'skip' || r.skip) return r;
    const skip = legacySkip(r.message ?? '');
    const unverified = UNVERIFIED_KINDS.has(skip.kind) && severityAtLeast(r.severity, failOn);
    return { ...r, skip, ...(unverified ? { unverified } : {}) };
  });
  const unverified = results
    .filter((r) => r.unverified && r.skip)
    .map((r) => ({ id: r.id, severity: r.severity, kind: r.skip!.kind, detail: r.skip!.detail }));
  // A version 1 gate passed with unverified checks; it is read as it was decided then.
  const status: GateStatus = report.gate?.passed ? 'passed' : 'failed';
  return {
    ...report,
    schemaVersion: REPORT_SCHEMA_VERSION,
    results,
    gate: { ...report.gate, status, allowUnverified: false, failedBy: report.gate?.failedBy ?? [], unverified },
    summary: { ...report.summary, unverified: unverified.length },
  };
}
