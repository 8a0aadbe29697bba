// `readiness attest <id> --by <name>`: a person confirms a manual item; `readiness attest --list`: where each stands.
import { relative, resolve } from 'node:path';
import { attestationState, attestedOn, readAttestations, StoreError, writeAttestation, type Attestation, type AttestationState } from '../attest/attestations.js';
import { expiryDay } from '../attest/dates.js';
import { itemHash } from '../attest/hash.js';
import { closest } from '../engine/registry.js';
import type { Profile, ResolvedCheck } from '../profile/load.js';
import { createOutput } from '../write.js';
import { EXIT, UsageError } from './errors.js';
import { loadForCommand, type ProfileOptions } from './profile.js';

export interface AttestOptions extends ProfileOptions {
  by?: string;
  note?: string;
  expires?: string;
  list?: boolean;
  json?: boolean;
}

interface ManualParams {
  question: string;
  evidence?: string;
  attestations_file?: string;
}

export interface ManualItemStatus {
  id: string;
  section: string;
  severity: string;
  question: string;
  evidence?: string;
  file: string;
  state: AttestationState['state'] | 'unreadable';
  attestation?: Attestation;
  problem?: string;
}

const shown = (path: string) => relative(process.cwd(), path) || path;

/** The file a manual item is attested in: its own attestations_file, else the profile's. */
function fileOf(check: ResolvedCheck, profile: Profile): string {
  const own = (check.params as ManualParams | undefined)?.attestations_file;
  return own ? resolve(check.baseDir, own) : profile.attestationsFile;
}

export function manualItems(profile: Profile): ResolvedCheck[] {
  return profile.checks.filter((c) => c.type === 'manual');
}

/** Every manual item with its attestation state today. */
export function manualStatuses(profile: Profile, now = new Date()): ManualItemStatus[] {
  const cache = new Map<string, Record<string, Attestation> | StoreError>();
  const read = (file: string) => {
    if (!cache.has(file)) {
      try {
        cache.set(file, readAttestations(file));
      } catch (err) {
        if (!(err instanceof StoreError)) throw err;
        cache.set(file, err);
      }
    }
    return cache.get(file)!;
  };
  return manualItems(profile).map((check) => {
    const params = check.params as ManualParams | undefined;
    const file = fileOf(check, profile);
    const base = { id: check.id, section: check.section, severity: check.severity, question: params?.question ?? '(parameters need the environment)', evidence: params?.evidence, file: shown(file) };
    if (!params) return { ...base, state: 'unreadable', problem: check.envProblems.map((p) => p.message).join('; ') };
    const all = read(file);
    if (all instanceof StoreError) return { ...base, state: 'unreadable', problem: all.message };
    const recorded = Object.hasOwn(all, check.id) ? all[check.id] : undefined;
    const state = attestationState(recorded, itemHash(params), now);
    return { ...base, state: state.state, ...(state.state === 'missing' ? {} : { attestation: state.attestation }) };
  });
}

function describeState(item: ManualItemStatus): string {
  const a = item.attestation;
  switch (item.state) {
    case 'attested':
      return `attested by ${a!.by} on ${attestedOn(a!)}${a!.expires ? `, valid until ${a!.expires}` : ''}${a!.note ? ` — ${a!.note}` : ''}`;
    case 'expired':
      return `attestation expired on ${a!.expires} (by ${a!.by})`;
    case 'changed':
      return `item changed since it was attested on ${attestedOn(a!)} by ${a!.by}`;
    case 'missing':
      return 'not attested';
    default:
      return `cannot tell: ${item.problem}`;
  }
}

