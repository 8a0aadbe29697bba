// A report's fingerprint: what was found, not when or how fast. Two runs with the same findings
// have the same fingerprint, so a sign-off can be bound to "this state of the release".
import { createHash } from 'node:crypto';

export interface FingerprintInput {
  profile: { name: string };
  results: readonly { id: string; status: string; message: string }[];
}

/**
 * `sha256:` + hex sha256 over the profile name and each result's id and status, in report order, plus the
 * message of every result that did not pass. A pass's message carries measurements (latency, days left)
 * that change from run to run without changing what was found.
 */
export function reportFingerprint(report: FingerprintInput): string {
  const canonical = JSON.stringify([report.profile.name, ...report.results.map((r) => (r.status === 'pass' ? [r.id, r.status] : [r.id, r.status, r.message]))]);
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}
