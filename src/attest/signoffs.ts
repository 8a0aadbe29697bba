// The sign-off file: who approved which report (by its fingerprint), in which role, when.
// Stored beside the attestations (.readiness/signoffs.yaml), meant to be committed. Each sign-off is
// appended; a report shows the latest one per role.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import type { Signoff } from '../report/model.js';
import { StoreError } from './attestations.js';

export const recordedSignoffSchema = z
  .object({
    role: z.string().min(1),
    by: z.string().min(1),
    at: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'expected an ISO timestamp'),
    note: z.string().optional(),
    /** Name of the profile whose report was signed. */
    profile: z.string().optional(),
    fingerprint: z.string().min(1),
  })
  .strict();

export type RecordedSignoff = z.infer<typeof recordedSignoffSchema>;

const fileSchema = z
  .object({
    version: z.literal(1),
    signoffs: z.array(recordedSignoffSchema).default([]),
  })
  .strict();

/** The sign-off file that goes with an attestations file: signoffs.yaml in the same directory. */
export const signoffsFileFor = (attestationsFile: string): string => join(dirname(attestationsFile), 'signoffs.yaml');

const HEADER = [
  'Release sign-offs, written by `readiness signoff`. Each is bound to the fingerprint of the report it approved;',
  'a later report with different findings shows it as not current. Commit this file.',
].join('\n');

export function readSignoffs(file: string): RecordedSignoff[] {
  if (!existsSync(file)) return [];
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StoreError(`cannot read sign-off file ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (data === null || data === undefined) return [];
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StoreError(`sign-off file ${file} is malformed at ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return parsed.data.signoffs;
}

export function appendSignoff(file: string, signoff: RecordedSignoff): void {
  const all = [...readSignoffs(file), recordedSignoffSchema.parse(signoff)];
  const clean = all.map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${HEADER.split('\n').map((l) => `# ${l}`).join('\n')}\n${stringify({ version: 1, signoffs: clean }, { lineWidth: 0 })}`);
}

/**
 * What a report shows: the latest sign-off per role (roles in the profile's order first, then any
 * other recorded role), each marked current when it signed a report with this run's fingerprint.
 * Sign-offs recorded for another profile are left out.
 */
export function signoffsForReport(recorded: readonly RecordedSignoff[], options: { profileName: string; roles: readonly string[]; fingerprint: string }): Signoff[] {
  const latest = new Map<string, RecordedSignoff>();
  for (const s of recorded) {
    if (s.profile !== undefined && s.profile !== options.profileName) continue;
    const seen = latest.get(s.role);
    if (!seen || Date.parse(s.at) >= Date.parse(seen.at)) latest.set(s.role, s);
  }
  const order = [...options.roles, ...[...latest.keys()].filter((r) => !options.roles.includes(r)).sort()];
  return order
    .filter((role) => latest.has(role))
    .map((role) => {
      const s = latest.get(role)!;
      return {
        role: s.role,
        by: s.by,
        at: s.at,
        ...(s.note ? { note: s.note } : {}),
        fingerprint: s.fingerprint,
        current: s.fingerprint === options.fingerprint,
      };
    });
}
