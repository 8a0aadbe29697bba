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

export interface Verdict {
  status: VerdictStatus;
  /** One line a tired engineer understands, e.g. `3 of 11 tables missing: plans, users, invoices`. */
  message: string;
  evidence?: Evidence;
  /** Overrides the type's remediation when the fix depends on what was found. */
  remediation?: string;
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
export const skip = (message: string): Verdict => ({ status: 'skip', message });

const SEVERITY_ORDER: Record<string, number> = { pass: 0, skip: 0, warn: 1, fail: 2, error: 3 };

/**
 * Folds several sub-verdicts (one per expectation) into one: the worst status wins and the
 * message lists what went wrong, so one check can test many things and still read as one line.
 */
export function combine(parts: Verdict[], passMessage: string, evidence?: Evidence): Verdict {
  const bad = parts.filter((p) => p.status !== 'pass' && p.status !== 'skip');
  if (bad.length === 0) return pass(passMessage, evidence);
  const worst = bad.reduce((a, b) => (SEVERITY_ORDER[b.status] > SEVERITY_ORDER[a.status] ? b : a));
  const ordered = [...bad].sort((a, b) => SEVERITY_ORDER[b.status] - SEVERITY_ORDER[a.status]);
  return {
    status: worst.status,
    message: ordered.map((p) => p.message).join('; '),
    evidence,
    // Every distinct fix, worst problem first: one check may find several things to repair.
    remediation: [...new Set(ordered.map((p) => p.remediation).filter(Boolean))].join(' ') || undefined,
  };
}
