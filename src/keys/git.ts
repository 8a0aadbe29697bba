// Small git helpers for the checks that care whether a file is committed (jwt.keys, secrets.scan).
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { dirname, relative } from 'node:path';

export interface GitResult {
  stdout: string;
  code: number;
}

/** Runs git without a shell; resolves with the exit code instead of throwing on a non-zero one. */
export function git(args: string[], options: { cwd: string; signal?: AbortSignal; maxBuffer?: number }): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'git',
      args,
      { cwd: options.cwd, signal: options.signal, maxBuffer: options.maxBuffer ?? 256 * 1024 * 1024, encoding: 'utf8', env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' } },
      (err, stdout) => {
        if (err) {
          const code = (err as { code?: unknown }).code;
          if (typeof code === 'number') return resolvePromise({ stdout: String(stdout ?? ''), code });
          if ((err as { name?: string }).name === 'AbortError') return reject(new Error('git was interrupted (timeout or cancel)'));
          if (code === 'ENOENT') return reject(new Error('git is not installed or not on PATH'));
          return reject(new Error(`git failed: ${(err as Error).message.split('\n')[0]}`));
        }
        resolvePromise({ stdout: String(stdout), code: 0 });
      },
    );
  });
}

/** The work tree root containing `dir`, or undefined when `dir` is not inside a git work tree. */
export async function gitTopLevel(dir: string, signal?: AbortSignal): Promise<string | undefined> {
  const result = await git(['rev-parse', '--show-toplevel'], { cwd: dir, signal });
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/**
 * Whether `file` is tracked by git in the repository it lives in: `{ repo, tracked }`, or undefined when
 * the file is not inside a git work tree (or its directory does not exist).
 */
export async function trackedByGit(file: string, signal?: AbortSignal): Promise<{ repo: string; tracked: boolean } | undefined> {
  let repo: string | undefined;
  try {
    file = await realpath(file);
    repo = await gitTopLevel(dirname(file), signal);
  } catch (err) {
    if ((err as Error).message.includes('not installed')) return undefined;
    throw err;
  }
  if (!repo) return undefined;
  repo = await realpath(repo);
  const result = await git(['ls-files', '--error-unmatch', '--', relative(repo, file)], { cwd: repo, signal });
  return { repo, tracked: result.code === 0 };
}
