// Profile loading: YAML with positions → extends/merge → env files → interpolation → validation.
// Every problem with the profile is collected (not just the first) so `readiness validate` lists them all.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import type { CheckType } from '../check.js';
import { parseDuration } from '../duration.js';
import { BUNDLED_PROFILES_DIR } from '../paths.js';
import { loadDotenv } from '../sdk.js';
import { closest, isCustomType, loadCheckType, UnknownTypeError } from '../engine/registry.js';
import type { DefaultUse, Severity } from '../report/model.js';
import { interpolate, type EnvProblem } from './interpolate.js';
import { CHECK_ID, checkEntrySchema, checkOverlaySchema, profileFileSchema, type CheckEntry, type ProfileFile } from './schema.js';
import { didYouMeanKey } from './suggest-key.js';
import { hasIn, nodeAt, positionOf, ProfileError, readYamlFile, type YamlFile } from './yaml-file.js';


export const DEFAULT_TIMEOUT_MS = 10_000;

export interface ResolvedCheck {
  id: string;
  type: string;
  check: CheckType;
  title?: string;
  section: string;
  description?: string;
  remediation?: string;
  severity: Severity;
  tags: string[];
  needs: string[];
  timeoutMs: number;
  retries: number;
  waiver?: { reason: string; until: string; by?: string };
  skip?: string;
  /** Items of an external checklist this check verifies. */
  covers: string[];
  /** Validated parameters; absent when the environment is not ready (see envProblems). */
  params?: unknown;
  /** Unset variables or malformed values from the environment: the check fails with these. */
  envProblems: EnvProblem[];
  /** Parameters that took the profile's `${VAR:-default}` because the variable was unset or empty. */
  defaultsUsed: DefaultUse[];
  /** Directory of the file that defined the check's parameters. */
  baseDir: string;
  /** The `${VAR}` references in the check's parameters (one per variable and parameter), e.g. for .env.example. */
  variables?: VariableUse[];
}

/** One environment variable a check's parameters read. */
export interface VariableUse {
  name: string;
  /** Dotted parameter path, e.g. `with.url`. */
  path: string;
  /** The profile's default (`${VAR:-default}` / `${VAR-default}`), when it gives one. */
  default?: string;
  /** The profile's message for an unset variable (`${VAR:?message}`), when it gives one. */
  message?: string;
}

export interface Profile {
  name: string;
  path: string;
  checks: ResolvedCheck[];
  env: Record<string, string | undefined>;
  secretNames: string[];
  notes: string[];
  /** Where manual items are attested (absolute). */
  attestationsFile: string;
  /** Roles whose sign-off a release needs. */
  signoffRoles: string[];
}

export interface LoadOptions {
  /** --env-file: loaded last, override everything. Missing ones are errors. */
  envFiles?: string[];
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
}

export class ProfileErrors extends Error {
  constructor(readonly errors: ProfileError[]) {
    super(errors.map((e) => e.format()).join('\n'));
  }
}

/** One check as merged from the files that mention it, with where each of its fields came from. */
interface MergedCheck {
  id: string;
  entry: Partial<CheckEntry>;
  /** Files that define or overlay this check, base first: positions are looked up from the last one. */
  files: YamlFile[];
}

interface MergedProfile {
  name?: string;
  attestations?: string;
  signoffRoles?: string[];
  defaults: NonNullable<ProfileFile['defaults']>;
  envFiles: { path: string; from: YamlFile }[];
  secrets: string[];
  checks: Map<string, MergedCheck>;
}

export async function loadProfile(profilePath: string, options: LoadOptions = {}): Promise<Profile> {
  const errors: ProfileError[] = [];
  const absolute = resolve(profilePath);
  const merged = mergeFile(absolute, [], errors);
  if (!merged) throw new ProfileErrors(inFileOrder(errors));

  const notes: string[] = [];
  const env = await loadEnvironment(merged, options, errors, notes);
  const secretNames = merged.secrets;

  // Import the check types all at once rather than one after another; a type that cannot be loaded is reported
  // below by resolveCheck, which gets the same (cached) promise.
  await Promise.all([...merged.checks.values()].map((item) => item.entry.type && loadCheckType(item.entry.type, dirname(typeFileOf(item).path)).catch(() => undefined)));
  const checks: ResolvedCheck[] = [];
  for (const item of merged.checks.values()) {
    const resolved = await resolveCheck(item, merged.defaults, env, errors);
    if (resolved) checks.push(resolved);
  }
  validateNeeds(checks, merged, errors);
  if (errors.length) throw new ProfileErrors(inFileOrder(errors));
  const attestationsFile = merged.attestations ?? join(dirname(absolute), '.readiness', 'attestations.yaml');
  // Manual items read the profile's attestations file (unless one names its own); untitled ones show their question.
  for (const check of checks) {
    const params = check.params;
    if (check.type !== 'manual' || !isPlainObject(params)) continue;
    if (params.attestations_file === undefined) check.params = { ...params, attestations_file: attestationsFile };
    if (check.title === undefined && typeof params.question === 'string') check.title = params.question;
  }
  return {
    name: merged.name ?? 'readiness',
    path: absolute,
    checks,
    env,
    secretNames,
    notes,
    attestationsFile,
    signoffRoles: merged.signoffRoles ?? [],
  };
}

