// secrets.scan: no secrets committed to the repository. Scans git-tracked files (and optionally the
// recent history) for the shapes in src/secret-patterns.ts, plus tracked .env files; reports file:line,
// kind and a masked value. Binary and large files are skipped; files are read with bounded concurrency.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, open } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import picomatch from 'picomatch';
import { z } from 'zod';
import { defineCheck, error, fail, failAndUnchecked, pass, warn, type Verdict } from '../../src/check.js';
import { boolish, intish } from '../../src/params.js';
import { SECRET_PATTERNS, URL_PASSWORD } from '../../src/secret-patterns.js';
import { isKnownPlaceholder } from '../../src/secret-strength.js';
import { git, gitTopLevel } from '../../src/keys/git.js';

const params = z
  .object({
    path: z.string().default('.').describe('Repository (or a directory inside one) to scan; relative to the profile directory.'),
    history: boolish().default(false).describe('Also scan lines added in recent commits (secrets removed later are still in the history).'),
    history_depth: intish().default(100).describe('How many commits back from HEAD the history scan goes.'),
    allow: z.array(z.string()).default([]).describe('Accepted findings: path globs (`test/fixtures/**`) or fingerprints shown in the report (`sha256:…`).'),
    include_test_keys: boolish().default(false).describe('Also report Stripe test-mode keys (sk_test_/rk_test_).'),
    max_file_size: intish().default(1_048_576).describe('Files larger than this many bytes are skipped.'),
  })
  .strict();

export interface Finding {
  /** Path relative to the scanned directory. */
  file: string;
  /** 1-based line; absent for whole-file findings (a tracked .env). */
  line?: number;
  kind: string;
  /** What the reader may see: `sk_live_…4242`, never the value. */
  masked: string;
  /** `sha256:` + 16 hex of the value's SHA-256 (or of the path for whole-file findings); for `allow`. */
  fingerprint: string;
  /** Short commit id when found in history only. */
  commit?: string;
}

export interface ScanOptions {
  includeTestKeys: boolean;
}

/** Env files that are examples, not configuration. */
const ENV_EXAMPLE = /\.(example|sample|template|tmpl|tpl|dist|defaults|schema|ci|test)$/i;

/** Directories that hold examples by name (`examples/.env` is a sample, not configuration). */
const EXAMPLE_DIR = /(?:^|\/)(?:examples?|samples?|templates?)\//i;

export function isTrackedEnvFile(path: string): boolean {
  const name = basename(path);
  if (!/^\.env(\..+)?$/.test(name)) return false;
  if (EXAMPLE_DIR.test(path)) return false;
  return !ENV_EXAMPLE.test(name) && !/\.(example|sample|template)\./i.test(name);
}

const shortHash = (value: string) => `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}`;

/** `sk_live_…4242`: the kind's prefix, an ellipsis, and the last 4 characters of long values only. */
export function maskValue(value: string, keepPrefix?: RegExp): string {
  const prefix = keepPrefix?.exec(value)?.[0] ?? '';
  const tail = value.length - prefix.length >= 24 ? value.slice(-4) : '';
  return `${prefix}…${tail}`;
}

/** Quick test before running every pattern on a file. */
const TRIGGER = /PRIVATE KEY|_live_|_test_|whsec_|SG\.|AKIA|ASIA|eyJ|gh[pousr]_|xox[abposr]-|secret_?access_?key|AIza|npm_|:\/\//i;

