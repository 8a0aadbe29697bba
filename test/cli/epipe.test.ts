// A reader that goes away (`readiness check | head -1`) is not a failed release: the CLI stops writing to stdout
// quietly (no stack trace, no "internal error"), stderr still works, and the exit code is the command's own.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../support/cli.js';
import { tempProject } from '../support/temp-profile.js';

const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CI: 'true', NO_COLOR: '1' };

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function needBuild() {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build`');
}

/** Runs the CLI with stdout a pipe whose read end is closed before the CLI starts: its first write gets EPIPE. */
function withClosedStdout(args: string[], cwd: string): Promise<Run> {
  needBuild();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the only read end: closed now, long before node has started
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stderr });
    });
  });
}

/** `readiness … | head -c 1` in bash; the CLI's own exit code from PIPESTATUS. */
function throughHead(args: string[], cwd: string): Run & { head: string } {
  needBuild();
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cli = [process.execPath, BIN, ...args].map(quote).join(' ');
  const result = spawnSync('bash', ['-c', `${cli} | head -c 1; status=\${PIPESTATUS[0]}; echo; echo "cli-exit=$status"`], { cwd, env: ENV, encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw result.error;
  const status = /cli-exit=(\d+)\s*$/.exec(result.stdout);
  if (!status) throw new Error(`no exit status from bash: ${JSON.stringify(result.stdout)} ${result.stderr}`);
  return { code: Number(status[1]), signal: null, stderr: result.stderr, head: result.stdout.slice(0, 1) };
}

function expectQuiet(run: Run) {
  expect(run.signal).toBeNull();
  expect(run.stderr).not.toMatch(/internal error/i);
  expect(run.stderr).not.toMatch(/EPIPE/);
  expect(run.stderr).not.toMatch(/Unhandled 'error' event|\n\s+at .*:\d+:\d+/);
}

const PROFILE = [
  'version: 1',
  'name: EPIPE',
  'checks:',
  '  present:',
  '    type: env.vars',
  '    with: { required: [PATH] }',
  '  missing:',
  '    type: env.vars',
  '    with: { required: [READINESS_EPIPE_NEVER_SET] }',
  '',
].join('\n');

describe('a closed stdout pipe', () => {
  const dir = tempProject({ 'readiness.yaml': PROFILE });

  it('check: the gate decides the exit code (1 failed, 0 passed), reports to files and stderr still written', async () => {
    const failed = await withClosedStdout(['check', '-f', 'pretty', '-f', 'json:out/closed.json'], dir);
    expectQuiet(failed);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/wrote json report to out\/closed\.json/);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'closed.json'), 'utf8')).results).toHaveLength(2);

    const passed = await withClosedStdout(['check', '--only', 'present'], dir);
    expectQuiet(passed);
    expect(passed.code).toBe(0);

    for (const format of ['json', 'markdown', 'junit']) {
      const run = await withClosedStdout(['check', '-f', format], dir);
      expectQuiet(run);
      expect(run.code, format).toBe(1);
    }
  });

  it('check | head -c 1', () => {
    const failed = throughHead(['check'], dir);
    expectQuiet(failed);
    expect(failed.head).toBe('E'); // "EPIPE (readiness.yaml)"
    expect(failed.code).toBe(1);
    const passed = throughHead(['check', '--only', 'present'], dir);
    expectQuiet(passed);
    expect(passed.code).toBe(0);
  });

  it('list --json exits 0', async () => {
    const closed = await withClosedStdout(['list', '--json'], dir);
    expectQuiet(closed);
    expect(closed.code).toBe(0);
    const head = throughHead(['list', '--json'], dir);
    expectQuiet(head);
    expect(head.head).toBe('[');
    expect(head.code).toBe(0);
  });

  it('schema (large: EPIPE mid-write) exits 0', async () => {
    const closed = await withClosedStdout(['schema'], dir);
    expectQuiet(closed);
    expect(closed.code).toBe(0);
    // head exits while the CLI is still writing (the schema is larger than a pipe's buffer): a few times, as the
    // moment the EPIPE arrives varies.
    for (let i = 0; i < 3; i++) {
      const head = throughHead(['schema'], dir);
      expectQuiet(head);
      expect(head.head).toBe('{');
      expect(head.code).toBe(0);
    }
  });

  it('--help exits 0', async () => {
    const closed = await withClosedStdout(['--help'], dir);
    expectQuiet(closed);
    expect(closed.code).toBe(0);
  });

  it('an error message still reaches stderr, with its own exit code', async () => {
    const run = await withClosedStdout(['list', '-p', 'nope.yaml'], dir);
    expectQuiet(run);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/profile nope\.yaml not found/);
  });
});
