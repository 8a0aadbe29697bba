// manual: a checklist item no tool can verify (a briefing held, an email seen in the inbox). A person
// confirms it with `readiness attest <id> --by <name>`; the item passes while that attestation is
// current: not expired, and given for this very question (the item's hash still matches).
import { relative, resolve } from 'node:path';
import { z } from 'zod';
import { defineCheck, error, fail, pass, type Verdict } from '../src/check.js';
import { attestationState, attestedOn, readAttestations, StoreError, DEFAULT_ATTESTATIONS_PATH, type Attestation } from '../src/attest/attestations.js';
import { itemHash, type ManualItem } from '../src/attest/hash.js';

export const params = z
  .object({
    question: z.string().trim().min(1).describe('What a person must confirm, as a question, e.g. "Team briefed on launch plan?".'),
    evidence: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe('What to keep as proof, e.g. "Link to the meeting notes" (shown in reports; record it with --note).'),
    attestations_file: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Where attestations are recorded. Normally left out: the engine sets it from the profile's `attestations:` (default .readiness/attestations.yaml next to the profile).",
      ),
  })
  .strict();

export interface ManualFacts {
  id: string;
  item: ManualItem;
  /** The recorded attestation for this id, if any. */
  attestation?: Attestation;
  now: Date;
}

const attestHint = (id: string) => `readiness attest ${/^[A-Za-z0-9_.:/-]+$/.test(id) ? id : JSON.stringify(id)} --by <name>`;

/** Pure: the verdict for a manual item given its recorded attestation (if any) and today's date. */
export function decideManual(facts: ManualFacts): Verdict {
  const { id, item, now } = facts;
  const hash = itemHash(item);
  const state = attestationState(facts.attestation, hash, now);
  const details: Record<string, unknown> = { question: item.question };
  if (item.evidence) details.evidence_to_keep = item.evidence;
  if (state.state !== 'missing') {
    const a = state.attestation;
    Object.assign(details, { attested_by: a.by, attested_at: a.at, ...(a.note ? { note: a.note } : {}), ...(a.expires ? { expires: a.expires } : {}) });
  }
  const evidence = { expected: 'a current attestation', actual: state.state === 'missing' ? 'none recorded' : state.state, details };
  switch (state.state) {
    case 'missing':
      return fail(
        `not attested — run: ${attestHint(id)}`,
        evidence,
        `Confirm "${item.question}"${item.evidence ? ` (keep: ${item.evidence.replace(/\.$/, '')})` : ''}, then run: ${attestHint(id)} --note "<where the proof is>".`,
      );
    case 'expired':
      return fail(
        `attestation expired on ${state.attestation.expires} (attested by ${state.attestation.by} on ${attestedOn(state.attestation)}) — run: ${attestHint(id)}`,
        evidence,
        `Confirm "${item.question}" again, then run: ${attestHint(id)} --expires <how long it holds, e.g. 90d>.`,
      );
    case 'changed':
      return fail(
        `item changed since it was attested on ${attestedOn(state.attestation)} by ${state.attestation.by} — run: ${attestHint(id)}`,
        evidence,
        `The question or the evidence asked for changed after the attestation: confirm "${item.question}" and attest again (${attestHint(id)}).`,
      );
    case 'attested': {
      const a = state.attestation;
      return pass(`attested by ${a.by} on ${attestedOn(a)}${a.expires ? ` (valid until ${a.expires})` : ''}`, evidence);
    }
  }
}

export default defineCheck({
  meta: {
    type: 'manual',
    title: 'Confirmed by a person',
    failureTitle: 'Not confirmed by a person',
    description:
      'An item no tool can verify from the deploy host or CI (a briefing held, an email seen in the inbox). It passes only with a current attestation recorded by `readiness attest`: who confirmed it, when, with what note, until when. Changing the question or the evidence asked for requires a new attestation.',
    remediation: 'Confirm the item, keep the evidence, then record it: readiness attest <id> --by <name> [--note …] [--expires 90d]. `readiness attest --list` shows every manual item.',
    docs: 'docs/checks.md#manual',
  },
  params,
  async run(ctx) {
    const file = resolve(ctx.baseDir, ctx.params.attestations_file ?? DEFAULT_ATTESTATIONS_PATH);
    let attestations: Record<string, Attestation>;
    try {
      attestations = readAttestations(file);
    } catch (err) {
      if (err instanceof StoreError) return error(err.message.replace(file, relative(process.cwd(), file) || file));
      return error(`cannot read attestations file ${relative(process.cwd(), file) || file}: ${(err as Error).message}`);
    }
    ctx.log.debug(`attestations from ${file}: ${Object.keys(attestations).length} recorded`);
    const verdict = decideManual({
      id: ctx.id,
      item: { question: ctx.params.question, evidence: ctx.params.evidence },
      attestation: Object.hasOwn(attestations, ctx.id) ? attestations[ctx.id] : undefined,
      now: new Date(),
    });
    if (verdict.evidence?.details) verdict.evidence.details.file = relative(process.cwd(), file) || file;
    return verdict;
  },
});
