// Throwaway directory trees for the file, env.vars and command checks: real files with chosen modes and ages.
import { chmod, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface FixtureFile {
  /** Content; omit for a directory. */
  content?: string | Buffer;
  /** Permission bits, e.g. 0o600. */
  mode?: number;
  /** Age of the modification time in milliseconds (default: just now). */
  ageMs?: number;
}

export interface FixtureTree {
  dir: string;
  /** Absolute path of an entry. */
  path(rel: string): string;
  /** Removes the tree (call from afterAll). */
  cleanup(): Promise<void>;
}

/** Creates `{ 'a/b.txt': { content: 'x', mode: 0o600, ageMs: 3_600_000 }, 'logs/': {} }` under a temp dir. */
export async function makeTree(entries: Record<string, FixtureFile>, prefix = 'readiness-files-'): Promise<FixtureTree> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const now = Date.now();
  // Directories first, files after, ages last (writing a file changes its directory's mtime).
  const sorted = Object.entries(entries).sort(([a], [b]) => Number(b.endsWith('/')) - Number(a.endsWith('/')));
  for (const [rel, spec] of sorted) {
    const abs = path.join(dir, rel);
    if (rel.endsWith('/') || spec.content === undefined) await mkdir(abs, { recursive: true });
    else {
      await mkdir(path.dirname(abs), { recursive: true });
      await writeFile(abs, spec.content);
    }
    if (spec.mode !== undefined) await chmod(abs, spec.mode);
  }
  for (const [rel, spec] of sorted) {
    if (spec.ageMs === undefined) continue;
    const when = new Date(now - spec.ageMs);
    await utimes(path.join(dir, rel), when, when);
  }
  return {
    dir,
    path: (rel) => path.join(dir, rel),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
