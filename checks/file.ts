// file: a file or directory (or the newest file matching a glob) exists with safe permissions,
// the right owner, a recent modification time, a sane size and the expected content.
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { defineCheck, error, fail, failAndUnchecked, pass, type Verdict } from '../src/check.js';
import { formatDuration } from '../src/duration.js';
import { boolish, duration } from '../src/params.js';
import { loadGlob } from '../src/sdk.js';
import { SECRET_PATTERNS, URL_PASSWORD } from '../src/secret-patterns.js';

/** Contents beyond this many bytes are not scanned (the evidence says so). */
export const MAX_SCAN_BYTES = 32 * 1024 * 1024;
/** At most this many offending lines are listed per pattern. */
const MAX_LINES = 5;

// ---------------------------------------------------------------------------------------------------
// Parameter parsing helpers

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4 };

/** `512`, `10KB`, `1.5 MiB`, `2g` → bytes (units are powers of 1024); undefined when not a size. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!m || !(m[2].toLowerCase() in SIZE_UNITS)) return undefined;
  return Math.round(Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()]);
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0).replace(/\.0$/, '')} ${units[i]}`;
}

const size = () =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const bytes = parseSize(value);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a size such as 512, 10KB or 1.5GB, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return bytes;
  });

/**
 * `"0600"`, `"600"`, `"0o600"` → 0o600. A bare YAML number (`0600` reads as 600 in YAML 1.2) is taken
 * digit by digit as octal, which is what the author meant.
 */
export function parseMode(value: string | number): number | undefined {
  const text = String(value).trim().replace(/^0o/i, '');
  if (!/^[0-7]{1,4}$/.test(text)) return undefined;
  return parseInt(text, 8);
}

const mode = () =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const m = parseMode(value);
    if (m === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected an octal permission mode such as "0600" or "0750", got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return m;
  });

