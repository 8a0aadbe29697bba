// The contract every check module under checks/ implements.
// A check module's default export is the value returned by defineCheck().
import type { z } from 'zod';

/** What a check itself may conclude. `skip` here means "not applicable" (with the reason). */
export type VerdictStatus = 'pass' | 'warn' | 'fail' | 'error' | 'skip';
/** What a report may show: the runner adds `waived`. */
export type Status = VerdictStatus | 'waived';

export const STATUSES: readonly Status[] = ['pass', 'warn', 'fail', 'error', 'skip', 'waived'];

/** The data behind a verdict: always the actual value next to the expected one when there is one. */
export interface Evidence {
  expected?: unknown;
  actual?: unknown;
  /** Anything else worth showing: rows that differ, chain summary, timings... Never secrets. */
  details?: Record<string, unknown>;
}

/**
 * Why a check that returned `skip` did not judge: the item does not apply here (a decision the check made
 * from what it saw), or an active check that was not opted in (nothing was verified: the gate counts it
 * as unverified when it gates).
 */
export type VerdictSkipKind = 'not-applicable' | 'opt-in';

export interface Verdict {
  status: VerdictStatus;
  /** One line a tired engineer understands, e.g. `3 of 11 tables missing: plans, users, invoices`. */
  message: string;
  evidence?: Evidence;
  /** Overrides the type's remediation when the fix depends on what was found. */
  remediation?: string;
  /** With `skip`: why (default `not-applicable`). */
  skipKind?: VerdictSkipKind;
  /**
   * With `fail`: the parts of the check that could not be checked besides the definite problem found.
   * The runner appends them to the message ("…; also could not check: …"); a waiver of the failure never
   * hides them (a waived failure with unchecked parts is still an `error`).
   */
  unchecked?: string[];
}

export interface CheckMeta {
  /** `family.name`, e.g. `postgres.connect`; the module lives at checks/family/name.ts. */
  type: string;
  /** Shown when the check passes, e.g. "PostgreSQL is reachable". */
  title: string;
  /** Shown when it fails, e.g. "PostgreSQL is not reachable". */
  failureTitle: string;
  /** Why it matters. */
  description: string;
  /** What to do when it fails. */
  remediation: string;
  /** A link or an anchor in docs/checks.md. */
  docs: string;
  /** True when the check changes or sends something (a test email, a signed webhook): opt-in. */
  active?: boolean;
}

export interface CheckLogger {
  /** Printed with --verbose only (after redaction). */
  debug(message: string): void;
}

export interface CheckContext<P> {
  /** The check's id in the profile (e.g. `db.connection`). */
  id: string;
  /** Parameters after interpolation and zod validation (defaults applied). */
  params: P;
  /** Process environment merged with the profile's env files and --env-file. */
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on timeout, run deadline or Ctrl-C: pass it to every I/O call. */
  signal: AbortSignal;
  /** The check's own timeout, for clients that take a number rather than a signal. */
  timeoutMs: number;
  /** Directory of the profile file that defined the check: resolve relative paths against it. */
  baseDir: string;
  log: CheckLogger;
  /**
   * Registers a secret this check holds (a password, an API key, a token it received), so that it is masked
   * in every encoding in this check's verdict, its log lines and every report — the one scrubber. With the
   * user name, the HTTP Basic and SMTP AUTH PLAIN forms are masked too. Secrets from secret-named variables
   * are registered already.
   */
  addSecret(secret: string | undefined, user?: string): void;
}

export interface CheckType<P = any> {
  meta: CheckMeta;
  params: z.ZodType<P>;
  run(ctx: CheckContext<P>): Promise<Verdict>;
}

/** Declares a check type with its parameter schema; keeps `run`'s params typed from the schema. */
export function defineCheck<S extends z.ZodType>(def: {
  meta: CheckMeta;
  params: S;
  run(ctx: CheckContext<z.output<S>>): Promise<Verdict>;
}): CheckType<z.output<S>> {
  return def as unknown as CheckType<z.output<S>>;
}

