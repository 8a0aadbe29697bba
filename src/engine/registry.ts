// Finds check modules by convention (`family.name` → checks/family/name.js, `name` → checks/name.js)
// and imports one only when a profile uses it, so `readiness --help` stays fast.
import { readdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep, isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CheckType } from '../check.js';

// Compiled: dist/src/engine/registry.js → dist/checks. From source (tests): src/engine/registry.ts → checks.
const here = fileURLToPath(import.meta.url);
const MODULE_EXT = here.endsWith('.ts') ? '.ts' : '.js';
export const CHECKS_DIR = resolve(dirname(here), '..', '..', 'checks');

const cache = new Map<string, Promise<CheckType>>();

/** True for `./my-check.js`, `../x.mjs`, `/abs/path.js`: a user's own check module. */
export function isCustomType(type: string): boolean {
  return type.startsWith('./') || type.startsWith('../') || isAbsolute(type);
}

/** Every built-in check type name, sorted. Reads the directory only; imports nothing. */
export function builtinTypes(): string[] {
  if (!existsSync(CHECKS_DIR)) return [];
  const types: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(MODULE_EXT) && !entry.name.endsWith(`.d${MODULE_EXT}`) && !entry.name.startsWith('_')) {
        types.push(relative(CHECKS_DIR, full).slice(0, -MODULE_EXT.length).split(sep).join('.'));
      }
    }
  };
  walk(CHECKS_DIR);
  return types.sort();
}

export class UnknownTypeError extends Error {
  constructor(
    readonly type: string,
    readonly suggestion?: string,
  ) {
    super(`unknown check type "${type}"${suggestion ? ` — did you mean "${suggestion}"?` : ''}`);
  }
}

/** Imports a check module: a built-in type name, or a path relative to `baseDir` for a custom one. */
export function loadCheckType(type: string, baseDir = process.cwd()): Promise<CheckType> {
  const file = isCustomType(type) ? resolve(baseDir, type) : join(CHECKS_DIR, ...type.split('.')) + MODULE_EXT;
  let loading = cache.get(file);
  if (!loading) {
    loading = importCheck(type, file);
    cache.set(file, loading);
  }
  return loading;
}

async function importCheck(type: string, file: string): Promise<CheckType> {
  if (!existsSync(file)) {
    if (isCustomType(type)) throw new Error(`custom check module "${type}" not found (looked for ${file})`);
    throw new UnknownTypeError(type, closest(type, builtinTypes()));
  }
  let mod: { default?: CheckType };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: CheckType };
  } catch (err) {
    // A syntax error or a missing import inside the module: say which module, and what kind of error.
    const e = err as Error;
    const what = e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
    throw new Error(`cannot load ${isCustomType(type) ? 'custom check module' : 'check type'} "${type}": ${what.split('\n')[0]}`);
  }
  const check = mod.default;
  if (!check || typeof check.run !== 'function' || !check.meta || !check.params) {
    throw new Error(`check module "${type}" must default-export defineCheck({ meta, params, run })`);
  }
  return check;
}

export async function loadAllBuiltins(): Promise<CheckType[]> {
  return Promise.all(builtinTypes().map((type) => loadCheckType(type)));
}

/** The candidate nearest to `word` by edit distance, when it is near enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
