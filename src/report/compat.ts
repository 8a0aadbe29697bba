// Reading reports written by earlier versions: schemaVersion 1 had no skip kinds and a pass/fail gate.
// The one place where an old report's skip messages are read as words; everything after works on data.
import { REPORT_SCHEMA_VERSION, type CheckResult, type GateStatus, type Report, type SkipInfo } from './model.js';
import { evaluateGate } from '../engine/gate.js';

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
  const withKinds: CheckResult[] = report.results.map((r) => (r.status !== 'skip' || r.skip ? r : { ...r, skip: legacySkip(r.message ?? '') }));
  // The unverified marks by today's rule; the gate itself is read as it was decided then (a version 1 gate
  // passed with unverified checks).
  const { results, gate } = evaluateGate(withKinds, { failOn: report.gate?.failOn ?? 'critical', strict: Boolean(report.gate?.strict), allowUnverified: false });
  const status: GateStatus = report.gate?.passed ? 'passed' : 'failed';
  return {
    ...report,
    schemaVersion: REPORT_SCHEMA_VERSION,
    results: results.map((r, i) => ({ ...r, gating: report.results[i].gating })),
    gate: { ...report.gate, status, allowUnverified: false, failedBy: report.gate?.failedBy ?? [], unverified: gate.unverified },
    summary: { ...report.summary, unverified: gate.unverified.length },
  };
}