function mergeFile(path: string, stack: string[], errors: ProfileError[]): MergedProfile | undefined {
  if (stack.includes(path)) {
    errors.push(new ProfileError(`extends cycle: ${[...stack, path].map(shortName).join(' → ')}`, { file: stack[stack.length - 1] ?? path }));
    return undefined;
  }
  let file: YamlFile;
  try {
    file = readYamlFile(path);
  } catch (err) {
    if (err instanceof ProfileError) errors.push(err);
    else throw err;
    return undefined;
  }
  const parsed = profileFileSchema.safeParse(file.data ?? {}, { reportInput: true });
  if (!parsed.success) {
    errors.push(...zodIssuesToErrors(parsed.error.issues, file, [], profileFileSchema));
    return undefined;
  }
  const data = parsed.data;
  const dir = dirname(path);

  let base: MergedProfile = { defaults: {}, envFiles: [], secrets: [], checks: new Map() };
  const parents = data.extends === undefined ? [] : Array.isArray(data.extends) ? data.extends : [data.extends];
  for (const [index, parent] of parents.entries()) {
    const parentPath = resolveExtends(parent, dir);
    if (!parentPath) {
      errors.push(new ProfileError(`extends: cannot find profile "${parent}" (a path relative to this file, or a bundled profile name)`, positionOf(file, ['extends', ...(Array.isArray(data.extends) ? [index] : [])])));
      continue;
    }
    const parentProfile = mergeFile(parentPath, [...stack, path], errors);
    if (parentProfile) base = overlayProfile(base, parentProfile);
  }

  const own: MergedProfile = {
    name: data.name,
    attestations: data.attestations === undefined ? undefined : resolve(dir, data.attestations),
    signoffRoles: data.signoff?.roles,
    defaults: data.defaults ?? {},
    envFiles: (data.env_files ?? []).map((p) => ({ path: resolve(dir, p), from: file })),
    secrets: data.secrets ?? [],
    checks: new Map(),
  };
  for (const [id, value] of Object.entries(data.checks ?? {})) {
    if (!CHECK_ID.test(id)) {
      errors.push(new ProfileError(`check id "${id}" may only contain letters, digits and _ . : / -`, positionOf(file, ['checks'], id)));
      continue;
    }
    if (value === false) {
      if (!base.checks.has(id)) errors.push(new ProfileError(`"${id}: false" removes an inherited check, but no profile this one extends defines "${id}"`, positionOf(file, ['checks'], id)));
      base.checks.delete(id);
      continue;
    }
    const inherited = base.checks.has(id);
    const schema = inherited ? checkOverlaySchema : checkEntrySchema;
    const entry = schema.safeParse(value ?? {}, { reportInput: true });
    if (!entry.success) {
      errors.push(...zodIssuesToErrors(entry.error.issues, file, ['checks', id], schema));
      // Keep checking the rest of the entry (its type, parameters, needs) so `validate` lists every problem.
      const partial = withoutBadFields(value, entry.error.issues, schema);
      if (partial) own.checks.set(id, { id, entry: partial, files: [file] });
      continue;
    }
    own.checks.set(id, { id, entry: entry.data, files: [file] });
  }
  return overlayProfile(base, own);
}

/** The entry without the fields that have problems (already reported), or undefined when nothing useful is left. */
function withoutBadFields(value: unknown, issues: z.core.$ZodIssue[], schema: typeof checkEntrySchema | typeof checkOverlaySchema): Partial<CheckEntry> | undefined {
  if (!isPlainObject(value)) return undefined;
  const bad = new Set<string>();
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys' && issue.path.length === 0) issue.keys.forEach((k) => bad.add(k));
    else if (issue.path.length) bad.add(String(issue.path[0]));
    else return undefined;
  }
  if (bad.has('type')) return undefined;
  const retry = schema.safeParse(Object.fromEntries(Object.entries(value).filter(([k]) => !bad.has(k))));
  return retry.success ? retry.data : undefined;
}