const PLACEHOLDER_PASSWORD = /^(?:[$%<{*[]|.*\$\{)|^(?:x+|\*+|\.+|…+|pass(word)?|secret|changeme|user|username|pwd|passwd|redacted|hidden|none|null|empty)$/i;

function isPlaceholderSecret(kind: string, value: string): boolean {
  if (/x{5,}|EXAMPLE/i.test(value)) return true;
  const body = value.replace(/^[A-Za-z]+[_.-](?:(?:live|test)_)?/, '');
  if (new Set(body).size < 6) return true;
  return kind !== 'JSON Web Token' && isKnownPlaceholder(value);
}

/** What follows a private key header in a real key: (encryption headers and) a base64 line. */
const PEM_BODY = /^\s*(?:Proc-Type:[^\n]*\n(?:DEK-Info:[^\n]*\n)?\s*)?[A-Za-z0-9+/]{40,}/;

/**
 * URL_PASSWORD matches, run only on lines that hold both `://` and `@`: the pattern starts with a
 * character class, so running it over whole files costs more than every other pattern together.
 */
function* urlPasswords(text: string): Generator<{ index: number; match: RegExpMatchArray }> {
  let lineEnd = -1;
  for (let i = text.indexOf('://'); i !== -1; i = text.indexOf('://', i + 3)) {
    if (i < lineEnd) continue;
    const start = text.lastIndexOf('\n', i) + 1;
    lineEnd = text.indexOf('\n', i);
    if (lineEnd === -1) lineEnd = text.length;
    const line = text.slice(start, lineEnd);
    if (!line.includes('@')) continue;
    for (const match of line.matchAll(URL_PASSWORD)) yield { index: start + (match.index ?? 0), match };
  }
}

/** Finds secrets in one text. Pure: text in, findings (without file) out. */
export function scanText(text: string, options: ScanOptions): Omit<Finding, 'file'>[] {
  if (!TRIGGER.test(text)) return [];
  const hits: { index: number; kind: string; masked: string; fingerprint: string }[] = [];
  for (const pattern of SECRET_PATTERNS) {
    pattern.regex.lastIndex = 0;
    for (const match of text.matchAll(pattern.regex)) {
      const value = match[0];
      if (pattern.name === 'PEM private key') {
        // A header alone (in code that parses keys, in docs) is not a key: require a base64 body.
        const start = (match.index ?? 0) + value.indexOf('KEY-----') + 8;
        const after = text.slice(start, start + 400).replace(/\\n/g, '\n');
        if (!PEM_BODY.test(after)) continue;
        const header = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----/.exec(value)?.[1] ?? 'PRIVATE KEY';
        hits.push({ index: match.index ?? 0, kind: 'PEM private key', masked: `${header} block`, fingerprint: shortHash(value.replace(/\\n|\s/g, '')) });
        continue;
      }
      if (pattern.name === 'Stripe secret key' && !options.includeTestKeys && /^(?:sk|rk)_test_/.test(value)) continue;
      if (isPlaceholderSecret(pattern.name, value)) continue;
      hits.push({ index: match.index ?? 0, kind: pattern.name, masked: maskValue(value, pattern.keepPrefix), fingerprint: shortHash(value) });
    }
  }
  for (const { index, match } of urlPasswords(text)) {
    const password = match[2];
    if (PLACEHOLDER_PASSWORD.test(password) || isKnownPlaceholder(password)) continue;
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(match[1])?.[0] ?? '';
    const user = match[1].slice(scheme.length, -1);
    hits.push({ index, kind: 'URL with password', masked: `${scheme}${user}:…@`, fingerprint: shortHash(password) });
  }
  if (!hits.length) return [];
  hits.sort((a, b) => a.index - b.index);
  // Line numbers: count newlines once, walking forward through sorted offsets.
  const out: Omit<Finding, 'file'>[] = [];
  let line = 1;
  let pos = 0;
  for (const hit of hits) {
    for (let i = text.indexOf('\n', pos); i !== -1 && i < hit.index; i = text.indexOf('\n', i + 1)) {
      line++;
      pos = i + 1;
    }
    out.push({ line, kind: hit.kind, masked: hit.masked, fingerprint: hit.fingerprint });
  }
  return out;
}

export interface ScanFacts {
  root: string;
  findings: Finding[];
  allowed: Finding[];
  filesScanned: number;
  skippedBinary: number;
  skippedLarge: number;
  unreadable: string[];
  commitsScanned?: number;
  /** Why the history scan did not complete (history: true): then the history is not judged. */
  historyError?: string;
  durationMs: number;
}

const describeFinding = (f: Finding) =>
  `${f.file}${f.line ? `:${f.line}` : ''}${f.commit ? ` (commit ${f.commit})` : ''} ${f.kind === 'tracked .env file' ? 'is a tracked .env file' : `${f.kind} ${f.masked}`}`;

/** Pure decision: findings in, verdict out. */
export function evaluateScan(f: ScanFacts): Verdict {
  const skipped = [f.skippedBinary && `${f.skippedBinary} binary`, f.skippedLarge && `${f.skippedLarge} large`].filter(Boolean).join(' and ');
  const scope = `${f.filesScanned} tracked file${f.filesScanned === 1 ? '' : 's'}${f.commitsScanned !== undefined ? ` and ${f.commitsScanned} commit${f.commitsScanned === 1 ? '' : 's'}` : ''}`;
  const evidence = {
    expected: 'no secrets in tracked files',
    actual: { findings: f.findings.length, allowed: f.allowed.length },
    details: {
      findings: f.findings.slice(0, 100),
      allowed: f.allowed.slice(0, 100),
      filesScanned: f.filesScanned,
      skippedBinary: f.skippedBinary,
      skippedLarge: f.skippedLarge,
      unreadable: f.unreadable.slice(0, 20),
      ...(f.historyError ? { history: `not scanned: ${f.historyError}` } : f.commitsScanned !== undefined ? { commitsScanned: f.commitsScanned } : { history: 'not scanned (history: false)' }),
      durationMs: f.durationMs,
    },
  };
  // Parts not scanned: never a pass; next to a finding, named as unchecked.
  const notScanned = [
    ...(f.unreadable.length ? [`${f.unreadable.length} tracked file${f.unreadable.length === 1 ? '' : 's'} could not be read (${f.unreadable.slice(0, 3).join(', ')}${f.unreadable.length > 3 ? ', …' : ''})`] : []),
    ...(f.historyError ? [`the history could not be scanned: ${f.historyError}`] : []),
  ];
  if (f.findings.length) {
    const shown = f.findings.slice(0, 3).map(describeFinding).join('; ');
    const more = f.findings.length > 3 ? `; +${f.findings.length - 3} more` : '';
    const inHistory = f.findings.some((x) => x.commit);
    return failAndUnchecked(fail(
      `${f.findings.length} secret${f.findings.length === 1 ? '' : 's'} committed in ${f.root}: ${shown}${more} (expected none)`,
      evidence,
      `Remove the secrets from the files (load them from the environment or a secret store), stop tracking .env files (git rm --cached .env; add it to .gitignore) and ROTATE every key found: it stays readable in the git history${inHistory ? ' — the findings marked with a commit were removed but are still in the history; rewrite it (git filter-repo) after rotating' : ''}. Accepted test fixtures can be listed in \`allow\` by path glob or fingerprint.`,
    ), notScanned);
  }
  if (notScanned.length) {
    return {
      ...error(`no secrets found in ${scope}, but ${notScanned.join('; ')}: a partial scan cannot pass`, evidence),
      remediation: 'Run the check as a user that can read every tracked file (and run git log in the repository), then run it again.',
    };
  }
  if (f.filesScanned === 0 && f.skippedBinary === 0 && f.skippedLarge === 0 && !f.commitsScanned) {
    return {
      ...warn(`nothing to scan: git tracks no files under ${f.root} (ignored and untracked files are not scanned)`, evidence),
      remediation: 'Point `path` at the application repository (relative to the profile directory), or commit the application first.',
    };
  }
  return pass(`no secrets in ${scope}${skipped ? ` (${skipped} skipped)` : ''}${f.allowed.length ? `; ${f.allowed.length} allowed finding${f.allowed.length === 1 ? '' : 's'}` : ''}`, evidence);
}

/** Splits findings into reported and allowed by path globs and fingerprints. */
export function applyAllow(findings: Finding[], allow: string[]): { findings: Finding[]; allowed: Finding[] } {
  const prints = new Set(allow.filter((a) => /^sha256:/i.test(a)).map((a) => a.toLowerCase()));
  const globs = allow.filter((a) => !/^sha256:/i.test(a));
  const isMatch = globs.length ? picomatch(globs, { dot: true }) : () => false;
  const kept: Finding[] = [];
  const allowed: Finding[] = [];
  for (const f of findings) (prints.has(f.fingerprint) || isMatch(f.file) ? allowed : kept).push(f);
  return { findings: kept, allowed };
}

const BINARY_SNIFF = 8000;

/** Reads and scans one file: binary (NUL byte in the first 8000 bytes) and large files are skipped. */
async function scanFile(full: string, maxSize: number, options: ScanOptions): Promise<'binary' | 'large' | 'unreadable' | 'skip' | Omit<Finding, 'file'>[]> {
  try {
    const info = await lstat(full);
    if (!info.isFile()) return 'skip';
    if (info.size > maxSize) return 'large';
    if (info.size === 0) return [];
    const handle = await open(full, 'r');
    try {
      const buffer = Buffer.allocUnsafe(info.size);
      const { bytesRead } = await handle.read(buffer, 0, info.size, 0);
      const data = buffer.subarray(0, bytesRead);
      if (data.subarray(0, BINARY_SNIFF).includes(0)) return 'binary';
      return scanText(data.toString('utf8'), options);
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === 'ENOENT' ? 'skip' : 'unreadable';
  }
}

export async function scanTrackedFiles(
  dir: string,
  options: ScanOptions & { maxFileSize: number; signal?: AbortSignal; concurrency?: number },
): Promise<Omit<ScanFacts, 'root' | 'allowed' | 'durationMs' | 'commitsScanned'>> {
  const listed = await git(['ls-files', '-z', '--cached', '--', '.'], { cwd: dir, signal: options.signal });
  if (listed.code !== 0) throw new Error('git ls-files failed');
  const files = [...new Set(listed.stdout.split('\0').filter(Boolean))];
  const findings: Finding[] = [];
  const unreadable: string[] = [];
  let skippedBinary = 0;
  let skippedLarge = 0;
  let scanned = 0;
  for (const file of files) if (isTrackedEnvFile(file)) findings.push({ file, kind: 'tracked .env file', masked: '', fingerprint: shortHash(`file:${file}`) });
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      if (options.signal?.aborted) throw new Error('scan interrupted (timeout or cancel)');
      const file = files[next++];
      const result = await scanFile(join(dir, file), options.maxFileSize, options);
      if (result === 'binary') skippedBinary++;
      else if (result === 'large') skippedLarge++;
      else if (result === 'unreadable') unreadable.push(file);
      else if (result !== 'skip') {
        scanned++;
        for (const f of result) findings.push({ file, ...f });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, files.length || 1) }, worker));
  findings.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
  return { findings, filesScanned: scanned, skippedBinary, skippedLarge, unreadable };
}

/**
 * Lines added by the last `depth` commits (git log -p), scanned block by block (one file of one commit).
 * Streams git's output so a large history is never held in memory at once.
 */
export async function scanHistory(
  dir: string,
  depth: number,
  options: ScanOptions & { maxFileSize: number; signal?: AbortSignal },
): Promise<{ findings: Finding[]; commits: number }> {
  // git prints paths relative to the repository root; report them relative to `dir`.
  const prefix = (await git(['rev-parse', '--show-prefix'], { cwd: dir, signal: options.signal })).stdout.trim();
  const child = spawn(
    'git',
    ['log', `-n${Math.max(1, depth)}`, '-p', '--no-color', '--no-ext-diff', '--no-renames', '--unified=0', '--format=%x00commit %h', '--', '.'],
    { cwd: dir, signal: options.signal, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' } },
  );
  // Listen at once: a short history can end before any await below returns.
  const exited = new Promise<number>((resolveExit, reject) => {
    child.on('error', (err) => reject((err as Error).name === 'AbortError' ? new Error('history scan interrupted (timeout or cancel)') : new Error(`git log failed: ${(err as Error).message}`)));
    child.on('close', (code) => resolveExit(code ?? 1));
  });
  exited.catch(() => undefined);
  const reader = createInterface({ input: child.stdout, crlfDelay: Infinity });
  const findings: Finding[] = [];
  const seen = new Set<string>();
  let commits = 0;
  let commit = '';
  let file: string | undefined;
  let lines: string[] = [];
  let lineNumbers: number[] = [];
  let size = 0;
  let newLine = 0;
  const flush = () => {
    if (file && lines.length && size <= options.maxFileSize) {
      const rel = prefix && file.startsWith(prefix) ? file.slice(prefix.length) : file;
      for (const hit of scanText(lines.join('\n'), options)) {
        const f: Finding = { file: rel, line: lineNumbers[(hit.line ?? 1) - 1], kind: hit.kind, masked: hit.masked, fingerprint: hit.fingerprint, commit };
        const key = `${f.file}|${f.fingerprint}`;
        if (!seen.has(key)) {
          seen.add(key);
          findings.push(f);
        }
      }
    }
    lines = [];
    lineNumbers = [];
    size = 0;
  };
  for await (const raw of reader) {
    if (raw.startsWith('\0commit ')) {
      flush();
      commit = raw.slice(8).trim();
      commits++;
      file = undefined;
    } else if (raw.startsWith('diff --git ')) {
      flush();
      file = undefined;
    } else if (raw.startsWith('+++ ')) {
      flush();
      file = raw === '+++ /dev/null' ? undefined : raw.slice(4).replace(/^b\//, '').replace(/^"b\/(.*)"$/, '$1');
      if (file && isTrackedEnvFile(file)) {
        const rel = prefix && file.startsWith(prefix) ? file.slice(prefix.length) : file;
        const fp = shortHash(`file:${rel}`);
        if (!seen.has(`${rel}|${fp}`)) {
          seen.add(`${rel}|${fp}`);
          findings.push({ file: rel, kind: 'tracked .env file', masked: '', fingerprint: fp, commit });
        }
      }
    } else if (raw.startsWith('@@ ')) {
      const m = /\+(\d+)/.exec(raw);
      newLine = m ? Number(m[1]) : 0;
    } else if (file && raw.startsWith('+')) {
      lines.push(raw.slice(1));
      lineNumbers.push(newLine++);
      size += raw.length;
    }
  }
  flush();
  const code = await exited;
  // An empty repository (no commits yet) makes git log fail: nothing to scan.
  if (code !== 0 && commits > 0) throw new Error(`git log exited with code ${code}`);
  return { findings, commits };
}

const PATH_FIX = 'Set `path` to the application\'s git checkout (absolute, or relative to the profile directory), e.g. `path: ${APP_DIR}`.';

export default defineCheck({
  meta: {
    type: 'secrets.scan',
    title: 'No secrets are committed to the repository',
    failureTitle: 'Secrets are committed to the repository',
    description:
      'A key in git is readable by everyone with the repository — every clone, fork, CI log and laptop — and stays in the history after it is deleted. Scans git-tracked files (optionally the lines added by recent commits) for live Stripe keys, webhook secrets, private keys, AWS, SendGrid, GitHub, Slack, Google and npm keys, JWTs and URLs with passwords, and flags tracked .env files other than examples. Shows file:line, the kind and a masked value. Binary files and files above max_file_size are skipped.',
    remediation:
      'Move the secrets to the environment or a secret store, stop tracking .env files, and rotate every secret that was committed.',
    docs: 'docs/checks.md#secrets-scan',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const started = performance.now();
    const dir = isAbsolute(p.path) ? p.path : resolve(ctx.baseDir, p.path);
    try {
      const info = await lstat(dir);
      if (!info.isDirectory()) return { ...error(`${dir} is not a directory`), remediation: PATH_FIX };
    } catch {
      return { ...error(`${dir} does not exist`), remediation: PATH_FIX };
    }
    const options = { includeTestKeys: p.include_test_keys, maxFileSize: p.max_file_size, signal: ctx.signal };
    try {
      const top = await gitTopLevel(dir, ctx.signal);
      if (!top) return { ...error(`${dir} is not inside a git repository: secrets.scan looks at git-tracked files`), remediation: PATH_FIX };
      const tree = await scanTrackedFiles(dir, options);
      let findings = tree.findings;
      let commitsScanned: number | undefined;
      let historyError: string | undefined;
      if (p.history) {
        try {
          const history = await scanHistory(dir, p.history_depth, options);
          commitsScanned = history.commits;
          const current = new Set(findings.map((f) => `${f.file}|${f.fingerprint}`));
          findings = [...findings, ...history.findings.filter((f) => !current.has(`${f.file}|${f.fingerprint}`) && !findings.some((c) => c.fingerprint === f.fingerprint))];
        } catch (err) {
          // The tracked files were scanned: what they hold is still reported.
          if (ctx.signal.aborted) throw err;
          historyError = (err as Error).message;
        }
      }
      const split = applyAllow(findings, p.allow);
      const facts: ScanFacts = {
        root: p.path,
        findings: split.findings,
        allowed: split.allowed,
        filesScanned: tree.filesScanned,
        skippedBinary: tree.skippedBinary,
        skippedLarge: tree.skippedLarge,
        unreadable: tree.unreadable,
        commitsScanned,
        historyError,
        durationMs: Math.round(performance.now() - started),
      };
      ctx.log.debug(`secrets.scan: ${facts.filesScanned} files, ${facts.findings.length} findings, ${facts.allowed.length} allowed, ${facts.durationMs}ms`);
      return evaluateScan(facts);
    } catch (err) {
      return error(`could not scan ${dir}: ${(err as Error).message}`);
    }
  },
});