// Small verdict builders so check code reads as decisions.
export const pass = (message: string, evidence?: Evidence): Verdict => ({ status: 'pass', message, evidence });
export const warn = (message: string, evidence?: Evidence): Verdict => ({ status: 'warn', message, evidence });
export const fail = (message: string, evidence?: Evidence, remediation?: string): Verdict =>
  remediation ? { status: 'fail', message, evidence, remediation } : { status: 'fail', message, evidence };
export const error = (message: string, evidence?: Evidence): Verdict => ({ status: 'error', message, evidence });
/** Not applicable here, with the reason: a verdict of its own, not counted as unverified. */
export const skip = (message: string): Verdict => ({ status: 'skip', message });
/** An active check that was not opted in: nothing was verified, so a gating one makes the gate INCOMPLETE. */
export const notOptedIn = (message: string): Verdict => ({ status: 'skip', message, skipKind: 'opt-in' });

// A definite problem outranks a part that could not be checked: the release is known to be wrong, and
// the report says both ("…; also could not check: …").
const SEVERITY_ORDER: Record<string, number> = { pass: 0, skip: 0, warn: 1, error: 2, fail: 3 };

/**
 * Folds several sub-verdicts (one per expectation) into one: the worst status wins and the
 * message lists what went wrong, so one check can test many things and still read as one line.
 * A `fail` wins over an `error`; the parts that could not be checked are named after the failure
 * and kept in `unchecked`, so a waiver of the failure cannot hide them.
 */
export function combine(parts: Verdict[], passMessage: string, evidence?: Evidence): Verdict {
  const bad = parts.filter((p) => p.status !== 'pass' && p.status !== 'skip');
  if (bad.length === 0) return pass(passMessage, evidence);
  const worst = bad.reduce((a, b) => (SEVERITY_ORDER[b.status] > SEVERITY_ORDER[a.status] ? b : a));
  const ordered = [...bad].sort((a, b) => SEVERITY_ORDER[b.status] - SEVERITY_ORDER[a.status]);
  // Every distinct fix, worst problem first: one check may find several things to repair.
  const remediation = [...new Set(ordered.map((p) => p.remediation).filter(Boolean))].join(' ') || undefined;
  if (worst.status === 'fail') {
    const errors = ordered.filter((p) => p.status === 'error').map((p) => p.message);
    const findings = ordered.filter((p) => p.status !== 'error');
    return withUnchecked({ status: 'fail', message: findings.map((p) => p.message).join('; '), evidence, remediation }, [
      ...errors,
      ...findings.flatMap((p) => p.unchecked ?? []),
    ]);
  }
  return { status: worst.status, message: ordered.map((p) => p.message).join('; '), evidence, remediation };
}

/**
 * A definite failure that also could not check some parts: `fail`, and the report names both
 * ("secret_key is a test-mode key…; also could not check: api.stripe.com refused the connection").
 * Use it wherever a check finds a problem before (or besides) a step it could not complete.
 */
export function failAndUnchecked(failure: Verdict, couldNotCheck: readonly (Verdict | string)[]): Verdict {
  const messages = couldNotCheck.map((p) => (typeof p === 'string' ? p : p.message));
  const extraFixes = couldNotCheck.flatMap((p) => (typeof p === 'string' || !p.remediation ? [] : [p.remediation]));
  const remediation = [...new Set([failure.remediation, ...extraFixes].filter(Boolean))].join(' ') || undefined;
  return withUnchecked({ ...failure, status: 'fail', ...(remediation ? { remediation } : {}) }, [...(failure.unchecked ?? []), ...messages]);
}

function withUnchecked(verdict: Verdict, unchecked: string[]): Verdict {
  return unchecked.length ? { ...verdict, unchecked: [...new Set(unchecked)] } : verdict;
}