const regexList = () =>
  z
    .union([z.string(), z.array(z.string()).min(1)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .superRefine((list, ctx) => {
      for (const source of list) {
        try {
          new RegExp(source, 'm');
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(err as Error).message}` });
        }
      }
    });

const principal = () =>
  z.union([z.number().int().min(0), z.string().trim().min(1)]).transform((v) => (typeof v === 'number' || /^\d+$/.test(v) ? Number(v) : v));

export const params = z
  .object({
    path: z.string().min(1).optional().describe('The file or directory, relative to the profile (or absolute). Give `path` or `glob`.'),
    glob: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A glob (relative to the profile, or absolute), e.g. `/var/backups/db-*.sql.gz`. Matches files (directories with ' +
          '`kind: directory`; both with `exists: false`), dotfiles included. Mode, owner, kind and content rules apply to every match; ' +
          '`max_age` and sizes apply to the newest match.',
      ),
    exists: boolish().default(true).describe('Must exist (default true); `false`: must not exist (nothing may match the glob).'),
    kind: z.enum(['file', 'directory']).optional().describe('Must be a regular file or a directory.'),
    max_mode: mode()
      .optional()
      .describe('Permission mode at most, as an octal string, e.g. "0600": the mode may not grant anything this one does not.'),
    owner: principal().optional().describe('Owning user: a name (`deploy`) or a uid (`1000`).'),
    group: principal().optional().describe('Owning group: a name or a gid.'),
    max_age: duration().optional().describe('Last modified less than this long ago, e.g. `26h` (for a glob: the newest match).'),
    min_size: size().optional().describe('At least this size, e.g. `1KB` (units are powers of 1024; for a glob: the newest match).'),
    max_size: size().optional().describe('At most this size, e.g. `500MB` (for a glob: the newest match).'),
    contains: regexList()
      .optional()
      .describe('Regular expression(s), multiline (`^`/`$` match at line ends), that the content must match.'),
    not_contains: regexList()
      .optional()
      .describe('Regular expression(s), multiline, that the content must not match; offending line numbers are reported.'),
    sensitive: boolish()
      .optional()
      .describe(
        'Never show content lines (only line numbers and the pattern). Default: automatic for .env*, *.pem, *key*, ' +
          'secret/credential/password files and any file holding a known secret shape.',
      ),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (!p.path === !p.glob) ctx.addIssue({ code: 'custom', message: 'give exactly one of `path` or `glob`' });
    const rules = ['kind', 'max_mode', 'owner', 'group', 'max_age', 'min_size', 'max_size', 'contains', 'not_contains'] as const;
    if (!p.exists) {
      const extra = rules.filter((k) => p[k] !== undefined);
      if (extra.length) ctx.addIssue({ code: 'custom', message: `exists: false cannot be combined with ${extra.join(', ')}` });
    }
    if (p.kind === 'directory') {
      const fileOnly = (['min_size', 'max_size', 'contains', 'not_contains'] as const).filter((k) => p[k] !== undefined);
      if (fileOnly.length) ctx.addIssue({ code: 'custom', message: `kind: directory cannot be combined with ${fileOnly.join(', ')}` });
    }
    if (p.min_size !== undefined && p.max_size !== undefined && p.min_size > p.max_size) {
      ctx.addIssue({ code: 'custom', message: 'min_size is larger than max_size' });
    }
  });

export type FileParams = z.output<typeof params>;

// ---------------------------------------------------------------------------------------------------
// Facts and the pure decision

export interface FileContent {
  text: string;
  /** True when only the first MAX_SCAN_BYTES were read. */
  truncated: boolean;
}

export interface FileFacts {
  /** As shown to the user (relative to the profile when inside it). */
  display: string;
  kind: 'file' | 'directory' | 'other';
  /** Permission bits (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Names from /etc/passwd and /etc/group, when known. */
  user?: string;
  groupName?: string;
  size: number;
  mtimeMs: number;
  content?: FileContent;
  /** Set when the content could not be read: the check cannot conclude on content rules. */
  contentError?: string;
}

/** A match that could not even be stat'ed (no permission on a parent directory...). */
export interface UnreadableMatch {
  display: string;
  error: string;
}

export interface FileCheckFacts {
  /** The path or glob as written, for messages. */
  target: string;
  isGlob: boolean;
  matches: FileFacts[];
  /** Paths that exist (or matched) but could not be examined. */
  unreadable?: UnreadableMatch[];
  now: number;
}

/** A path as one shell word: quoted when it holds anything but safe characters. */
export const shellWord = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

export const formatMode = (m: number) => `0${(m & 0o7777).toString(8).padStart(3, '0')}`;

const BIT_NAMES: [number, string][] = [
  [0o4000, 'setuid'], [0o2000, 'setgid'], [0o1000, 'sticky'],
  [0o400, 'owner read'], [0o200, 'owner write'], [0o100, 'owner execute'],
  [0o040, 'group read'], [0o020, 'group write'], [0o010, 'group execute'],
  [0o004, 'others read'], [0o002, 'others write'], [0o001, 'others execute'],
];

/** Names of the permission bits set in `bits`, e.g. `group read, others read`. */
export function describeBits(bits: number): string {
  return BIT_NAMES.filter(([b]) => bits & b).map(([, n]) => n).join(', ');
}

const SENSITIVE_NAME = /^\.env|\.pem$|key|secret|credential|passw|token|\.p12$|\.pfx$|\.jks$|\.keystore$|\.kdbx$|^id_(rsa|dsa|ecdsa|ed25519)|^\.?(pgpass|netrc|npmrc|htpasswd)$/i;

/** Sensitive files never have their lines shown: secret-looking names or a known secret shape inside. */
export function looksSensitive(filePath: string, content?: string): boolean {
  if (SENSITIVE_NAME.test(path.basename(filePath))) return true;
  if (content === undefined) return false;
  return SECRET_PATTERNS.some((p) => new RegExp(p.regex.source, p.regex.flags.replace('g', '')).test(content)) ||
    new RegExp(URL_PASSWORD.source, 'i').test(content);
}

function redactLine(line: string): string {
  let out = line.replace(URL_PASSWORD, '$1***@');
  for (const p of SECRET_PATTERNS) out = out.replace(p.regex, '***');
  out = out.trim();
  return out.length > 120 ? `${out.slice(0, 117)}…` : out;
}

interface LineHit {
  line: number;
  text?: string;
}

/** 1-based line numbers (and the lines, unless sensitive) where `source` matches. */
export function findLines(text: string, source: string, sensitive: boolean): { hits: LineHit[]; total: number } {
  const re = new RegExp(source, 'gm');
  const hits: LineHit[] = [];
  let total = 0;
  let line = 1; // line number at `pos`
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    for (let i = text.indexOf('\n', pos); i !== -1 && i < m.index; i = text.indexOf('\n', i + 1)) line++;
    pos = m.index;
    const start = text.lastIndexOf('\n', m.index - 1) + 1;
    const end = text.indexOf('\n', m.index);
    total++;
    if (hits.length < MAX_LINES) {
      hits.push(sensitive ? { line } : { line, text: redactLine(text.slice(start, end === -1 ? undefined : end)) });
    }
    // One hit per line: continue after the end of this line.
    if (end === -1) break;
    re.lastIndex = end + 1;
  }
  return { hits, total };
}

function principalMatches(expected: number | string, id: number, name: string | undefined): boolean {
  return typeof expected === 'number' ? id === expected : name === expected;
}

const showPrincipal = (id: number, name: string | undefined) => (name ? `${name} (${id})` : String(id));

/** The decision: facts about the matched path(s) in, verdict out. */
export function evaluateFile(p: FileParams, facts: FileCheckFacts): Verdict {
  const { target, matches } = facts;
  const unreadable = facts.unreadable ?? [];
  const what = facts.isGlob ? `no file matches ${target}` : `${target} does not exist`;
  const evidenceBase = { target, matches: matches.length };
  const count = (n: number) =>
    `${n} ${p.kind === 'directory' ? (n === 1 ? 'directory' : 'directories') : p.exists ? (n === 1 ? 'file' : 'files') : n === 1 ? 'path' : 'paths'} match${n === 1 ? 'es' : ''}`;

  if (!p.exists) {
    if (matches.length === 0 && unreadable.length) {
      return error(unreadable[0].error, { expected: 'absent', actual: 'unknown', details: { ...evidenceBase, unreadable } });
    }
    if (matches.length === 0) return pass(facts.isGlob ? `nothing matches ${target}, as required` : `${target} does not exist, as required`, { expected: 'absent', actual: 'absent', details: evidenceBase });
    const names = matches.slice(0, 5).map((m) => m.display);
    const more = matches.length > 5 ? ` and ${matches.length - 5} more` : '';
    const message = facts.isGlob
      ? `${count(matches.length)} ${target} but none may exist: ${names.join(', ')}${more}`
      : `${target} exists but must not`;
    return failAndUnchecked(
      fail(
        message,
        { expected: 'absent', actual: 'present', details: { ...evidenceBase, found: matches.map((m) => m.display).slice(0, 50), ...(unreadable.length ? { unreadable } : {}) } },
        `Remove ${names.join(', ')}${more} from the deployment (or stop whatever creates ${facts.isGlob ? 'them' : 'it'}).`,
      ),
      fewUnchecked(unreadable.map((u) => u.error)),
    );
  }
  if (matches.length === 0 && unreadable.length) {
    return error(unreadable[0].error, { expected: p.kind ?? 'present', actual: 'unknown', details: { ...evidenceBase, unreadable } });
  }
  if (matches.length === 0) {
    const fix = facts.isGlob
      ? `Nothing matches ${target}: check the job that should create these files (cron/systemd timer, backup or log rotation) and its logs, or the pattern (relative paths start at the profile's directory).`
      : `Create ${target}, or fix the path in the profile (relative paths start at the profile's directory).`;
    return fail(what, { expected: p.kind ?? 'present', actual: 'missing', details: evidenceBase }, fix);
  }

  const problems: string[] = [];
  /** What to do about each problem, in the same order: a command where there is one. */
  const fixes: string[] = [];
  const errors: string[] = unreadable.map((u) => u.error);
  const perFile: Record<string, unknown>[] = [];

  for (const f of matches) {
    const info: Record<string, unknown> = { path: f.display };
    perFile.push(info);
    Object.assign(info, {
      kind: f.kind,
      mode: formatMode(f.mode),
      owner: showPrincipal(f.uid, f.user),
      group: showPrincipal(f.gid, f.groupName),
      size: f.size,
      modified: new Date(f.mtimeMs).toISOString(),
    });
    const name = f.display;
    if (p.kind && f.kind !== p.kind) {
      problems.push(`${name} is ${f.kind === 'other' ? 'neither a file nor a directory' : `a ${f.kind}`}, expected a ${p.kind}`);
      fixes.push(`Make ${name} a ${p.kind}, or fix the path in the profile.`);
      continue;
    }
    if (p.max_mode !== undefined) {
      const extra = f.mode & 0o7777 & ~p.max_mode;
      if (extra) {
        problems.push(`${name} has mode ${formatMode(f.mode)}, more permissive than ${formatMode(p.max_mode)} (${describeBits(extra)})`);
        fixes.push(`chmod ${formatMode(f.mode & 0o7777 & p.max_mode)} ${shellWord(name)}`);
      }
    }
    if (p.owner !== undefined && !principalMatches(p.owner, f.uid, f.user)) {
      problems.push(`${name} is owned by ${showPrincipal(f.uid, f.user)}, expected ${p.owner}`);
      fixes.push(`chown ${p.owner} ${shellWord(name)}`);
    }
    if (p.group !== undefined && !principalMatches(p.group, f.gid, f.groupName)) {
      problems.push(`${name} belongs to group ${showPrincipal(f.gid, f.groupName)}, expected ${p.group}`);
      fixes.push(`chgrp ${p.group} ${shellWord(name)}`);
    }
    if (p.contains || p.not_contains) {
      if (f.kind !== 'file') {
        problems.push(`${name} is a ${f.kind}, so its content cannot be checked`);
        continue;
      }
      if (f.contentError || !f.content) {
        errors.push(f.contentError ?? `could not read ${name}`);
        continue;
      }
      const sensitive = p.sensitive ?? looksSensitive(name, f.content.text);
      const within = `only the first ${formatSize(MAX_SCAN_BYTES)} of ${name} were read`;
      if (f.content.truncated) info.truncated = true;
      if (sensitive) info.sensitive = true;
      for (const source of p.contains ?? []) {
        if (!new RegExp(source, 'm').test(f.content.text)) {
          // Not in the part read: the rest may hold it, so that is unknown, not a finding.
          if (f.content.truncated) {
            errors.push(`whether ${name} contains /${source}/: ${within}`);
            continue;
          }
          problems.push(`${name} does not contain /${source}/`);
          fixes.push(`Add what /${source}/ describes to ${name}.`);
        }
      }
      const forbidden: Record<string, LineHit[]> = {};
      for (const source of p.not_contains ?? []) {
        const { hits, total } = findLines(f.content.text, source, sensitive);
        if (total === 0) {
          if (f.content.truncated) errors.push(`whether ${name} contains forbidden /${source}/ after the part read: ${within}`);
          continue;
        }
        forbidden[`/${source}/`] = hits;
        const lines = hits.map((h) => h.line).join(', ') + (total > hits.length ? ` and ${total - hits.length} more` : '');
        problems.push(`${name} matches forbidden /${source}/ on line${total === 1 ? '' : 's'} ${lines}`);
        fixes.push(`Remove line${total === 1 ? '' : 's'} ${lines} of ${name}${sensitive ? ` and replace any secret ${total === 1 ? 'it' : 'they'} held` : ''}.`);
      }
      if (Object.keys(forbidden).length) info.forbidden = forbidden;
    }
  }

  // Age and size: the newest match (the only one for a plain path). When some matches could not be examined,
  // one of them may be newer: a stale or wrongly sized newest readable match is then not a finding.
  const newest = matches.reduce<FileFacts | undefined>((a, b) => (!a || b.mtimeMs > a.mtimeMs ? b : a), undefined);
  const newestUncertain = facts.isGlob && unreadable.length > 0;
  const judgeNewest = (problem: string, fix?: string) => {
    if (newestUncertain) {
      errors.push(`${problem}, but ${unreadable.length} match${unreadable.length === 1 ? '' : 'es'} could not be examined and may be newer`);
      return;
    }
    problems.push(problem);
    if (fix) fixes.push(fix);
  };
  const details: Record<string, unknown> = { ...evidenceBase };
  const expected: Record<string, unknown> = {};
  const actual: Record<string, unknown> = {};
  if (newest) {
    const label = facts.isGlob ? `newest match ${newest.display}` : newest.display;
    if (facts.isGlob) details.newest = newest.display;
    const age = Math.max(0, facts.now - newest.mtimeMs);
    if (p.max_age !== undefined) {
      expected.max_age = formatDuration(p.max_age);
      actual.age = formatDuration(age);
      if (age > p.max_age) {
        judgeNewest(
          `${label} is ${formatDuration(age)} old (must be younger than ${formatDuration(p.max_age)})`,
          `${facts.isGlob ? `No new file matching ${target}` : `${newest.display} not updated`} for ${formatDuration(age)}: check the job that should write it (cron/systemd timer, backup or log rotation) and its logs.`,
        );
      }
    }
    if (p.min_size !== undefined || p.max_size !== undefined) {
      actual.size = formatSize(newest.size);
      if (newest.kind !== 'file') judgeNewest(`${label} is a ${newest.kind}, so its size cannot be checked`);
      else {
        if (p.min_size !== undefined) {
          expected.min_size = formatSize(p.min_size);
          if (newest.size < p.min_size) {
            judgeNewest(`${label} is ${formatSize(newest.size)}, smaller than ${formatSize(p.min_size)}`, `${newest.display} looks truncated or empty: check the job that writes it and its logs.`);
          }
        }
        if (p.max_size !== undefined) {
          expected.max_size = formatSize(p.max_size);
          if (newest.size > p.max_size) {
            judgeNewest(`${label} is ${formatSize(newest.size)}, larger than ${formatSize(p.max_size)}`, `Rotate or trim ${newest.display} (logrotate, retention settings).`);
          }
        }
      }
    }
  }
  if (p.kind) expected.kind = p.kind;
  if (p.max_mode !== undefined) expected.max_mode = formatMode(p.max_mode);
  if (p.owner !== undefined) expected.owner = p.owner;
  if (p.group !== undefined) expected.group = p.group;
  if (p.contains) expected.contains = p.contains.map((s) => `/${s}/`);
  if (p.not_contains) expected.not_contains = p.not_contains.map((s) => `/${s}/`);
  if (!facts.isGlob && perFile[0]) Object.assign(actual, { ...perFile[0], ...actual });
  if (unreadable.length) details.unreadable = unreadable;
  details.files = perFile.slice(0, 50);
  const evidence = { expected, actual, details };

  if (problems.length) {
    const message = problems.length > 3 ? `${problems.slice(0, 3).join('; ')}; and ${problems.length - 3} more problems` : problems.join('; ');
    const commands = [...new Set(fixes)];
    const shown = commands.slice(0, 4).map((f) => (/^(chmod|chown|chgrp) /.test(f) ? `\`${f}\`` : f));
    const remediation = shown.length ? `${shown.join('; ')}${commands.length > 4 ? `; and ${commands.length - 4} more` : ''}` : undefined;
    // What could not be read does not hide what is wrong: fail, with those parts named as unchecked.
    return failAndUnchecked(fail(message, evidence, remediation), fewUnchecked(errors));
  }
  if (errors.length) return error(errors.length > 1 ? `${errors[0]} (and ${errors.length - 1} more)` : errors[0], evidence);
  const subject = facts.isGlob ? `${count(matches.length)} ${target}` : `${target} exists`;
  const notes: string[] = [];
  if (p.kind) notes.push(`is a ${p.kind}`);
  if (p.max_mode !== undefined) notes.push(`mode at most ${formatMode(p.max_mode)}`);
  if (p.owner !== undefined) notes.push(`owned by ${p.owner}`);
  if (p.group !== undefined) notes.push(`group ${p.group}`);
  if (p.max_age !== undefined && newest) notes.push(`${facts.isGlob ? 'newest ' : ''}modified ${formatDuration(Math.max(0, facts.now - newest.mtimeMs))} ago`);
  if ((p.min_size !== undefined || p.max_size !== undefined) && newest) notes.push(`${facts.isGlob && p.max_age === undefined ? 'newest ' : ''}${formatSize(newest.size)}`);
  if (p.contains) notes.push(p.contains.length === 1 ? `contains /${p.contains[0]}/` : `contains all ${p.contains.length} patterns`);
  if (p.not_contains) notes.push(p.not_contains.length === 1 ? `does not contain /${p.not_contains[0]}/` : `none of ${p.not_contains.length} forbidden patterns`);
  return pass(notes.length ? `${subject}: ${notes.join(', ')}` : subject, evidence);
}

/** Parts that could not be checked, at most 3 named (a glob may match thousands of unreadable files). */
function fewUnchecked(errors: string[]): string[] {
  const unique = [...new Set(errors)];
  return unique.length > 3 ? [...unique.slice(0, 3), `${unique.length - 3} more could not be checked`] : unique;
}

// ---------------------------------------------------------------------------------------------------
// I/O

async function readIdNames(file: string): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  try {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id && /^\d+$/.test(id) && !names.has(Number(id))) names.set(Number(id), name);
    }
  } catch {
    // No /etc/passwd (or unreadable): owners are shown as numbers.
  }
  return names;
}

function describeFsError(err: unknown, display: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return `no permission to read ${display}`;
  if ((err as Error).name === 'AbortError') return `timed out reading ${display}`;
  return `could not read ${display}: ${(err as Error).message}`;
}

async function readHead(file: string, signal: AbortSignal): Promise<FileContent> {
  const handle = await open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    let truncated = false;
    const chunk = Buffer.alloc(1024 * 1024);
    for (;;) {
      signal.throwIfAborted();
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      const take = Math.min(bytesRead, MAX_SCAN_BYTES - total);
      chunks.push(Buffer.from(chunk.subarray(0, take)));
      total += take;
      if (total >= MAX_SCAN_BYTES) {
        truncated = bytesRead > take || (await handle.read(Buffer.alloc(1), 0, 1, null)).bytesRead > 0;
        break;
      }
    }
    return { text: Buffer.concat(chunks).toString('utf8'), truncated };
  } finally {
    await handle.close();
  }
}

