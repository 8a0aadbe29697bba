// Throwaway git repositories for tests: write files, commit them, remove them again (history stays).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'readiness tests',
  GIT_AUTHOR_EMAIL: 'tests@example.invalid',
  GIT_COMMITTER_NAME: 'readiness tests',
  GIT_COMMITTER_EMAIL: 'tests@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

export interface TempRepo {
  dir: string;
  git(...args: string[]): string;
  /** Writes a file (creating directories) without adding it. */
  write(path: string, content: string | Buffer, mode?: number): string;
  remove(path: string): void;
  /** `git add -A` + commit; returns the commit id. */
  commit(message?: string): string;
  cleanup(): void;
}

export function tempRepo(prefix = 'readiness-git-'): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  git('init', '-q', '-b', 'main');
  git('config', 'commit.gpgsign', 'false');
  return {
    dir,
    git,
    write(path, content, mode) {
      const full = join(dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content, mode === undefined ? undefined : { mode });
      return full;
    },
    remove(path) {
      unlinkSync(join(dir, path));
    },
    commit(message = 'change') {
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', message);
      return git('rev-parse', 'HEAD').trim();
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
