// Runs the built CLI (bin/readiness → dist/) as a subprocess, as a user or CI would.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = resolve(ROOT, 'bin', 'readiness');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** Send SIGINT after this many ms. */
  interruptAfterMs?: number;
  /** Send SIGINT as soon as this says so (polled every 25 ms), e.g. once a hung server saw the connection. */
  interruptWhen?: () => boolean;
  timeoutMs?: number;
}

export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  if (!existsSync(resolve(ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true', NO_COLOR: '1', ...options.env };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: env as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    if (options.interruptAfterMs) setTimeout(() => child.kill('SIGINT'), options.interruptAfterMs);
    const poll = options.interruptWhen
      ? setInterval(() => {
          if (!options.interruptWhen!()) return;
          clearInterval(poll);
          child.kill('SIGINT');
        }, 25)
      : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (poll) clearInterval(poll);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}
