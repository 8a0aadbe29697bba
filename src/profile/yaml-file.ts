// Reads one YAML profile file keeping source positions, so every problem can say file:line:column.
// A bundled profile is read from its snapshot when there is one for its exact text (see profileSnapshot):
// the same data and node tree, without parsing ~150 KB of YAML on every run.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { BUNDLED_PROFILES_DIR, PACKAGE_ROOT } from '../paths.js';

export interface Position {
  file: string;
  line?: number;
  column?: number;
}

/** A problem with the profile itself: nothing runs, exit code 2. */
export class ProfileError extends Error {
  constructor(
    message: string,
    readonly position?: Position,
  ) {
    super(message);
  }

  /** `readiness.yaml:12:7: message`, with the file path relative to the working directory. */
  format(cwd = process.cwd()): string {
    if (!this.position) return this.message;
    const { file, line, column } = this.position;
    const shown = relative(cwd, file) || file;
    return `${shown}${line ? `:${line}${column ? `:${column}` : ''}` : ''}: ${this.message}`;
  }
}

export interface YamlFile {
  path: string;
  data: unknown;
  /** The document's node tree (null for an empty document). */
  root: YamlNode | null;
  lines: LineCounter;
}

/**
 * One node of a YAML document, reduced to what the loader asks of it: where it starts and what it holds.
 * Plain JSON, so the tree of a bundled profile can be stored in its snapshot. An alias (`*name`) is a leaf,
 * as in yaml's Document.getIn and hasIn, which do not follow aliases.
 */
export interface YamlNode {
  /** Offset of the node in the text (-1 when unknown). */
  at: number;
  /** A map's entries: [the key's value when the key is a scalar, else null; the key's offset; the value]. */
  map?: [key: unknown, keyAt: number, value: YamlNode | null][];
  /** A sequence's items. */
  seq?: (YamlNode | null)[];
  alias?: true;
}

export function readYamlFile(path: string): YamlFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String((err as Error).message);
    throw new ProfileError(`cannot read profile: ${why}`, { file: path });
  }
  return (dirname(path) === BUNDLED_PROFILES_DIR && fromSnapshot(path, text)) || parseYamlFile(path, text);
}

function parseYamlFile(path: string, text: string): YamlFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem) {
    const at = lines.linePos(problem.pos[0]);
    let message = problem.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    if (problem.code === 'DUPLICATE_KEY') {
      // Name the key: in `checks:` it is a check id defined twice.
      const key = /^\s*["']?([^"':\n]+?)["']?\s*:/.exec(text.slice(problem.pos[0]))?.[1];
      if (key) message = `"${key}" is defined twice (map keys, including check ids, must be unique)`;
    }
    throw new ProfileError(`invalid YAML: ${message}`, { file: path, line: at?.line, column: at?.col });
  }
  return { path, data: doc.toJS({ maxAliasCount: 100 }), root: tree(doc.contents), lines };
}

function tree(node: unknown): YamlNode | null {
  if (!node) return null;
  const at = (node as Node).range?.[0] ?? -1;
  if (isMap(node)) {
    return { at, map: node.items.map((pair) => [isScalar(pair.key) ? pair.key.value : null, (pair.key as Node | null)?.range?.[0] ?? -1, tree(pair.value)]) };
  }
  if (isSeq(node)) return { at, seq: node.items.map(tree) };
  return isAlias(node) ? { at, alias: true } : { at };
}

/** The node at `path` (map keys, sequence indexes), like yaml's `doc.getIn(path, true)`. */
export function nodeAt(file: YamlFile, path: readonly (string | number)[]): YamlNode | undefined {
  let node = file.root ?? undefined;
  for (const key of path) {
    if (!node) return undefined;
    node = child(node, key);
  }
  return node;
}

/** Whether a value is written at `path` (also an empty one), like yaml's `doc.hasIn(path)`. */
export function hasIn(file: YamlFile, path: readonly (string | number)[]): boolean {
  if (!path.length) return file.root !== undefined;
  const parent = nodeAt(file, path.slice(0, -1));
  const key = path[path.length - 1];
  if (parent?.map) return parent.map.some(([k]) => k === key);
  if (parent?.seq) {
    const index = itemIndex(key);
    return index !== undefined && index < parent.seq.length;
  }
  return false;
}

function child(node: YamlNode, key: string | number): YamlNode | undefined {
  if (node.map) return node.map.find(([k]) => k === key)?.[2] ?? undefined;
  if (node.seq) {
    const index = itemIndex(key);
    return index === undefined ? undefined : node.seq[index] ?? undefined;
  }
  return undefined;
}

/** A sequence index from a path segment: 2 or "2". */
function itemIndex(key: string | number): number | undefined {
  const index = typeof key === 'string' && key ? Number(key) : key;
  return typeof index === 'number' && Number.isInteger(index) && index >= 0 ? index : undefined;
}

/**
 * Source position of a value (or, with `key`, of that key inside the map at `path`).
 * Falls back to the nearest ancestor that exists, so every message still gets a line.
 */
export function positionOf(file: YamlFile, path: readonly (string | number)[], key?: string): Position {
  for (let depth = path.length; depth >= 0; depth--) {
    const target = nodeAt(file, path.slice(0, depth));
    if (!target) continue;
    let offset = target.at;
    if (key !== undefined && depth === path.length && target.map) {
      const pair = target.map.find(([k]) => k === key);
      if (pair) offset = pair[1];
    }
    if (offset < 0) continue;
    const { line, col } = file.lines.linePos(offset);
    return { file: file.path, line, column: col };
  }
  return { file: file.path };
}

// Snapshots of the bundled profiles, written by `npm run build` (scripts/snapshot-profiles.mjs). One is used only
// for the exact text it was made from; any other text (an edited profile, a stale build) is parsed as usual.
export const SNAPSHOT_DIR = join(PACKAGE_ROOT, 'dist', 'profiles');
const SNAPSHOT_FORMAT = 1;

interface Snapshot {
  format: number;
  sha256: string;
  data: unknown;
  root: YamlNode | null;
  lineStarts: number[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const snapshotPath = (profilePath: string) => join(SNAPSHOT_DIR, `${basename(profilePath, '.yaml')}.json`);

/** The file from the snapshot of the bundled profile of that name, when there is one for exactly this text. */
export function fromSnapshot(path: string, text: string): YamlFile | undefined {
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(readFileSync(snapshotPath(path), 'utf8')) as Snapshot;
  } catch {
    return undefined;
  }
  if (snapshot.format !== SNAPSHOT_FORMAT || snapshot.sha256 !== sha256(text)) return undefined;
  const lines = new LineCounter();
  lines.lineStarts = snapshot.lineStarts;
  return { path, data: snapshot.data, root: snapshot.root, lines };
}

/**
 * The snapshot of a profile file as JSON: its data, node tree and line starts, for `readYamlFile` to use instead
 * of parsing. Undefined when JSON cannot hold the data exactly (e.g. `.inf`, `-0`). Throws ProfileError like
 * `readYamlFile` when the file is not valid YAML.
 */
export function profileSnapshot(path: string): { file: string; json: string } | undefined {
  const text = readFileSync(path, 'utf8');
  const { data, root, lines } = parseYamlFile(path, text);
  const snapshot: Snapshot = { format: SNAPSHOT_FORMAT, sha256: sha256(text), data, root, lineStarts: lines.lineStarts };
  const json = JSON.stringify(snapshot);
  return isDeepStrictEqual(JSON.parse(json), snapshot) ? { file: snapshotPath(path), json } : undefined;
}
