// Assembles the report from a run's results: gate, summary and notes. Pure.
import { evaluateGate, summarize } from '../engine/gate.js';
import type { RunOutcome } from '../engine/runner.js';
import { reportFingerprint } from '../attest/fingerprint.js';
import { signoffsForReport, type RecordedSignoff } from '../attest/signoffs.js';
import { REPORT_SCHEMA_VERSION, type CheckResult, type Report, type Severity } from './model.js';

export interface BuildOptions {
  profile: { name: string; path: string };
  tool: { name: string; version: string };
  startedAt: Date;
  durationMs: number;
  failOn: Severity;
  strict: boolean;
  /** --allow-unverified: an incomplete gate exits 0. */
  allowUnverified?: boolean;
  notes?: string[];
  /** The deployment environment the run targeted, when the environment names one. */
  environment?: string;
}

/** The variables apps commonly use to name their environment, most specific first. */
const ENVIRONMENT_VARIABLES = ['APP_ENV', 'ENVIRONMENT', 'DEPLOY_ENV', 'NODE_ENV', 'RAILS_ENV', 'FLASK_ENV'];

export function environmentName(env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const name of ENVIRONMENT_VARIABLES) if (env[name]) return env[name];
  return undefined;
}

export function buildReport(outcome: RunOutcome, options: BuildOptions): Report {
  const { results, gate } = evaluateGate(outcome.results, { failOn: options.failOn, strict: options.strict, allowUnverified: Boolean(options.allowUnverified) });
  const notes = [...(options.notes ?? [])];
  // An interrupted run is said by `interrupted` (data); every reporter puts it first among the notes.
  if (gate.status === 'incomplete' && gate.allowUnverified) notes.push('--allow-unverified: the gate is INCOMPLETE but exits 0; this run is not a release verdict.');
  const defaultsUsed = defaultsUsedBy(results);
  for (const r of results) {
    if (r.waiver?.expired && (r.status === 'fail' || r.status === 'warn')) notes.push(`Waiver for ${r.id} expired on ${r.waiver.until} (${r.waiver.reason}): the check gates again.`);
  }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: options.tool,
    profile: options.profile,
    ...(options.environment ? { environment: options.environment } : {}),
    startedAt: options.startedAt.toISOString(),
    durationMs: Math.round(options.durationMs),
    summary: summarize(results),
    gate,
    ...(outcome.interrupted ? { interrupted: outcome.interrupted } : {}),
    notes,
    ...(defaultsUsed.length ? { defaultsUsed } : {}),
    results,
  };
}

/** The variables whose profile default was used, each with the values used and the checks using them, in report order. */
export function defaultsUsedBy(results: readonly CheckResult[]): NonNullable<Report['defaultsUsed']> {
  const byVariable = new Map<string, { variable: string; values: string[]; checks: string[] }>();
  for (const r of results) {
    if (r.skip?.kind === 'not-selected') continue;
    for (const use of r.defaultsUsed ?? []) {
      const entry = byVariable.get(use.variable) ?? { variable: use.variable, values: [], checks: [] };
      if (!entry.values.includes(use.value)) entry.values.push(use.value);
      if (!entry.checks.includes(r.id)) entry.checks.push(r.id);
      byVariable.set(use.variable, entry);
    }
  }
  return [...byVariable.values()];
}

/**
 * Adds the report's fingerprint (of its findings as shown: call it on the redacted report), the roles
 * whose sign-off the profile requires and the recorded sign-offs, each marked current when it signed
 * a report with the same findings. Pure.
 */
export function attachSignoffs(report: Report, options: { recorded: readonly RecordedSignoff[]; roles: readonly string[] }): Report {
  const fingerprint = reportFingerprint(report);
  const signoffs = signoffsForReport(options.recorded, { profileName: report.profile.name, roles: options.roles, fingerprint });
  const { schemaVersion, tool, profile, environment, ...rest } = report;
  return {
    schemaVersion,
    tool,
    profile,
    ...(environment === undefined ? {} : { environment }),
    signoffs,
    signoffRoles: [...options.roles],
    fingerprint,
    ...rest,
  };
}
