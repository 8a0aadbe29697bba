// Ctrl-C in a real terminal. The CLI runs on a pseudo-terminal made by `script` (util-linux, in every Debian
// install) with CI removed from its environment, so the ora spinner really runs; the test types ^C (the byte
// 0x03) into the terminal, as a person would, instead of sending SIGINT. If anything put the terminal in raw
// mode (ora's default `discardStdin: true` did), the byte would be read as input and no SIGINT would come.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../support/cli.js';
import { tempProject } from '../support/temp-profile.js';

const CTRL_C = '\x03';
/** Ctrl-C must stop the run within 1 s; the margin keeps a loaded machine from failing the test. */
const STOP_WITHIN_MS = 1500;

interface TerminalRun {
  /** Everything the terminal showed (stdout and stderr of the CLI, the echo of ^C). */
  screen: () => string;
  /** Resolves when `text` (a regex) has appeared on the terminal. */
  waitFor: (text: RegExp, timeoutMs?: number) => Promise<void>;
  type: (bytes: string) => void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  kill: () => void;
}

/** Runs `readiness <args>` on a new pseudo-terminal of 100×30, without CI in its environment. */
function inTerminal(args: string[], cwd: string): TerminalRun {
  if (spawnSync('script', ['--version']).error) throw new Error('`script` (Debian package bsdutils/util-linux) is needed to give the CLI a terminal');
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build`');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // `exec`: the CLI itself is the terminal's foreground process (no shell in between to catch the SIGINT).
  const command = `stty cols 100 rows 30 && exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  // -e: script exits with the CLI's exit code; -f: output is passed on as it comes.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm' }; // no CI
  const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    screen += d.toString('utf8');
    for (const w of waiters) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
  });
  return {
    screen: () => screen,
    waitFor: (text, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!text.test(screen)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${text} did not appear on the terminal within ${timeoutMs} ms; it showed:\n${JSON.stringify(screen.slice(-2000))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
        void exited.then(() => {
          if (waiters.has(check)) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`the CLI exited before ${text} appeared; the terminal showed:\n${JSON.stringify(screen.slice(-2000))}`));
          }
        });
      }),
    type: (bytes) => child.stdin.write(bytes),
    exited,
    kill: () => child.kill('SIGKILL'),
  };
}

/** Pids of live processes whose command line contains `marker` as one argument. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(marker)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

async function until<T>(what: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const value = what();
    if (value !== undefined || performance.now() > end) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

// A unique `sleep` argument finds the command check's child in /proc (and nothing else).
const markers: string[] = [];
const newMarker = () => {
  const marker = `30.${process.pid}${String(Date.now()).slice(-6)}${markers.length}`;
  markers.push(marker);
  return marker;
};

afterAll(() => {
  // Never leave a sleep behind if an assertion failed half-way.
  for (const marker of markers) for (const pid of processesWith(marker)) process.kill(pid, 'SIGKILL');
});

describe('Ctrl-C in a terminal', () => {
  it('stops the run within 1 s, writes the reports with the interrupted checks marked, exits 130', async () => {
    const marker = newMarker();
    const dir = tempProject({
      'readiness.yaml': [
        'version: 1',
        'name: Ctrl-C in a terminal',
        'checks:',
        '  quick:',
        '    type: ./checks/scripted.js',
        '    with: { message: done before Ctrl-C }',
        '  hangs:',
        '    type: command',
        '    timeout: 60s',
        `    with: { argv: [sleep, "${marker}"] }`,
        '',
      ].join('\n'),
    });
    const run = inTerminal(['check', '--no-color', '-f', 'json:out/report.json', '-f', 'junit:out/report.xml'], dir);
    try {
      // The spinner is on the terminal (so this is the case where ora used to switch it to raw mode) and the
      // hanging check's process is running.
      await run.waitFor(/running hangs/);
      expect(await until(() => processesWith(marker)[0], 10_000), `sleep ${marker} never started`).toBeDefined();

      const typedAt = performance.now();
      run.type(CTRL_C);
      const exit = await Promise.race([
        run.exited,
        new Promise<undefined>((r) => setTimeout(r, 10_000)),
      ]);
      expect(exit, `still running 10 s after ^C; the terminal showed:\n${JSON.stringify(run.screen().slice(-2000))}`).toBeDefined();
      const elapsed = exit!.at - typedAt;
      expect(elapsed, `exited ${Math.round(elapsed)} ms after ^C`).toBeLessThan(STOP_WITHIN_MS);
      expect(exit!.code, run.screen().slice(-2000)).toBe(130);

      // Every requested report was written, with the interrupted check marked and the finished one kept.
      expect(run.screen()).toMatch(/wrote json report to out\/report\.json/);
      expect(run.screen()).toMatch(/wrote junit report to out\/report\.xml/);
      expect(run.screen()).not.toMatch(/internal error|\s+at .*\.js:\d+/);
      const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
      expect(report.interrupted).toBe('signal');
      const byId = Object.fromEntries(report.results.map((r: { id: string }) => [r.id, r]));
      expect(byId.hangs).toMatchObject({ status: 'skip', skip: { kind: 'interrupted' } });
      expect(byId.quick).toMatchObject({ status: 'pass' });
      expect(readFileSync(join(dir, 'out', 'report.xml'), 'utf8')).toMatch(/hangs/);

      // The command check's child (its own process group, so the terminal's SIGINT does not reach it) was stopped.
      const survivor = await until(() => (processesWith(marker).length ? undefined : true), 1000);
      expect(survivor, `sleep ${marker} survived the interrupt: ${processesWith(marker).join(', ')}`).toBe(true);
    } finally {
      run.kill();
    }
  });

});