/** Problems of one file together, top to bottom (a stable sort: problems without a line keep their place). */
function inFileOrder(errors: ProfileError[]): ProfileError[] {
  const files: string[] = [];
  for (const e of errors) if (e.position && !files.includes(e.position.file)) files.push(e.position.file);
  const rank = (e: ProfileError) => (e.position ? files.indexOf(e.position.file) : -1);
  return [...errors].sort((a, b) => rank(a) - rank(b) || (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.column ?? 0) - (b.position?.column ?? 0));
}

function resolveExtends(name: string, dir: string): string | undefined {
  const looksLikePath = name.startsWith('.') || isAbsolute(name) || /\.ya?ml$/.test(name);
  if (looksLikePath) {
    const candidate = resolve(dir, name);
    return existsSync(candidate) ? candidate : undefined;
  }
  const bundled = join(BUNDLED_PROFILES_DIR, `${name}.yaml`);
  return existsSync(bundled) ? bundled : undefined;
}

function overlayProfile(base: MergedProfile, top: MergedProfile): MergedProfile {
  const checks = new Map(base.checks);
  for (const [id, item] of top.checks) {
    const below = checks.get(id);
    checks.set(id, below ? { id, entry: mergeEntry(below.entry, item.entry), files: [...below.files, ...item.files] } : item);
  }
  return {
    name: top.name ?? base.name,
    attestations: top.attestations ?? base.attestations,
    signoffRoles: top.signoffRoles ?? base.signoffRoles,
    defaults: { ...base.defaults, ...top.defaults },
    envFiles: [...base.envFiles, ...top.envFiles],
    secrets: [...new Set([...base.secrets, ...top.secrets])],
    checks,
  };
}

/** Overlay fields replace inherited ones, except `with`, which merges key by key (deeply). */
function mergeEntry(below: Partial<CheckEntry>, top: Partial<CheckEntry>): Partial<CheckEntry> {
  const merged: Partial<CheckEntry> = { ...below, ...top };
  if (below.with && top.with) merged.with = deepMerge(below.with, top.with) as Record<string, unknown>;
  return merged;
}

