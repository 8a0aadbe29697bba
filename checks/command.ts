// command: a tool the deployment needs is installed, runs, answers as expected and is recent enough.
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { z } from 'zod';
import { defineCheck, error, fail, failAndUnchecked, pass, type Verdict } from '../src/check.js';
import { formatDuration } from '../src/duration.js';
import { intish } from '../src/params.js';
import { isSecretName, SECRET_PATTERNS, URL_PASSWORD } from '../src/secret-patterns.js';

/** Bytes of each stream kept for matching (the head); the last TAIL_BYTES are kept as well. */
export const OUTPUT_CAP = 1024 * 1024;
const TAIL_BYTES = 8 * 1024;
/** After the process exits, how long its pipes may stay open (a background child holding them). */
const DRAIN_GRACE_MS = 500;
/** Between SIGTERM and SIGKILL when stopping a process group. */
const KILL_GRACE_MS = 1000;

// ---------------------------------------------------------------------------------------------------
// Parameters

const regexString = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source, 'm');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(err as Error).message}` });
  }
});
const regexList = z.union([regexString, z.array(regexString)]).transform((v) => (Array.isArray(v) ? v : [v]));

const streamRule = z
  .union([
    regexString.transform((s) => ({ contains: [s], not_contains: [] as string[] })),
    z.array(regexString).transform((list) => ({ contains: list, not_contains: [] as string[] })),
    z
      .object({
        contains: regexList.default([]).describe('Regular expression(s) the output must match (multiline).'),
        not_contains: regexList.default([]).describe('Regular expression(s) the output must not match (multiline).'),
      })
      .strict(),
  ])
  .describe('A regex the output must match, a list of them, or {contains, not_contains}.');

const SHELL_CHARS = /['"\\$`|&;<>(){}*?~#!]/;

const argvSchema = z.union([
  z.array(z.union([z.string(), z.number()]).transform(String)).min(1),
  z
    .string()
    .trim()
    .min(1)
    .superRefine((s, ctx) => {
      if (SHELL_CHARS.test(s)) {
        ctx.addIssue({ code: 'custom', message: 'argv as a string may only hold plain words: use a list ([psql, "-c", "select 1"]) or opt in to `shell:`' });
      }
    })
    .transform((s) => s.split(/\s+/)),
]);

const exitCodes = z
  .union([z.literal('any'), intish().pipe(z.number().int().min(0).max(255)), z.array(intish().pipe(z.number().int().min(0).max(255))).min(1)])
  .transform((v): number[] | 'any' => (v === 'any' ? 'any' : Array.isArray(v) ? v : [v]));

const versionRange = z
  .union([z.string().trim().min(1), z.number()])
  .transform(String)
  .superRefine((range, ctx) => {
    if (semver.validRange(range) === null) ctx.addIssue({ code: 'custom', message: `not a semver range: ${JSON.stringify(range)} (try ">=18" or "^3.10")` });
  });

export const params = z
  .object({
    argv: argvSchema
      .optional()
      .describe('The program and its arguments, run without a shell: [node, --version]. A plain string is split on spaces.'),
    shell: z.string().trim().min(1).optional().describe('A shell command line, run with /bin/sh -c (explicit opt-in to pipes, globs, $VARS).'),
    cwd: z.string().min(1).optional().describe('Working directory, relative to the profile (default: the profile directory).'),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a variable name'), z.union([z.string(), z.number(), z.boolean()]).transform(String))
      .default({})
      .describe('Variables added to the environment of the command. Values of secret-looking names are never shown.'),
    exit_code: exitCodes.default([0]).describe('Expected exit code: a number (default 0), a list, or `any`.'),
    stdout: streamRule.optional(),
    stderr: streamRule.optional(),
    version: versionRange
      .optional()
      .describe(
        'A semver range (`>=18`, `^3.10`, `>=14 <17`) the version printed by the command must satisfy. The first ' +
          'version-looking string of stdout+stderr is used (`v20.20.2`, `Python 3.11.7`, `psql (PostgreSQL) 15.19`); ' +
          '`3.11` counts as 3.11.0 and suffixes such as `-1ubuntu1` are ignored. A bare number means that major only.',
      ),
    version_regex: regexString
      .optional()
      .describe('Where to find the version instead: a regex whose first capture group (or whole match) is the version.'),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (!p.argv === !p.shell) ctx.addIssue({ code: 'custom', message: 'give exactly one of `argv` (no shell) or `shell`' });
    if (p.version_regex && !p.version) ctx.addIssue({ code: 'custom', message: '`version_regex` needs `version`' });
  });

export type CommandParams = z.output<typeof params>;

// ---------------------------------------------------------------------------------------------------
// Pure helpers

const VERSION = /(?<![\w.])v?(\d+)\.(\d+)(?:\.(\d+))?/;

