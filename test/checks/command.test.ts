import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { evaluateCommand, extractVersion, makeRedactor, params, quoteArgv, tail, type CommandFacts } from '../../checks/command.js';
import { runCheck } from '../support/run-check.js';

const NODE = process.execPath;
const ENV = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
const parse = (raw: Record<string, unknown>) => params.parse(raw);

function facts(over: Partial<CommandFacts> = {}): CommandFacts {
  return {
    argv: ['node', '--version'],
    exitCode: 0,
    signal: null,
    timeoutMs: 10_000,
    stdout: 'v20.20.2\n',
    stderr: '',
    truncated: { stdout: 0, stderr: 0 },
    durationMs: 40,
    cwd: '/srv/app',
    envAdded: [],
    ...over,
  };
}

/** True while a process exists and is not a zombie. */
function alive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return readFileSync(stat, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('extractVersion', () => {
  it.each([
    ['v20.20.2\n', '20.20.2'],
    ['Python 3.11.7', '3.11.7'],
    ['psql (PostgreSQL) 15.19', '15.19.0'],
    ['psql (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)', '15.20.0'],
    ['3.11', '3.11.0'],
    ['Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64', '7.0.15'],
    ['gcc (Debian 12.2.0-14) 12.2.0', '12.2.0'],
    ['openjdk version "17.0.9" 2023-10-17', '17.0.9'],
    ['Docker version 24.0.07, build afdd53b', '24.0.7'],
    ['OpenSSL 1.1.1w.4 11 Sep 2023', '1.1.1'],
  ])('finds the version in %j', (text, version) => {
    expect(extractVersion(text)?.version).toBe(version);
  });

  it('returns undefined when there is none', () => {
    expect(extractVersion('usage: tool [options]')).toBeUndefined();
    expect(extractVersion('build 42')).toBeUndefined();
  });

  it('uses a custom regex (first group, else the whole match)', () => {
    expect(extractVersion('api 2.0.1 / server 14.3', 'server (\\S+)')).toEqual({ raw: '14.3', version: '14.3.0' });
    expect(extractVersion('release-9', '\\d+')?.version).toBe('9.0.0');
    expect(extractVersion('nothing', 'server (\\S+)')).toBeUndefined();
  });
});

describe('helpers', () => {
  it('redacts given values, known shapes and URL passwords', () => {
    const r = makeRedactor(['hunter2-pw', 'ab']);
    expect(r('pw=hunter2-pw key=sk_live_abcdefgh12345678 url=postgres://u:pass@db/x ab')).toBe('pw=*** key=*** url=postgres://u:***@db/x ab');
  });

  it('quotes arguments that need it', () => {
    expect(quoteArgv(['psql', '-c', 'select 1', "it's"])).toBe(`psql -c 'select 1' 'it'\\''s'`);
  });

  it('keeps the last 20 lines of output', () => {
    const text = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join('\n') + '\n\n';
    const t = tail(text);
    expect(t.split('\n')).toHaveLength(20);
    expect(t.endsWith('line 50')).toBe(true);
  });
});

describe('params', () => {
  it('takes argv as a list or as plain words, shell only when asked', () => {
    expect(parse({ argv: ['node', '--version'] }).argv).toEqual(['node', '--version']);
    expect(parse({ argv: 'python3  --version' }).argv).toEqual(['python3', '--version']);
    expect(parse({ argv: ['sleep', 1] }).argv).toEqual(['sleep', '1']);
    expect(params.safeParse({ argv: 'node -e "x" | cat' }).success).toBe(false);
    expect(params.safeParse({ argv: ['a'], shell: 'a' }).success).toBe(false);
    expect(params.safeParse({}).success).toBe(false);
    expect(parse({ shell: 'echo $HOME | wc -c' }).shell).toBe('echo $HOME | wc -c');
  });

  it('validates exit codes, version ranges and regexes', () => {
    expect(parse({ argv: ['x'] }).exit_code).toEqual([0]);
    expect(parse({ argv: ['x'], exit_code: 'any' }).exit_code).toBe('any');
    expect(parse({ argv: ['x'], exit_code: [0, '1'] }).exit_code).toEqual([0, 1]);
    expect(params.safeParse({ argv: ['x'], exit_code: 300 }).success).toBe(false);
    expect(parse({ argv: ['x'], version: 18 }).version).toBe('18');
    expect(params.safeParse({ argv: ['x'], version: 'recent' }).success).toBe(false);
    expect(params.safeParse({ argv: ['x'], stdout: '(' }).success).toBe(false);
    expect(params.safeParse({ argv: ['x'], version_regex: 'v(\\d+)' }).success).toBe(false);
    expect(params.safeParse({ argv: ['x'], stdout: { contain: 'x' } }).success).toBe(false);
    expect(parse({ argv: ['x'], stdout: 'ok' }).stdout).toEqual({ contains: ['ok'], not_contains: [] });
  });
});

describe('evaluateCommand', () => {
  it('passes with the exit code and the version', () => {
    const v = evaluateCommand(parse({ argv: ['node', '--version'], version: '>=18' }), facts());
    expect(v).toMatchObject({ status: 'pass', message: '`node --version` exited with 0; version 20.20.2 satisfies >=18' });
    expect(v.evidence).toMatchObject({ actual: { exit_code: 0, version: '20.20.2' }, details: { stdout_tail: 'v20.20.2', version_text: 'v20.20.2' } });
  });

  it('fails a version below the range', () => {
    const v = evaluateCommand(parse({ argv: ['python3', '--version'], version: '>=3.12' }), facts({ argv: ['python3', '--version'], stdout: 'Python 3.11.7\n' }));
    expect(v).toMatchObject({ status: 'fail', message: 'python3 version 3.11.7 does not satisfy >=3.12' });
    expect(v.evidence?.expected).toMatchObject({ version: '>=3.12' });
  });

  it('fails when no version is printed', () => {
    const v = evaluateCommand(parse({ argv: ['tool'], version: '>=1' }), facts({ argv: ['tool'], stdout: 'ok' }));
    expect(v.message).toBe('no version number found in the output of `tool`');
  });

  it('fails an unexpected exit code with the last line of stderr', () => {
    const v = evaluateCommand(
      parse({ argv: ['pg_isready'] }),
      facts({ argv: ['pg_isready'], exitCode: 2, stdout: '', stderr: 'warming up\n/var/run/postgresql:5432 - no response\n' }),
    );
    expect(v).toMatchObject({ status: 'fail', message: '`pg_isready` exited with 2 (expected 0): /var/run/postgresql:5432 - no response' });
    expect(evaluateCommand(parse({ argv: ['x'], exit_code: [0, 1] }), facts({ argv: ['x'], exitCode: 3, stdout: '' })).message).toBe(
      '`x` exited with 3 (expected one of 0, 1)',
    );
    expect(evaluateCommand(parse({ argv: ['x'], exit_code: 'any' }), facts({ argv: ['x'], exitCode: 3 })).status).toBe('pass');
  });

  it('checks stdout and stderr patterns', () => {
    const p = parse({ argv: ['x'], stdout: { contains: '^ready$', not_contains: 'pending' }, stderr: { not_contains: 'WARN' } });
    const v = evaluateCommand(p, facts({ argv: ['x'], stdout: 'migrations: 2 pending\n', stderr: 'WARN disk\n' }));
    expect(v.message).toBe('stdout does not match /^ready$/; stdout matches forbidden /pending/; stderr matches forbidden /WARN/');
    expect(evaluateCommand(p, facts({ argv: ['x'], stdout: 'checking\nready\n' })).status).toBe('pass');
  });

  it('reports a missing program as a failure of the environment', () => {
    const v = evaluateCommand(parse({ argv: ['gunicorn', '--version'] }), facts({ argv: ['gunicorn', '--version'], exitCode: null, stdout: '', spawnError: { code: 'not-found', message: 'spawn gunicorn ENOENT' } }));
    expect(v).toMatchObject({ status: 'fail', message: 'command not found: gunicorn' });
    expect(v.remediation).toMatch(/Install gunicorn/);
  });

  it('reads "not found" from the shell for shell commands', () => {
    const p = parse({ shell: 'gunicorn --version' });
    const f = facts({ argv: [], shell: 'gunicorn --version', exitCode: 127, stdout: '', stderr: 'sh: 1: gunicorn: not found\n' });
    expect(evaluateCommand(p, f).message).toBe('command not found: gunicorn');
    expect(evaluateCommand(p, { ...f, stderr: 'bash: line 1: gunicorn: command not found\n' }).message).toBe('command not found: gunicorn');
  });

  it('keeps a timeout apart from a failure', () => {
    const v = evaluateCommand(parse({ argv: ['sleep', '60'] }), facts({ argv: ['sleep', '60'], exitCode: null, signal: 'SIGTERM', aborted: 'timeout', timeoutMs: 2000 }));
    expect(v).toMatchObject({ status: 'error', message: '`sleep 60` timed out after 2s and was killed' });
    const killed = evaluateCommand(parse({ argv: ['x'] }), facts({ argv: ['x'], exitCode: null, signal: 'SIGSEGV' }));
    expect(killed).toMatchObject({ status: 'fail', message: '`x` was killed by SIGSEGV' });
  });

  it('fails a forbidden line or a too old version printed before a timeout, naming the timeout as unchecked', () => {
    const p = parse({ argv: ['migrate', 'status'], stdout: { contains: 'up to date', not_contains: 'ERROR' } });
    const f = facts({ argv: ['migrate', 'status'], exitCode: null, signal: 'SIGTERM', aborted: 'timeout', timeoutMs: 2000, stdout: 'checking…\nERROR: 3 migrations failed\n' });
    const v = evaluateCommand(p, f);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('stdout matches forbidden /ERROR/');
    expect(v.unchecked).toEqual(['`migrate status` timed out after 2s and was killed']);
    const old = evaluateCommand(parse({ argv: ['node', '--version'], version: '>=20' }), facts({ exitCode: null, aborted: 'interrupted', stdout: 'v18.19.0\n' }));
    expect(old).toMatchObject({ status: 'fail', message: 'node version 18.19.0 does not satisfy >=20', unchecked: ['`node --version` was interrupted'] });
    // Nothing wrong seen yet: still only "could not check".
    expect(evaluateCommand(p, { ...f, stdout: 'checking…\n' })).toMatchObject({ status: 'error', message: '`migrate status` timed out after 2s and was killed' });
  });

  it('cannot tell from a cut output that a pattern is absent: error, or unchecked next to a failure', () => {
    const p = parse({ argv: ['app', 'check'], stdout: { contains: 'READY', not_contains: 'PANIC' } });
    const cut = facts({ argv: ['app', 'check'], stdout: 'start\n… [5000 bytes dropped] …\nend\n', truncated: { stdout: 5000, stderr: 0 } });
    const v = evaluateCommand(p, cut);
    expect(v.status).toBe('error');
    expect(v.message).toBe(
      'whether stdout matches /READY/: 5000 bytes in the middle of stdout were not kept; whether stdout matches forbidden /PANIC/: 5000 bytes in the middle of stdout were not kept',
    );
    const failed = evaluateCommand(p, { ...cut, exitCode: 3 });
    expect(failed.status).toBe('fail');
    expect(failed.message).toBe('`app check` exited with 3 (expected 0): end');
    expect(failed.unchecked).toHaveLength(2);
  });

  it('redacts what it shows', () => {
    const p = parse({ argv: ['psql', 'postgres://app:pw-planted@db/app', '-c', 'select 1'] });
    const v = evaluateCommand(p, facts({ argv: p.argv!, exitCode: 2, stdout: '', stderr: 'FATAL: password pw-planted rejected\n' }), makeRedactor(['pw-planted']));
    expect(v.status).toBe('fail');
    expect(JSON.stringify(v)).not.toContain('pw-planted');
  });
});

describe('command check (real processes)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'readiness-cmd-'));
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'not-executable.sh'), '#!/bin/sh\necho hi\n');
    await chmod(path.join(dir, 'not-executable.sh'), 0o644);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const run = (raw: Record<string, unknown>, opts: { timeoutMs?: number; env?: Record<string, string>; logs?: string[] } = {}) =>
    runCheck(check, raw, { baseDir: dir, env: { ...ENV, ...opts.env }, timeoutMs: opts.timeoutMs, logs: opts.logs });

  it('runs node --version and checks the version range', async () => {
    const ok = await run({ argv: [NODE, '--version'], version: '>=18' });
    expect(ok.status).toBe('pass');
    expect(ok.message).toMatch(/exited with 0; version \d+\.\d+\.\d+ satisfies >=18$/);
    expect((ok.evidence?.actual as { version: string }).version).toBe(process.versions.node);
    const tooOld = await run({ argv: [NODE, '--version'], version: '>=99' });
    expect(tooOld).toMatchObject({ status: 'fail', message: `node version ${process.versions.node} does not satisfy >=99` });
  });

  it('finds the program on PATH', async () => {
    expect((await run({ argv: 'sh -c true' })).status).toBe('pass');
  });

  it('fails with "command not found" for a missing program, with or without a shell', async () => {
    expect(await run({ argv: ['gunicorn-not-installed-xyz', '--version'] })).toMatchObject({
      status: 'fail',
      message: 'command not found: gunicorn-not-installed-xyz',
    });
    expect(await run({ shell: 'gunicorn-not-installed-xyz --version' })).toMatchObject({
      status: 'fail',
      message: 'command not found: gunicorn-not-installed-xyz',
    });
  });

  it('fails a program that is not executable', async () => {
    const v = await run({ argv: ['./not-executable.sh'] });
    // root may execute anything with an x bit; this file has none, so even root gets EACCES.
    expect(v).toMatchObject({ status: 'fail', message: 'permission denied running ./not-executable.sh (not executable by this user)' });
  });

  it('uses cwd relative to the profile, and fails a missing one', async () => {
    const v = await run({ argv: [NODE, '-e', 'console.log(process.cwd())'], cwd: 'sub', stdout: '/sub$' });
    expect(v.status).toBe('pass');
    const missing = await run({ argv: [NODE, '--version'], cwd: 'nope' });
    expect(missing).toMatchObject({ status: 'fail', message: `working directory ${path.join(dir, 'nope')} does not exist` });
  });

  it('passes env additions and checks exit code and stderr, never showing secret values', async () => {
    const logs: string[] = [];
    const v = await run(
      {
        argv: [NODE, '-e', 'console.error("connecting with " + process.env.DB_PASSWORD); console.log(process.env.MODE); process.exit(3)'],
        env: { DB_PASSWORD: 'planted-db-pw', MODE: 'readonly' },
        stdout: '^readonly$',
      },
      { logs, env: { API_TOKEN: 'planted-api-token' } },
    );
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^`.+` exited with 3 \(expected 0\): connecting with \*\*\*$/);
    expect(v.evidence?.details).toMatchObject({ env_added: ['DB_PASSWORD', 'MODE'], stderr_tail: 'connecting with ***' });
    const text = JSON.stringify(v) + logs.join('\n');
    expect(text).not.toContain('planted-db-pw');
    expect(text).not.toContain('planted-api-token');
  });

  it('runs a shell command only when asked', async () => {
    const v = await run({ shell: 'echo one two | wc -w', stdout: '^\\s*2\\s*$' });
    expect(v.status).toBe('pass');
    expect(v.evidence?.details).toMatchObject({ argv: ['/bin/sh', '-c', 'echo one two | wc -w'] });
  });

  it('kills the whole process group on timeout and reports an error', async () => {
    const pidFile = path.join(dir, 'bg.pid');
    const started = Date.now();
    const v = await run({ shell: `sleep 30 & echo $! > ${pidFile}; wait` }, { timeoutMs: 700 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(v).toMatchObject({ status: 'error', message: expect.stringMatching(/timed out after 700ms and was killed$/) });
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(pid)).toBe(false);
  });

  it('fails a forbidden line printed before the command hung, naming the timeout as unchecked', async () => {
    const script = 'console.log("ERROR: migration 42 failed"); setInterval(() => {}, 1000)';
    const v = await run({ argv: [NODE, '-e', script], stdout: { not_contains: '^ERROR' } }, { timeoutMs: 700 });
    expect(v.status).toBe('fail');
    expect(v.message).toBe('stdout matches forbidden /^ERROR/');
    expect(v.unchecked).toHaveLength(1);
    expect(v.unchecked?.[0]).toMatch(/timed out after 700ms and was killed$/);
  });

  it('does not wait for a background process that keeps the output open', async () => {
    const pidFile = path.join(dir, 'holder.pid');
    const started = Date.now();
    const v = await run({ shell: `sleep 30 & echo $! > ${pidFile}; echo started` });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(v).toMatchObject({ status: 'pass' });
    expect(v.evidence?.details).toMatchObject({ stdout_tail: 'started' });
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(pid)).toBe(false);
  });

  it('caps the output it keeps but still matches its beginning and end', async () => {
    const script = 'process.stdout.write("BEGIN\\n" + "x".repeat(3 * 1024 * 1024) + "\\nEND\\n")';
    const v = await run({ argv: [NODE, '-e', script], stdout: ['^BEGIN$', '^END$'] });
    expect(v.status).toBe('pass');
    const details = v.evidence?.details as { output_truncated_bytes: { stdout: number }; stdout_tail: string };
    expect(details.output_truncated_bytes.stdout).toBe(3 * 1024 * 1024 + 11 - 1024 * 1024 - 8 * 1024);
    expect(details.stdout_tail.endsWith('END')).toBe(true);
    expect(JSON.stringify(v).length).toBeLessThan(20_000);
  });

  it('errors (never throws) when the program cannot be started at all', async () => {
    const v = await run({ argv: ['node\u0000x'] });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/^could not run /);
  });

  it('stops at once when the run is interrupted', async () => {
    const controller = new AbortController();
    const pending = check.run({
      id: 'command',
      params: parse({ argv: ['sleep', '30'] }),
      env: ENV,
      signal: controller.signal,
      timeoutMs: 30_000,
      baseDir: dir,
      log: { debug: () => {} },
      addSecret: () => {},
    });
    setTimeout(() => controller.abort(), 200);
    expect(await pending).toMatchObject({ status: 'error', message: '`sleep 30` was interrupted' });
  });
});
