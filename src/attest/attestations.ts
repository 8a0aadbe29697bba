// The attestations file: who confirmed which manual item, when, with what note, until when, and
// for which version of the item (its hash). YAML, meant to be committed next to the profile.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { isoDay, isIsoDay } from './dates.js';

export const DEFAULT_ATTESTATIONS_PATH = '.readiness/attestations.yaml';

const day = z.string().refine(isIsoDay, 'expected a date as YYYY-MM-DD');

export const attestationSchema = z
  .object({
    by: z.string().min(1),
    /** ISO timestamp. */
    at: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'expected an ISO timestamp'),
    note: z.string().optional(),
    /** Last valid day, YYYY-MM-DD inclusive (UTC). */
    expires: day.optional(),
    /** itemHash() of the item when it was attested. */
    item: z.string().min(1),
  })
  .strict();

export type Attestation = z.infer<typeof attestationSchema>;

const fileSchema = z
  .object({
    version: z.literal(1),
    attestations: z.record(z.string(), attestationSchema).default({}),
  })
  .strict();

export class StoreError extends Error {}

const HEADER = [
  'Attestations of manual readiness items, written by `readiness attest`.',
  'Commit this file: `readiness check` passes a manual item only with a current attestation here.',
].join('\n');

/** Every attestation in the file, by item id; an absent file has none. Throws StoreError when the file is unreadable or malformed. */
export function readAttestations(file: string): Record<string, Attestation> {
  if (!existsSync(file)) return {};
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StoreError(`cannot read attestations file ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (data === null || data === undefined) return {};
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StoreError(`attestations file ${file} is malformed at ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return parsed.data.attestations;
}

/** Records (or replaces) the attestation of one item, creating the file and its directory. */
export function writeAttestation(file: string, id: string, attestation: Attestation): void {
  const all = readAttestations(file);
  all[id] = attestationSchema.parse(attestation);
  const sorted = Object.fromEntries(Object.keys(all).sort().map((k) => [k, dropUndefined(all[k])]));
  mkdirSync(dirname(file), { recursive: true });
  const doc = stringify({ version: 1, attestations: sorted }, { lineWidth: 0 });
  writeFileSync(file, `${HEADER.split('\n').map((l) => `# ${l}`).join('\n')}\n${doc}`);
}

const dropUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export type AttestationState =
  | { state: 'missing' }
  | { state: 'attested'; attestation: Attestation }
  | { state: 'expired'; attestation: Attestation }
  | { state: 'changed'; attestation: Attestation };

/** Where an item stands: attested (current), missing, expired (past its last valid day) or changed since it was attested. */
export function attestationState(attestation: Attestation | undefined, currentHash: string, now: Date): AttestationState {
  if (!attestation) return { state: 'missing' };
  if (attestation.item !== currentHash) return { state: 'changed', attestation };
  if (attestation.expires && attestation.expires < isoDay(now)) return { state: 'expired', attestation };
  return { state: 'attested', attestation };
}

/** The day part of an attestation's timestamp. */
export const attestedOn = (a: Attestation): string => isoDay(new Date(a.at));