export async function attestCommand(id: string | undefined, options: AttestOptions): Promise<number> {
  const out = createOutput();
  if (options.list && id) throw new UsageError('give an item id to attest it, or --list to see every manual item, not both');
  if (!options.list && !id) throw new UsageError('which item? run: readiness attest <id> --by <name> (readiness attest --list shows the manual items)');
  const profile = await loadForCommand(options, out);
  if (!profile) return EXIT.usage;
  const profileFlag = options.profile === 'readiness.yaml' ? '' : ` -p ${options.profile}`;

  if (options.list) {
    const items = manualStatuses(profile);
    if (options.json) {
      out.stdout(JSON.stringify(items, null, 2));
      return EXIT.ok;
    }
    if (!items.length) {
      out.stdout(`${options.profile} has no manual items (type: manual).`);
      return EXIT.ok;
    }
    const attested = items.filter((i) => i.state === 'attested').length;
    out.stdout(`${items.length} manual item${items.length === 1 ? '' : 's'} in ${options.profile}: ${attested} attested, ${items.length - attested} to attest`);
    const width = Math.max(...items.map((i) => i.id.length));
    for (const item of items) {
      out.stdout(`${item.state === 'attested' ? '✔' : '✖'} ${item.id.padEnd(width)}  ${describeState(item)}`);
      out.stdout(`  ${' '.repeat(width)}  ${item.question}${item.evidence ? ` (keep: ${item.evidence.replace(/\.$/, '')})` : ''}`);
    }
    const files = [...new Set(items.map((i) => i.file))];
    out.stdout(`attestations: ${files.join(', ')}${attested < items.length ? ` — attest with: readiness attest <id> --by <name>${profileFlag}` : ''}`);
    return EXIT.ok;
  }

  const itemId = id as string;
  const check = profile.checks.find((c) => c.id === itemId);
  const manualIds = manualItems(profile).map((c) => c.id);
  if (!check) {
    const suggestion = closest(itemId, manualIds) ?? closest(itemId, profile.checks.map((c) => c.id));
    throw new UsageError(`"${itemId}" is not a check in ${options.profile}${suggestion ? ` — did you mean "${suggestion}"?` : ''} (readiness attest --list${profileFlag} shows the manual items)`);
  }
  if (check.type !== 'manual') {
    const suggestion = closest(itemId, manualIds);
    throw new UsageError(
      `"${itemId}" is not a manual item (its type is ${check.type}): it is verified by running it (readiness check --only ${itemId}${profileFlag})${suggestion ? ` — did you mean "${suggestion}"?` : ''}`,
    );
  }
  const by = options.by?.trim();
  if (!by) throw new UsageError(`who confirms it? add --by <name>, e.g. readiness attest ${itemId} --by "Alice Martin"`);
  const params = check.params as ManualParams | undefined;
  if (!params) {
    throw new UsageError(`cannot attest ${itemId}: its parameters need the environment (${check.envProblems.map((p) => p.message).join('; ')})`);
  }
  const now = new Date();
  let expires: string | undefined;
  if (options.expires !== undefined) {
    const parsed = expiryDay(options.expires, now);
    if ('problem' in parsed) throw new UsageError(`--expires ${options.expires}: ${parsed.problem}`);
    expires = parsed.day;
  }
  const note = options.note?.trim() || undefined;
  const file = fileOf(check, profile);
  let previous: Attestation | undefined;
  try {
    const all = readAttestations(file);
    previous = Object.hasOwn(all, itemId) ? all[itemId] : undefined;
    writeAttestation(file, itemId, { by, at: now.toISOString(), ...(note ? { note } : {}), ...(expires ? { expires } : {}), item: itemHash(params) });
  } catch (err) {
    if (err instanceof StoreError) {
      out.stderr(`readiness: ${err.message}; fix or remove it, then attest again`);
      return EXIT.usage;
    }
    throw err;
  }
  out.stdout(`attested ${itemId} ("${params.question}") by ${by}${expires ? `, valid until ${expires}` : ''}`);
  if (previous) out.stdout(`  replaces the attestation by ${previous.by} on ${attestedOn(previous)}`);
  if (params.evidence && !note) out.stdout(`  keep the evidence (${params.evidence}); --note records where it is`);
  out.stdout(`recorded in ${shown(file)} — commit it with the release`);
  return EXIT.ok;
}
