// A manual item's identity for attestations: the hash of what a person was asked to confirm.
// Changing the question or the evidence asked for changes the hash, so an old attestation no
// longer counts for the new item.
import { createHash } from 'node:crypto';

export interface ManualItem {
  question: string;
  evidence?: string;
}

/** `sha256:` + the first 16 hex digits of sha256 over the normalized question and evidence text. */
export function itemHash(item: ManualItem): string {
  const normalize = (text: string | undefined) => (text ?? '').trim().replace(/\s+/g, ' ');
  const digest = createHash('sha256')
    .update(JSON.stringify({ question: normalize(item.question), evidence: normalize(item.evidence) }))
    .digest('hex');
  return `sha256:${digest.slice(0, 16)}`;
}
