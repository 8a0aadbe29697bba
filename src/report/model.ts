// The report: what a run found. Every reporter is a pure function of it.
import type { Evidence, Status } from '../check.js';

/** 2: skip kinds as data, the three gate outcomes, stable titles, unchecked parts, defaults used. */
export const REPORT_SCHEMA_VERSION = 2;

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

/**
 * Why a check has no verdict of pass, warn, fail or error:
 * - decisions someone made (shown, counted apart, never unverified): `not-selected` (--only/--skip),
 *   `profile` (`skip: "reason"` in the profile), `not-applicable` (the check looked and the item does not apply);
 * - no verdict of its own (unverified when the check gates): `blocked` (a needed check did not pass),
 *   `opt-in` (an active check not enabled), `deadline` (--deadline reached), `interrupted` (Ctrl-C).
 */
export type SkipKind = 'not-selected' | 'profile' | 'not-applicable' | 'blocked' | 'opt-in' | 'deadline' | 'interrupted';
export const SKIP_KINDS: readonly SkipKind[] = ['not-selected', 'profile', 'not-applicable', 'blocked', 'opt-in', 'deadline', 'interrupted'];
/** The kinds of skip that leave a check unverified. */
export const UNVERIFIED_KINDS: ReadonlySet<SkipKind> = new Set<SkipKind>(['blocked', 'opt-in', 'deadline', 'interrupted']);

export interface SkipInfo {
  kind: SkipKind;
  /** Why, in words: the reason given, what blocked it and why that did not pass, when the run stopped. */
  detail: string;
  /** With `blocked`: the needed checks that did not pass. */
  blockedBy?: string[];
}

/** A `${VAR:-default}` whose variable was unset or empty, so the profile's default was used. */
export interface DefaultUse {
  variable: string;
  /** The value used instead. */
  value: string;
  /** Parameter path, e.g. `with.url`. */
  path: string;
}

export interface CheckResult {
  id: string;
  type: string;
  /** The profile's title, else the type's title: the same whether the check passes or fails (CI history keys on it). */
  title: string;
  /** What went wrong, as a headline (the type's failure title), when the check did not pass and the profile gives no title. */
  failureTitle?: string;
  section: string;
  severity: Severity;
  tags: string[];
  status: Status;
  message: string;
  /** With status `skip`: its kind and reason. */
  skip?: SkipInfo;
  /** True when the check gates (severity at or above --fail-on) but reached no verdict of its own (see SkipKind). */
  unverified?: boolean;
  /** With `fail` (or an `error` left by a waived failure): the parts that could not be checked. */
  unchecked?: string[];
  /** Parameters that came from the profile's `${VAR:-default}` because the variable was unset or empty. */
  defaultsUsed?: DefaultUse[];
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

/** Counts by status; `unverified` counts the skips that gate but were not verified (a subset of `skip`). */
export type Summary = Record<Status, number> & { total: number; unverified: number };

/** `passed`: every gating check was verified and none failed; `failed`: a gating check failed or could not be
 *  checked; `incomplete`: none failed, but a gating check was not verified (or nothing ran at all). */
export type GateStatus = 'passed' | 'failed' | 'incomplete';

export interface UnverifiedCheck {
  id: string;
  severity: Severity;
  kind: SkipKind;
  detail: string;
  blockedBy?: string[];
}

export interface Gate {
  status: GateStatus;
  /** True only when status is `passed`. */
  passed: boolean;
  failOn: Severity;
  strict: boolean;
  /** --allow-unverified: an `incomplete` gate exits 0 (exploratory runs); the status still says incomplete. */
  allowUnverified: boolean;
  /** Ids of the checks that failed the gate. */
  failedBy: string[];
  /** The gating checks that were not verified, with their cause. */
  unverified: UnverifiedCheck[];
  /** True when no check reached a verdict at all (everything left out, skipped or stopped). */
  nothingVerified?: boolean;
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
  /** Variables that were unset or empty, so the profile's `${VAR:-default}` fallback was used, with the checks using it. */
  defaultsUsed?: { variable: string; values: string[]; checks: string[] }[];
  results: CheckResult[];
}

export interface ReporterOptions {
  color: boolean;
  verbose: boolean;
}

export type Reporter = (report: Report, options: ReporterOptions) => string;
