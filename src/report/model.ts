// The report: what a run found. Every reporter is a pure function of it.
import type { Evidence, Status } from '../check.js';

export const REPORT_SCHEMA_VERSION = 1;

export type Severity = 'critical' | 'recommended' | 'optional';
export const SEVERITIES: readonly Severity[] = ['critical', 'recommended', 'optional'];

export interface WaiverInfo {
  reason: string;
  /** Inclusive last day, YYYY-MM-DD. */
  until: string;
  by?: string;
  /** True when `until` has passed: the check gates again. */
  expired: boolean;
}

export interface CheckResult {
  id: string;
  type: string;
  /** The profile's title, else the type's title (or failure title when it did not pass). */
  title: string;
  section: string;
  severity: Severity;
  tags: string[];
  status: Status;
  message: string;
  evidence?: Evidence;
  /** Present when the check did not pass. */
  remediation?: string;
  description?: string;
  docs?: string;
  durationMs: number;
  attempts: number;
  waiver?: WaiverInfo;
  /** True when this result is one of the reasons the gate failed. */
  gating: boolean;
  /** True for checks that change or send something (opt-in). */
  active?: boolean;
}

export type Summary = Record<Status, number> & { total: number };

export interface Gate {
  passed: boolean;
  failOn: Severity;
  strict: boolean;
  /** Ids of the checks that failed the gate. */
  failedBy: string[];
}

/** A recorded sign-off or attestation shown with the report (who approved what, when).
 *  Roles come from the profile's `signoff.roles`. */
export interface Signoff {
  /** The role signing, e.g. "Technical Lead", or the attested item's id. */
  role: string;
  by: string;
  /** ISO timestamp of the sign-off. */
  at: string;
  note?: string;
  /** The report fingerprint the sign-off is bound to (see Report.fingerprint), when there is one. */
  fingerprint?: string;
  /** True when the signed report had the same findings as this one. */
  current?: boolean;
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  profile: { name: string; path: string };
  /** The environment the run targeted (e.g. "production"), when known. */
  environment?: string;
  /** Recorded sign-offs/attestations, when any. */
  signoffs?: Signoff[];
  /** Roles whose sign-off the profile requires (unsigned ones are shown as missing). */
  signoffRoles?: string[];
  /** Hash of what was found (profile name, each check's id and status, and the message of each that did not pass), not of timings:
   *  two runs with the same findings have the same fingerprint, so a sign-off can be bound to it. */
  fingerprint?: string;
  startedAt: string;
  durationMs: number;
  summary: Summary;
  gate: Gate;
  /** True when Ctrl-C or the run deadline cut the run short. */
  interrupted?: 'signal' | 'deadline';
  /** Run-level notices (a missing env file, an expired waiver...). */
  notes: string[];
  results: CheckResult[];
}

export interface ReporterOptions {
  color: boolean;
  verbose: boolean;
}

export type Reporter = (report: Report, options: ReporterOptions) => string;
