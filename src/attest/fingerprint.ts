// A report's fingerprint: what was found, not when or how fast. Two runs with the same findings
// have the same fingerprint, so a sign-off can be bound to "this state of the release".
import { createHash } from 'node:crypto';

export interface FingerprintInput {
  profile: { name: string };
  results: readonly { id: string; status: string; message: string }[];
}

/** `sha256:` + hex sha256 over the profile name and each result's id, status and message, in report order. */
export function reportFingerprint(report: FingerprintInput): string {
  const canonical = JSON.stringify([report.profile.name, ...report.results.map((r) => [r.id, r.status, r.message])]);
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}