function deepMerge(below: unknown, top: unknown): unknown {
  if (isPlainObject(below) && isPlainObject(top)) {
    const out: Record<string, unknown> = { ...below };
    for (const [k, v] of Object.entries(top)) out[k] = k in out ? deepMerge(out[k], v) : v;
    return out;
  }
  return top;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

async function loadEnvironment(merged: MergedProfile, options: LoadOptions, errors: ProfileError[], notes: string[]): Promise<Record<string, string | undefined>> {
  // Precedence, lowest first: the profile's env_files, the process environment, --env-file.
  const fromProfile: Record<string, string> = {};
  for (const { path, from } of merged.envFiles) {
    if (!existsSync(path)) {
      notes.push(`env file ${shortName(path)} (from ${shortName(from.path)}) not found; skipped`);
      continue;
    }
    Object.assign(fromProfile, await readDotenv(path, errors, from));
  }
  const fromFlags: Record<string, string> = {};
  for (const path of options.envFiles ?? []) {
    const absolute = resolve(path);
    if (!existsSync(absolute)) {
      errors.push(new ProfileError(`--env-file ${path}: file not found`));
      continue;
    }
    Object.assign(fromFlags, await readDotenv(absolute, errors));
  }
  return { ...fromProfile, ...(options.env ?? process.env), ...fromFlags };
}

async function readDotenv(path: string, errors: ProfileError[], from?: YamlFile): Promise<Record<string, string>> {
  const parseDotenv = await loadDotenv();
  try {
    return parseDotenv(readFileSync(path));
  } catch (err) {
    errors.push(new ProfileError(`cannot read env file ${shortName(path)}: ${(err as Error).message}`, from ? { file: from.path } : undefined));
    return {};
  }
}

async function resolveCheck(
  item: MergedCheck,
  defaults: MergedProfile['defaults'],
  env: Record<string, string | undefined>,
  errors: ProfileError[],
): Promise<ResolvedCheck | undefined> {
  const { id, entry } = item;
  const file = item.files[item.files.length - 1];
  const where = (path: (string | number)[], key?: string) => positionOf(findDefiningFile(item, path) ?? file, ['checks', id, ...path], key);
  if (!entry.type) {
    errors.push(new ProfileError(`checks.${id}: "type" is required`, where([])));
    return undefined;
  }
  const typeFile = typeFileOf(item);
  const baseDir = dirname((findDefiningFile(item, ['with']) ?? typeFile).path);
  let check: CheckType;
  try {
    check = await loadCheckType(entry.type, dirname(typeFile.path));
  } catch (err) {
    const text = (err as Error).message;
    const message = err instanceof UnknownTypeError || isCustomType(entry.type) || text.startsWith('cannot load') ? text : `cannot load check type "${entry.type}": ${text}`;
    errors.push(new ProfileError(`checks.${id}.type: ${message}`, where(['type'])));
    return undefined;
  }

  const { value: params, problems, fromEnv, defaults: defaultsUsed } = interpolate(entry.with ?? {}, env);
  const parsed = check.params.safeParse(params, { reportInput: true });
  const envProblems = [...problems];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = ['with', ...issue.path.map(String)];
      const dotted = path.join('.');
      // An unknown key is a typo in the profile: interpolation changes values, never keys.
      const variables = issue.code === 'unrecognized_keys' ? undefined : [...fromEnv.entries()].find(([p]) => dotted === p || dotted.startsWith(`${p}.`) || p.startsWith(`${dotted}.`))?.[1];
      if (variables) {
        // The profile is fine; the environment holds a bad value. That is a finding, reported by the check.
        if (!problems.some((p) => p.path === dotted)) {
          envProblems.push({ path: dotted, variable: variables[0], message: `${variables.join(', ')} ${variables.length > 1 ? 'give' : 'gives'} an invalid value: ${issueText(issue)}` });
        }
        continue;
      }
      if (issue.code === 'unrecognized_keys') {
        // One line per unknown key, at its own position, with the nearest parameter of the type.
        for (const key of issue.keys) {
          const hint = didYouMeanKey(check.params, issue.path as (string | number)[], key);
          errors.push(new ProfileError(`checks.${id}.${dotted}.${key}: unknown key "${key}"${hint}`, where(path, key)));
        }
        continue;
      }
      errors.push(new ProfileError(`checks.${id}.${dotted}: ${issueText(issue)}`, where(path)));
    }
  }

  const timeout = entry.timeout ?? defaults.timeout;
  return {
    id,
    type: entry.type,
    check,
    title: entry.title,
    section: entry.section ?? 'General',
    description: entry.description,
    remediation: entry.remediation,
    severity: entry.severity ?? defaults.severity ?? 'critical',
    tags: entry.tags ?? [],
    needs: entry.needs === undefined ? [] : Array.isArray(entry.needs) ? entry.needs : [entry.needs],
    timeoutMs: timeout === undefined ? DEFAULT_TIMEOUT_MS : (parseDuration(timeout) as number),
    retries: entry.retries ?? defaults.retries ?? 0,
    waiver: entry.waiver,
    skip: entry.skip === true ? 'skipped in the profile' : entry.skip || undefined,
    covers: entry.covers ?? [],
    params: parsed.success && envProblems.length === 0 ? parsed.data : undefined,
    envProblems,
    defaultsUsed,
    baseDir,
    variables: variableUses(entry.with ?? {}),
  };
}

const VARIABLE_REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?|-|\?)((?:[^}\\]|\\.)*))?\}/g;