/** The first version-looking string, normalized to X.Y.Z (`15.19` → `15.19.0`); undefined when none. */
export function extractVersion(text: string, custom?: string): { raw: string; version: string } | undefined {
  let raw: string | undefined;
  if (custom) {
    const m = new RegExp(custom, 'm').exec(text);
    raw = m ? (m[1] ?? m[0]) : undefined;
  } else {
    raw = VERSION.exec(text)?.[0];
  }
  if (raw === undefined) return undefined;
  const m = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(raw);
  if (!m) return undefined;
  return { raw: raw.trim(), version: `${parseInt(m[1], 10)}.${parseInt(m[2] ?? '0', 10)}.${parseInt(m[3] ?? '0', 10)}` };
}

/** A function that masks the given secret values, known secret shapes and URL passwords. */
export function makeRedactor(secrets: readonly string[]): (text: string) => string {
  const values = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const v of values) out = out.split(v).join('***');
    out = out.replace(URL_PASSWORD, '$1***@');
    for (const p of SECRET_PATTERNS) out = out.replace(p.regex, '***');
    return out;
  };
}

/** The last lines of an output, for evidence: at most 20 lines and 2000 characters. */
export function tail(text: string): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  const last = lines.slice(-20).join('\n');
  return last.length > 2000 ? `…${last.slice(-2000)}` : last;
}

