// `readiness signoff --role <role> --by <name> --report readiness.json`: a person approves the findings of
// one JSON report (bound by its fingerprint) in one of the profile's sign-off roles.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { StoreError } from '../attest/attestations.js';
import { reportFingerprint } from '../attest/fingerprint.js';
import { appendSignoff, readSignoffs, signoffsFileFor, signoffsForReport } from '../attest/signoffs.js';
import { closest } from '../engine/registry.js';
import { upgradeReport } from '../report/compat.js';
import { gateStatusOf, gateWord, isNotSelected } from '../report/format-value.js';
import type { Report } from '../report/model.js';
import { createOutput } from '../write.js';
import { EXIT, UsageError } from './errors.js';
import { loadForCommand, type ProfileOptions } from './profile.js';

export interface SignoffOptions extends ProfileOptions {
  role: string;
  by: string;
  report: string;
  note?: string;
}

const shown = (path: string) => relative(process.cwd(), path) || path;

/** The report file as a readiness JSON report, or a one-line reason it is not one. */
export function readReport(path: string): Report {
  if (!existsSync(path)) throw new UsageError(`report ${path} not found (write one with: readiness check -f json:${path})`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`report ${path} is not valid JSON (${(err as Error).message}); sign the file written by readiness check -f json:${path}`);
  }
  const report = data as Partial<Report> | null;
  const looksRight =
    !!report &&
    typeof report === 'object' &&
    typeof report.profile?.name === 'string' &&
    Array.isArray(report.results) &&
    report.results.every((r) => r && typeof r.id === 'string' && typeof r.status === 'string' && typeof r.message === 'string');
  if (!looksRight) throw new UsageError(`${path} is not a readiness JSON report (expected profile and results; write one with readiness check -f json:${path})`);
  return upgradeReport(report as Report);
}

export async function signoffCommand(options: SignoffOptions): Promise<number> {
  const out = createOutput();
  const by = options.by.trim();
  if (!by) throw new UsageError('--by: who signs? give a name');
  const profile = await loadForCommand(options, out);
  if (!profile) return EXIT.usage;
  const roles = profile.signoffRoles;
  if (!roles.length) {
    throw new UsageError(`${options.profile} names no sign-off roles; add them to the profile, e.g. signoff: { roles: [Technical Lead, DevOps Engineer] }`);
  }
  const wanted = options.role.trim();
  const role = roles.find((r) => r === wanted) ?? roles.find((r) => r.toLowerCase() === wanted.toLowerCase());
  if (!role) {
    const suggestion = closest(wanted, roles);
    throw new UsageError(`--role "${wanted}" is not a sign-off role of ${options.profile}${suggestion ? ` — did you mean "${suggestion}"?` : ''} (roles: ${roles.join(', ')})`);
  }

  const report = readReport(options.report);
  if (report.profile.name !== profile.name) {
    throw new UsageError(`${options.report} is a report of profile "${report.profile.name}", not of "${profile.name}" (${options.profile}); sign a report of this profile, or pass -p`);
  }
  if (report.interrupted) throw new UsageError(`${options.report} is a partial report (the run was ${report.interrupted === 'signal' ? 'interrupted' : 'cut short by its deadline'}); run readiness check again and sign the complete report`);
  const fingerprint = reportFingerprint(report);
  if (report.fingerprint !== undefined && report.fingerprint !== fingerprint) {
    throw new UsageError(`${options.report} was changed after readiness wrote it (its findings no longer match its fingerprint); sign an unedited report`);
  }

  const file = signoffsFileFor(profile.attestationsFile);
  const note = options.note?.trim() || undefined;
  try {
    appendSignoff(file, { role, by, at: new Date().toISOString(), ...(note ? { note } : {}), profile: profile.name, fingerprint });
  } catch (err) {
    if (err instanceof StoreError) {
      out.stderr(`readiness: ${err.message}; fix it, then sign again`);
      return EXIT.usage;
    }
    throw err;
  }
  const gate = report.gate ? `gate ${gateWord(gateStatusOf(report))}${report.gate.failedBy?.length ? ` (${report.gate.failedBy.join(', ')})` : ''}` : 'gate unknown';
  out.stdout(`signed off as ${role} by ${by}: ${options.report} (${report.results.length} check${report.results.length === 1 ? '' : 's'}, ${gate}, ${fingerprint.slice(0, 19)}…)`);
  const notSelected = report.results.filter(isNotSelected).length;
  if (notSelected) out.stderr(`note: ${notSelected} of the report's ${report.results.length} checks were not selected (--only/--skip); your sign-off covers only the ones that ran.`);
  if (report.gate && gateStatusOf(report) === 'failed') out.stderr(`note: the signed report did not pass its gate; your sign-off accepts ${report.gate.failedBy.length} gating problem${report.gate.failedBy.length === 1 ? '' : 's'}.`);
  const unverified = report.gate?.unverified?.length ?? 0;
  if (unverified) out.stderr(`note: the signed report is INCOMPLETE; your sign-off accepts ${unverified} gating check${unverified === 1 ? '' : 's'} that ${unverified === 1 ? 'was' : 'were'} not verified.`);
  const current = signoffsForReport(readSignoffs(file), { profileName: profile.name, roles, fingerprint }).filter((s) => s.current).map((s) => s.role);
  const missing = roles.filter((r) => !current.includes(r));
  out.stdout(missing.length ? `still to sign these findings: ${missing.join(', ')}` : `all ${roles.length} roles have signed these findings`);
  out.stdout(`recorded in ${shown(file)} — commit it with the release`);
  return EXIT.ok;
}
