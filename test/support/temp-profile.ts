// Writes profile files (and anything else) into a fresh temporary directory.
import { mkdirSync, mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
// Inside the repository (git-ignored) so custom check modules resolve `zod` from its node_modules, as in a user's project.
const TEMP_ROOT = resolve(FIXTURES, '..', '..', 'test-artifacts', 'tmp');

/** Creates the files (path → content) in a new temp dir, plus a copy of the fixture check modules in ./checks. */
export function tempProject(files: Record<string, string>): string {
  mkdirSync(TEMP_ROOT, { recursive: true });
  const dir = mkdtempSync(join(TEMP_ROOT, 'project-'));
  cpSync(join(FIXTURES, 'checks'), join(dir, 'checks'), { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}
