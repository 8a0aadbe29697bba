// Reads one YAML profile file keeping source positions, so every problem can say file:line:column.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';

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
  doc: Document;
  lines: LineCounter;
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
  return { path, data: doc.toJS({ maxAliasCount: 100 }), doc, lines };
}

/**
 * Source position of a value (or, with `key`, of that key inside the map at `path`).
 * Falls back to the nearest ancestor that exists, so every message still gets a line.
 */
export function positionOf(file: YamlFile, path: readonly (string | number)[], key?: string): Position {
  for (let depth = path.length; depth >= 0; depth--) {
    let target = (depth === 0 ? file.doc.contents : file.doc.getIn(path.slice(0, depth), true)) as Node | undefined | null;
    if (!target) continue;
    if (key !== undefined && depth === path.length && isMap(target)) {
      const pair = target.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      if (pair && isScalar(pair.key)) target = pair.key;
    }
    const offset = target.range?.[0];
    if (offset === undefined) continue;
    const { line, col } = file.lines.linePos(offset);
    return { file: file.path, line, column: col };
  }
  return { file: file.path };
}