/** Every `${VAR}` in the (uninterpolated) parameters, with its parameter path and default or message. */
export function variableUses(value: unknown, path = 'with'): VariableUse[] {
  const uses: VariableUse[] = [];
  const walk = (node: unknown, at: string): void => {
    if (typeof node === 'string') {
      for (const match of node.matchAll(VARIABLE_REFERENCE)) {
        const [, name, operator, arg] = match;
        if (!name) continue;
        const argument = (arg ?? '').replace(/\\(.)/g, '$1');
        const use: VariableUse = { name, path: at };
        if (operator === ':-' || operator === '-') use.default = argument;
        if ((operator === ':?' || operator === '?') && argument) use.message = argument;
        if (!uses.some((u) => u.name === name && u.path === at)) uses.push(use);
      }
    } else if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${at}.${i}`));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, `${at}.${k}`);
  };
  walk(value, path);
  return uses;
}

/** The file that names the check's type: custom module paths are relative to it. */
function typeFileOf(item: MergedCheck): YamlFile {
  return findDefiningFile(item, ['type']) ?? item.files[item.files.length - 1];
}

/** The last file (overlay first) in which this check's value at `path` is written. */
function findDefiningFile(item: MergedCheck, path: (string | number)[]): YamlFile | undefined {
  for (let i = item.files.length - 1; i >= 0; i--) {
    if (hasIn(item.files[i], ['checks', item.id, ...path])) return item.files[i];
  }
  return undefined;
}

function validateNeeds(checks: ResolvedCheck[], merged: MergedProfile, errors: ProfileError[]): void {
  // Every id the profile defines, also of checks that have problems of their own (already reported).
  const ids = new Set([...checks.map((c) => c.id), ...merged.checks.keys()]);
  const fileOf = (id: string) => {
    const files = merged.checks.get(id)?.files ?? [];
    return files[files.length - 1];
  };
  for (const check of checks) {
    for (const [index, need] of check.needs.entries()) {
      if (ids.has(need)) continue;
      const file = fileOf(check.id);
      const suggestion = closestId(need, [...ids]);
      const written = file && nodeAt(file, ['checks', check.id, 'needs']);
      const listed = !!(written && (written.seq || written.map || written.alias)); // not one plain string
      const position = file ? positionOf(file, ['checks', check.id, 'needs', ...(listed ? [index] : [])]) : undefined;
      errors.push(new ProfileError(`checks.${check.id}.needs: unknown check "${need}"${suggestion ? ` — did you mean "${suggestion}"?` : ''}`, position));
    }
  }
  const cycle = findCycle(checks);
  if (cycle) {
    const file = fileOf(cycle[0]);
    errors.push(new ProfileError(`needs cycle: ${cycle.join(' → ')}`, file ? positionOf(file, ['checks', cycle[0], 'needs']) : undefined));
  }
}

function closestId(word: string, ids: string[]): string | undefined {
  return ids.find((id) => id.toLowerCase() === word.toLowerCase()) ?? ids.find((id) => id.endsWith(word) || word.endsWith(id)) ?? closest(word, ids);
}

function findCycle(checks: ResolvedCheck[]): string[] | undefined {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const need of byId.get(id)?.needs ?? []) {
      if (!byId.has(need)) continue;
      const found = visit(need);
      if (found) return found;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const check of checks) {
    const found = visit(check.id);
    if (found) return found;
  }
  return undefined;
}

function zodIssuesToErrors(issues: z.core.$ZodIssue[], file: YamlFile, prefix: (string | number)[], schema: z.core.$ZodType): ProfileError[] {
  return issues.flatMap((issue) => {
    const own = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const path = [...prefix, ...own];
    if (issue.code === 'unrecognized_keys') {
      // One line per unknown key, at its own position, with the nearest accepted key.
      return issue.keys.map((key) => new ProfileError(`${[...path, key].join('.')}: unknown key "${key}"${didYouMeanKey(schema, own, key)}`, positionOf(file, path, key)));
    }
    const dotted = path.join('.');
    return [new ProfileError(`${dotted ? `${dotted}: ` : ''}${issueText(issue)}`, positionOf(file, path))];
  });
}

/** zod's message plus what was given, e.g. `Invalid option: expected one of "a"|"b" (got "c")`. */
export function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  if (issue.code === 'invalid_union' && issue.message === 'Invalid input') {
    // zod says only "Invalid input": say what the branches expect instead.
    const branches = (issue.errors ?? []).filter((branch) => branch.length > 0);
    const specific = branches.flat().find((i) => i.code !== 'invalid_type' && i.path.length === 0 && !i.message.startsWith('Invalid input'));
    const expectedTypes = [...new Set(branches.flat().filter((i) => i.code === 'invalid_type' && i.path.length === 0).map((i) => (i as { expected?: string }).expected).filter(Boolean))];
    const what = specific ? specific.message : expectedTypes.length ? `expected ${expectedTypes.join(' or ')}` : undefined;
    if (what) return issueText({ ...issue, message: what } as z.core.$ZodIssue);
  }
  const input = (issue as { input?: unknown }).input;
  // Show what was given when it is a scalar; an object would only bury the message.
  const shown = input === null || ['string', 'number', 'boolean'].includes(typeof input) ? JSON.stringify(input) : undefined;
  const got = shown === undefined ? '' : ` (got ${shown.length > 60 ? `${shown.slice(0, 57)}…"` : shown})`;
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && input === undefined) {
    return `required: ${issue.message.replace(/^Invalid input: /, '').replace(/, received undefined$/, '')}`;
  }
  return `${issue.message}${got}`;
}

function shortName(path: string): string {
  const rel = path.startsWith(process.cwd()) ? path.slice(process.cwd().length + 1) : path;
  return rel || path;
}