export default defineCheck({
  meta: {
    type: 'file',
    title: 'File is in place',
    failureTitle: 'File is missing or unsafe',
    description:
      'Deployments depend on files: private keys readable only by their owner, a .env that is not world-readable, ' +
      'a nightly backup that is really there and recent, a config without DEBUG=true. This check looks at a path ' +
      '(or the files matching a glob) and verifies existence, kind, permission mode, owner, age, size and content. ' +
      'Lines of sensitive files (.env*, keys, certificates with private keys) are never shown, only line numbers.',
    remediation:
      'Create or fix the file named above: `chmod 600` secrets and keys, `chown` them to the service user, check the ' +
      'backup or log rotation job that should have written the newest file, and remove forbidden settings.',
    docs: 'docs/checks.md#file',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const target = (p.path ?? p.glob)!;
    const display = (abs: string) => {
      const rel = path.relative(ctx.baseDir, abs);
      return !rel.startsWith('..') && !path.isAbsolute(rel) && rel !== '' ? rel : abs;
    };

    let paths: string[];
    if (p.glob) {
      try {
        const tinyglob = await loadGlob();
        paths = (
          await tinyglob(p.glob, {
            cwd: ctx.baseDir,
            absolute: true,
            dot: true,
            // Must-not-exist globs see directories too (`.git` in a release); otherwise files unless kind: directory.
            onlyDirectories: p.kind === 'directory',
            onlyFiles: p.exists && p.kind !== 'directory',
            signal: ctx.signal,
          })
        )
          .map((m) => (m.length > 1 ? m.replace(/\/+$/, '') : m))
          .sort();
      } catch (err) {
        if ((err as Error).name === 'AbortError' || ctx.signal.aborted) return error(`timed out listing ${p.glob}`);
        return error(`could not list ${p.glob}: ${(err as Error).message}`);
      }
    } else {
      paths = [path.resolve(ctx.baseDir, p.path!)];
    }

    const [users, groups] = await Promise.all([readIdNames('/etc/passwd'), readIdNames('/etc/group')]);
    const matches: FileFacts[] = [];
    const unreadable: UnreadableMatch[] = [];
    for (const abs of paths) {
      const shown = p.glob ? display(abs) : p.path!;
      let st;
      try {
        st = await stat(abs);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') continue;
        unreadable.push({ display: shown, error: describeFsError(err, shown) });
        continue;
      }
      const facts: FileFacts = {
        display: shown,
        kind: st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other',
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
        user: users.get(st.uid),
        groupName: groups.get(st.gid),
        size: st.size,
        mtimeMs: st.mtimeMs,
      };
      if ((p.contains || p.not_contains) && facts.kind === 'file') {
        try {
          facts.content = await readHead(abs, ctx.signal);
        } catch (err) {
          facts.contentError = describeFsError(err, shown);
        }
      }
      matches.push(facts);
    }
    ctx.log.debug(`file: ${target} → ${matches.length} match(es)`);
    return evaluateFile(p, { target, isGlob: Boolean(p.glob), matches, unreadable, now: Date.now() });
  },
});