function lastLine(text: string): string | undefined {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .pop();
  return line && line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

export function quoteArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** What running the command produced (raw: evaluateCommand redacts what it shows). */
export interface CommandFacts {
  argv: string[];
  /** The command line as run, for messages (`sh -c '…'` for a shell). */
  shell?: string;
  /** The program could not be started. */
  spawnError?: { code: 'not-found' | 'permission' | 'no-cwd' | 'other'; message: string };
  exitCode: number | null;
  signal: string | null;
  /** Stopped because the check's time ran out (or the run was interrupted). */
  aborted?: 'timeout' | 'interrupted';
  timeoutMs: number;
  stdout: string;
  stderr: string;
  /** Bytes dropped from the middle of each stream (the head and the tail are kept). */
  truncated: { stdout: number; stderr: number };
  durationMs: number;
  cwd: string;
  envAdded: string[];
}

/** The decision: what the command did in, verdict out. `redact` masks secrets in everything shown. */
export function evaluateCommand(p: CommandParams, facts: CommandFacts, redact: (s: string) => string = (s) => s): Verdict {
  const shown = redact(facts.shell !== undefined ? facts.shell : quoteArgv(facts.argv));
  const program = path.basename(facts.shell !== undefined ? facts.shell.split(/\s+/)[0] : facts.argv[0]);
  const versionFound = p.version ? extractVersion(`${facts.stdout}\n${facts.stderr}`, p.version_regex) : undefined;

  const expected: Record<string, unknown> = { exit_code: p.exit_code === 'any' ? 'any' : p.exit_code.length === 1 ? p.exit_code[0] : p.exit_code };
  if (p.stdout) expected.stdout = p.stdout;
  if (p.stderr) expected.stderr = p.stderr;
  if (p.version) expected.version = p.version;
  const actual: Record<string, unknown> = { exit_code: facts.exitCode };
  if (facts.signal) actual.signal = facts.signal;
  if (p.version) actual.version = versionFound ? versionFound.version : null;
  const details: Record<string, unknown> = {
    argv: facts.shell !== undefined ? ['/bin/sh', '-c', redact(facts.shell)] : facts.argv.map(redact),
    cwd: facts.cwd,
    duration: formatDuration(facts.durationMs),
  };
  if (facts.envAdded.length) details.env_added = facts.envAdded;
  if (facts.stdout.trim()) details.stdout_tail = redact(tail(facts.stdout));
  if (facts.stderr.trim()) details.stderr_tail = redact(tail(facts.stderr));
  if (facts.truncated.stdout || facts.truncated.stderr) details.output_truncated_bytes = facts.truncated;
  if (versionFound) details.version_text = redact(versionFound.raw);
  const evidence = { expected, actual, details };

  if (facts.spawnError) {
    const e = facts.spawnError;
    if (e.code === 'not-found') return fail(`command not found: ${redact(facts.argv[0])}`, evidence, `Install ${path.basename(facts.argv[0])} or put it on the PATH of the deployment.`);
    if (e.code === 'permission') return fail(`permission denied running ${redact(facts.argv[0])} (not executable by this user)`, evidence);
    if (e.code === 'no-cwd') return fail(redact(e.message), evidence);
    return error(`could not run ${shown}: ${redact(e.message)}`, evidence);
  }
  if (facts.aborted) {
    const stopped = error(facts.aborted === 'timeout' ? `\`${shown}\` timed out after ${formatDuration(facts.timeoutMs)} and was killed` : `\`${shown}\` was interrupted`, evidence);
    // What it printed before it was stopped can already be wrong: a forbidden line, a version too old.
    const seen: string[] = [];
    for (const [name, rule] of [['stdout', p.stdout], ['stderr', p.stderr]] as const) {
      const text = name === 'stdout' ? facts.stdout : facts.stderr;
      for (const re of rule?.not_contains ?? []) if (new RegExp(re, 'm').test(text)) seen.push(`${name} matches forbidden /${re}/`);
    }
    if (versionFound && !semver.satisfies(versionFound.version, p.version!)) seen.push(`${program} version ${versionFound.version} does not satisfy ${p.version}`);
    return seen.length ? failAndUnchecked(fail(seen.join('; '), evidence), [stopped]) : stopped;
  }

  const exitOk = p.exit_code === 'any' || (facts.exitCode !== null && p.exit_code.includes(facts.exitCode));
  if (!exitOk && facts.shell !== undefined && facts.exitCode === 127) {
    const missing = /(?:^|:\s)([^\s:]+):\s(?:command\s)?not found/m.exec(facts.stderr)?.[1];
    return fail(missing ? `command not found: ${redact(missing)}` : `${shown}: command not found (exit 127)`, evidence);
  }
  if (facts.exitCode === null) {
    return fail(`\`${shown}\` was killed by ${facts.signal ?? 'a signal'}`, evidence);
  }

  const problems: string[] = [];
  /** Parts that could not be judged: the middle of a long output was dropped. */
  const unknown: string[] = [];
  if (!exitOk) {
    const codes = p.exit_code as number[];
    const why = lastLine(facts.stderr) ?? lastLine(facts.stdout);
    problems.push(
      `\`${shown}\` exited with ${facts.exitCode} (expected ${codes.length === 1 ? codes[0] : `one of ${codes.join(', ')}`})${why ? `: ${redact(why)}` : ''}`,
    );
  }
  for (const [name, rule] of [['stdout', p.stdout], ['stderr', p.stderr]] as const) {
    if (!rule) continue;
    const text = name === 'stdout' ? facts.stdout : facts.stderr;
    const dropped = facts.truncated[name];
    const cut = `${dropped} bytes in the middle of ${name} were not kept`;
    for (const re of rule.contains) {
      if (new RegExp(re, 'm').test(text)) continue;
      if (dropped) unknown.push(`whether ${name} matches /${re}/: ${cut}`);
      else problems.push(`${name} does not match /${re}/`);
    }
    for (const re of rule.not_contains) {
      if (new RegExp(re, 'm').test(text)) problems.push(`${name} matches forbidden /${re}/`);
      else if (dropped) unknown.push(`whether ${name} matches forbidden /${re}/: ${cut}`);
    }
  }
  if (p.version) {
    if (!versionFound) problems.push(`no version number found in the output of \`${shown}\``);
    else if (!semver.satisfies(versionFound.version, p.version)) {
      problems.push(`${program} version ${versionFound.version} does not satisfy ${p.version}`);
    }
  }
  if (problems.length) return failAndUnchecked(fail(problems.join('; '), evidence), unknown);
  if (unknown.length) return error(unknown.join('; '), evidence);

  const notes = [`exited with ${facts.exitCode}`];
  if (versionFound) notes.push(`version ${versionFound.version} satisfies ${p.version}`);
  return pass(`\`${shown}\` ${notes.join('; ')}`, evidence);
}

// ---------------------------------------------------------------------------------------------------
// I/O

/** Keeps the first OUTPUT_CAP bytes and the last TAIL_BYTES of a stream, counting what falls between. */
class Capture {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tailBuf = Buffer.alloc(0);
  dropped = 0;

  push(chunk: Buffer) {
    const room = OUTPUT_CAP - this.headBytes;
    if (room > 0) {
      const take = chunk.subarray(0, room);
      this.head.push(take);
      this.headBytes += take.length;
      chunk = chunk.subarray(take.length);
    }
    if (chunk.length === 0) return;
    const joined = Buffer.concat([this.tailBuf, chunk]);
    const keep = joined.subarray(Math.max(0, joined.length - TAIL_BYTES));
    this.dropped += joined.length - keep.length;
    this.tailBuf = Buffer.from(keep);
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    if (this.tailBuf.length === 0) return head;
    return `${head}${this.dropped ? `\n… [${this.dropped} bytes dropped] …\n` : ''}${this.tailBuf.toString('utf8')}`;
  }
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals) {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

interface RunOptions {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
  timeoutMs: number;
}

type RunResult = Omit<CommandFacts, 'argv' | 'shell' | 'cwd' | 'envAdded' | 'timeoutMs'>;

/** Runs a program in its own process group; a timeout or abort kills the whole group. Never rejects. */
export function runProcess(o: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const out = new Capture();
    const err = new Capture();
    let aborted: CommandFacts['aborted'];
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;

    const finish = (r: Partial<RunResult>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      if (onAbort) o.signal.removeEventListener('abort', onAbort);
      resolve({
        exitCode: null,
        signal: null,
        stdout: out.text(),
        stderr: err.text(),
        truncated: { stdout: out.dropped, stderr: err.dropped },
        durationMs: Date.now() - started,
        aborted,
        ...r,
      });
    };

    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(o.file, o.args, { cwd: o.cwd, env: o.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (e) {
      finish({ spawnError: { code: 'other', message: (e as Error).message } });
      return;
    }

    const stop = (why: 'timeout' | 'interrupted') => {
      if (aborted || settled) return;
      aborted = why;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    onAbort = () => stop((o.signal.reason as Error | undefined)?.name === 'TimeoutError' ? 'timeout' : 'interrupted');
    timer = setTimeout(() => stop('timeout'), o.timeoutMs);
    if (o.signal.aborted) onAbort();
    else o.signal.addEventListener('abort', onAbort, { once: true });

    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));

    child.on('error', (e: NodeJS.ErrnoException) => {
      const code = e.code === 'ENOENT' ? 'not-found' : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission' : 'other';
      finish({ spawnError: { code, message: e.message } });
    });

    let closed = 0;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const maybeDone = () => {
      if (exit && closed === 2) finish({ exitCode: exit.code, signal: exit.signal });
    };
    child.stdout!.on('close', () => {
      closed++;
      maybeDone();
    });
    child.stderr!.on('close', () => {
      closed++;
      maybeDone();
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      if (closed < 2) {
        // A background process of the command still holds the pipes: stop waiting for it, and stop it.
        drainTimer = setTimeout(() => {
          killGroup(child.pid, 'SIGKILL');
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish({ exitCode: code, signal });
        }, DRAIN_GRACE_MS);
      }
      maybeDone();
    });
  });
}

export default defineCheck({
  meta: {
    type: 'command',
    title: 'Command runs as expected',
    failureTitle: 'Command is missing or misbehaves',
    description:
      'The tools a deployment relies on must be installed, runnable and recent enough: node ≥ 18, python3 ≥ 3.10, ' +
      'pg_dump matching the server, a migration status that reports nothing pending. This check runs a program ' +
      '(without a shell unless `shell:` is used), and verifies its exit code, its output and the version it prints. ' +
      'It is killed with its whole process group when the check times out. Use it only with read-only commands.',
    remediation:
      'Install or upgrade the program named above (and make sure it is on the PATH of the user running the ' +
      'deployment), or fix what its output says.',
    docs: 'docs/checks.md#command',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const cwd = path.resolve(ctx.baseDir, p.cwd ?? '.');
    const argv = p.argv ?? [];
    const envAdded = Object.keys(p.env);
    const secretValues = [
      ...Object.entries(p.env).filter(([k]) => isSecretName(k)).map(([, v]) => v),
      ...Object.entries(ctx.env).filter(([k, v]) => v && isSecretName(k)).map(([, v]) => v as string),
    ];
    const redact = makeRedactor(secretValues);
    const base = { argv, shell: p.shell, cwd, envAdded, timeoutMs: ctx.timeoutMs };

    try {
      const st = await stat(cwd);
      if (!st.isDirectory()) {
        return evaluateCommand(p, { ...base, ...emptyRun(), spawnError: { code: 'no-cwd', message: `working directory ${cwd} is not a directory` } }, redact);
      }
    } catch {
      return evaluateCommand(p, { ...base, ...emptyRun(), spawnError: { code: 'no-cwd', message: `working directory ${cwd} does not exist` } }, redact);
    }

    const env: Record<string, string | undefined> = { ...ctx.env, ...p.env };
    if (env.PATH === undefined) env.PATH = process.env.PATH;
    ctx.log.debug(`command: running ${redact(p.shell ?? quoteArgv(argv))} in ${cwd}`);
    const result = await runProcess({
      file: p.shell !== undefined ? '/bin/sh' : argv[0],
      args: p.shell !== undefined ? ['-c', p.shell] : argv.slice(1),
      cwd,
      env,
      signal: ctx.signal,
      // Killed at the check's timeout; what it printed until then is still judged (the runner gives a short grace).
      timeoutMs: ctx.timeoutMs,
    });
    return evaluateCommand(p, { ...base, ...result }, redact);
  },
});

function emptyRun(): RunResult {
  return { exitCode: null, signal: null, stdout: '', stderr: '', truncated: { stdout: 0, stderr: 0 }, durationMs: 0 };
}
