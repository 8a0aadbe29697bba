// env.vars: the variables a deployment needs are set, with sane values, and its secrets are strong.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { defineCheck, error, fail, pass, type Verdict } from '../../src/check.js';
import { boolish, intish } from '../../src/params.js';
import { loadDotenv } from '../../src/sdk.js';
import { isSecretName, SECRET_PATTERNS, URL_PASSWORD } from '../../src/secret-patterns.js';
import { assessSecretStrength } from '../../src/secret-strength.js';

const varName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name such as APP_ENV (letters, digits, _)');

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const regexString = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(err as Error).message}` });
  }
});

const urlRule = z
  .object({
    https: boolish()
      .default(true)
      .describe('Require https:// (default true). Ignored when `protocols` is given.'),
    protocols: z
      .array(z.string().regex(/^[a-z][a-z0-9+.-]*$/i, 'expected a URL scheme such as https or postgres'))
      .min(1)
      .optional()
      .describe('Allowed URL schemes instead of http(s), e.g. [postgres, postgresql] or [rediss].'),
    no_localhost: boolish()
      .default(false)
      .describe('Reject localhost, 127.0.0.0/8, ::1, 0.0.0.0 and *.localhost hosts (for production).'),
    no_placeholder_host: boolish()
      .default(true)
      .describe('Reject template hosts such as example.com, yourdomain.com or *.example (default true).'),
  })
  .strict();

const secretRule = z
  .object({
    min_length: intish()
      .pipe(z.number().int().min(1))
      .default(32)
      .describe('Minimum length in characters (default 32).'),
    min_distinct: intish()
      .pipe(z.number().int().min(1))
      .optional()
      .describe('Minimum number of distinct characters (default: min(10, length / 3)).'),
  })
  .strict();

/** `[A, B]` (each with default rules) or `{A: {…}, B: null}`; always a name → rule map after parsing. */
function namesOrMap<T extends z.ZodType>(rule: T) {
  const withDefault = z.union([rule, z.null()]).transform((v) => (v === null ? (rule.parse({}) as z.output<T>) : (v as z.output<T>)));
  return z.union([
    z.array(varName).transform((names) => Object.fromEntries(names.map((n) => [n, rule.parse({})])) as Record<string, z.output<T>>),
    z.record(varName, withDefault) as unknown as z.ZodType<Record<string, z.output<T>>>,
  ]);
}

export const params = z
  .object({
    file: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Read the variables from this dotenv file (relative to the profile) instead of the process environment, e.g. `.env.local`.',
      ),
    required: z.array(varName).default([])
      .describe('Variables that must be set and non-empty. Variables named under any other rule must be set too.'),
    allow_empty: boolish()
      .default(false)
      .describe('Accept variables that are set to an empty string (default false: empty counts as missing).'),
    equals: z
      .record(varName, scalar)
      .default({})
      .describe(
        'Exact values, e.g. {APP_ENV: production, DEBUG: false}. Strings compare exactly (case-sensitive). ' +
          'A boolean (or the word true/false) matches case-insensitively and accepts the usual spellings: ' +
          'false = false/0/no/off, true = true/1/yes/on. A number matches numerically (`1.0` equals 1).',
      ),
    one_of: z
      .record(varName, z.array(scalar).min(1))
      .default({})
      .describe('Allowed values, e.g. {LOG_LEVEL: [info, warning]}; each compared like `equals`.'),
    matches: z
      .record(varName, regexString)
      .default({})
      .describe('Regular expressions (JavaScript syntax, unanchored: use ^…$ for a whole-value match).'),
    urls: namesOrMap(urlRule)
      .default({})
      .describe(
        'Variables that must hold absolute URLs: a list of names, or a map name → {https, protocols, no_localhost, no_placeholder_host}.',
      ),
    secrets: namesOrMap(secretRule)
      .default({})
      .describe(
        'Secrets that must be strong: a list of names, or a map name → {min_length, min_distinct}. A secret must be ' +
          'long enough, not a known placeholder (changeme, secret, your-key-here…), use enough distinct characters ' +
          'and differ from the other listed secrets. Their values are never shown.',
      ),
  })
  .strict()
  .superRefine((p, ctx) => {
    const total =
      p.required.length +
      Object.keys(p.equals).length +
      Object.keys(p.one_of).length +
      Object.keys(p.matches).length +
      Object.keys(p.urls).length +
      Object.keys(p.secrets).length;
    if (total === 0) {
      ctx.addIssue({ code: 'custom', message: 'nothing to check: give at least one of required, equals, one_of, matches, urls, secrets' });
    }
  });

export type EnvVarsParams = z.output<typeof params>;

// ---------------------------------------------------------------------------------------------------
// Pure helpers

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/** Does `actual` (a variable's text) satisfy the expected value? See the `equals` description. */
export function valueEquals(expected: string | number | boolean, actual: string): boolean {
  if (typeof expected === 'boolean' || /^(true|false)$/i.test(expected as string)) {
    const want = typeof expected === 'boolean' ? expected : /^true$/i.test(expected as string);
    const got = actual.trim().toLowerCase();
    return (want ? TRUE_WORDS : FALSE_WORDS).includes(got);
  }
  if (typeof expected === 'number') {
    const trimmed = actual.trim();
    return /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(trimmed) && Number(trimmed) === expected;
  }
  return actual === expected;
}

/** True when the value must never be shown: secret-looking name, listed under `secrets`, or a known secret shape. */
export function isSecretVariable(name: string, value: string | undefined, secretNames: ReadonlySet<string>): boolean {
  if (secretNames.has(name) || isSecretName(name)) return true;
  if (value === undefined) return false;
  return SECRET_PATTERNS.some((p) => new RegExp(p.regex.source, p.regex.flags.replace('g', '')).test(value)) || hasUrlPassword(value);
}

function hasUrlPassword(value: string): boolean {
  return new RegExp(URL_PASSWORD.source, 'i').test(value);
}

/** A value as shown in messages: quoted, cut at 80 characters. */
function show(value: string): string {
  const cut = value.length > 80 ? `${value.slice(0, 77)}…` : value;
  return JSON.stringify(cut);
}

const LOCAL_HOST = /^(localhost|.*\.localhost|127(?:\.\d{1,3}){3}|0\.0\.0\.0|\[?::1?\]?|\[?::ffff:127(?:\.\d{1,3}){3}\]?|\[::\])$/i;
const PLACEHOLDER_HOST =
  /^(?:.*\.)?(example\.(com|org|net)|yourdomain\.com|your-domain\.com|yourcompany\.com|mydomain\.com|domain\.com|yoursite\.com)$|\.(example|invalid|test)$/i;

/** Problems with a URL-valued variable, as sentence fragments after the name. */
export function urlProblems(value: string, rule: z.output<typeof urlRule>, secret: boolean): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [secret ? 'is not a valid absolute URL' : `is ${show(value)}, which is not a valid absolute URL`];
  }
  const problems: string[] = [];
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (rule.protocols) {
    const allowed = rule.protocols.map((p) => p.toLowerCase());
    if (!allowed.includes(scheme)) problems.push(`uses ${scheme}:// (expected ${allowed.map((p) => `${p}://`).join(' or ')})`);
  } else if (rule.https) {
    if (scheme !== 'https') problems.push(`uses ${scheme}:// (https:// required)`);
  } else if (scheme !== 'http' && scheme !== 'https') {
    problems.push(`uses ${scheme}:// (expected http:// or https://)`);
  }
  const host = url.hostname;
  if (!host) problems.push('has no host');
  else if (rule.no_localhost && LOCAL_HOST.test(host)) problems.push(`points at ${host} (a local address, not reachable in production)`);
  else if (rule.no_placeholder_host && PLACEHOLDER_HOST.test(host)) problems.push(`points at ${host}, a placeholder host`);
  return problems;
}

interface VariableReport {
  expected: string[];
  actual: string;
  problems: string[];
}

/**
 * The decision: variables in, verdict out. `vars` is the environment (or the parsed dotenv file);
 * `source` names it for messages (`process environment`, `.env.local`).
 */
export function evaluateEnvVars(p: EnvVarsParams, vars: Readonly<Record<string, string | undefined>>, source: string): Verdict {
  const names: string[] = [];
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n);
  };
  [p.required, Object.keys(p.equals), Object.keys(p.one_of), Object.keys(p.matches), Object.keys(p.urls), Object.keys(p.secrets)]
    .flat()
    .forEach(add);
  const secretNames = new Set(Object.keys(p.secrets));

  const missing: string[] = [];
  const empty: string[] = [];
  const reports: Record<string, VariableReport> = {};

  for (const name of names) {
    const value = vars[name];
    const secret = isSecretVariable(name, value, secretNames);
    const r: VariableReport = { expected: [], actual: '', problems: [] };
    reports[name] = r;

    r.expected.push(p.allow_empty ? 'set' : 'set and non-empty');
    if (name in p.equals) r.expected.push(secret ? 'equals the expected value' : `equals ${String(p.equals[name])}`);
    if (name in p.one_of) r.expected.push(secret ? `one of ${p.one_of[name].length} allowed values` : `one of ${p.one_of[name].map(String).join(', ')}`);
    if (name in p.matches) r.expected.push(`matches /${p.matches[name]}/`);
    if (name in p.urls) {
      const u = p.urls[name];
      r.expected.push(u.protocols ? `${u.protocols.join('|')} URL` : u.https ? 'https URL' : 'http(s) URL');
      if (u.no_localhost) r.expected.push('not a local host');
    }
    if (name in p.secrets) r.expected.push(`strong secret (≥ ${p.secrets[name].min_length} characters, not a placeholder)`);

    if (value === undefined) {
      r.actual = '(not set)';
      missing.push(name);
      continue;
    }
    if (value === '' && !p.allow_empty) {
      r.actual = '(empty)';
      empty.push(name);
      continue;
    }
    if (name in p.secrets) r.actual = `(hidden, ${[...value].length} characters)`;
    else if (secret) r.actual = '(set, hidden)';
    else r.actual = value.length > 200 ? `${value.slice(0, 197)}…` : value;

    if (name in p.equals && !valueEquals(p.equals[name], value)) {
      r.problems.push(secret ? 'does not have the expected value (value hidden)' : `is ${show(value)} (expected ${show(String(p.equals[name]))})`);
    }
    if (name in p.one_of && !p.one_of[name].some((e) => valueEquals(e, value))) {
      const allowed = p.one_of[name].map(String).join(', ');
      r.problems.push(secret ? `is not one of the ${p.one_of[name].length} allowed values (value hidden)` : `is ${show(value)} (expected one of ${allowed})`);
    }
    if (name in p.matches && !new RegExp(p.matches[name]).test(value)) {
      r.problems.push(secret ? `does not match /${p.matches[name]}/ (value hidden)` : `is ${show(value)}, which does not match /${p.matches[name]}/`);
    }
    if (name in p.urls) r.problems.push(...urlProblems(value, p.urls[name], secret));
    if (name in p.secrets) {
      const others: Record<string, string | undefined> = {};
      for (const other of Object.keys(p.secrets)) if (other !== name) others[other] = vars[other];
      r.problems.push(
        ...assessSecretStrength(value, { minLength: p.secrets[name].min_length, minDistinct: p.secrets[name].min_distinct, others }),
      );
    }
  }

  const parts: string[] = [];
  if (missing.length === 1) parts.push(`${missing[0]} is not set`);
  else if (missing.length > 1) parts.push(`${missing.length} variables not set: ${missing.join(', ')}`);
  if (empty.length === 1) parts.push(`${empty[0]} is empty`);
  else if (empty.length > 1) parts.push(`${empty.length} variables are empty: ${empty.join(', ')}`);
  for (const name of names) {
    const found = reports[name].problems;
    // "X is a known placeholder …, and is 8 characters long, …": the last problem of a variable after "and".
    if (found.length) parts.push(`${name} ${found.length > 1 ? `${found.slice(0, -1).join(', ')}, and ${found[found.length - 1]}` : found[0]}`);
  }

  const evidence = {
    expected: Object.fromEntries(names.map((n) => [n, reports[n].expected.join('; ')])),
    actual: Object.fromEntries(names.map((n) => [n, reports[n].actual])),
    details: {
      source,
      ...(missing.length ? { missing } : {}),
      ...(empty.length ? { empty } : {}),
      problems: Object.fromEntries(names.filter((n) => reports[n].problems.length).map((n) => [n, reports[n].problems])),
    },
  };
  const where = source === 'process environment' ? '' : ` in ${source}`;
  if (parts.length === 0) {
    return pass(`${names.length} variable${names.length === 1 ? '' : 's'} set as expected${where}`, evidence);
  }
  return fail(where ? `${parts.join('; ')} (${source})` : parts.join('; '), evidence);
}

// ---------------------------------------------------------------------------------------------------

export default defineCheck({
  meta: {
    type: 'env.vars',
    title: 'Environment variables are configured',
    failureTitle: 'Environment variables are missing or wrong',
    description:
      'An application started with a missing DATABASE_URL, DEBUG=true, an http:// FRONTEND_URL or JWT_SECRET=changeme ' +
      'either crashes at the first request or runs insecurely. This check reads the process environment (or a dotenv ' +
      'file such as .env.local) and verifies required variables, exact values, allowed values, patterns, URL shape and ' +
      'secret strength. Values of secret-looking variables are never shown.',
    remediation:
      'Set the variables named above in the deployment environment (or the dotenv file): generate secrets with ' +
      '`openssl rand -hex 32`, use a distinct secret per purpose, and use the production https:// URLs.',
    docs: 'docs/checks.md#env-vars',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    if (!p.file) return evaluateEnvVars(p, ctx.env, 'process environment');
    const file = path.resolve(ctx.baseDir, p.file);
    let text: string;
    try {
      text = await readFile(file, { encoding: 'utf8', signal: ctx.signal });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        return fail(`${p.file} does not exist (looked at ${file})`, { expected: 'a dotenv file', actual: 'missing', details: { path: file } });
      }
      if (code === 'EACCES' || code === 'EPERM') return error(`no permission to read ${file}`);
      if (code === 'EISDIR') return error(`${file} is a directory, not a dotenv file`);
      if ((err as Error).name === 'AbortError') return error(`timed out reading ${file}`);
      return error(`could not read ${file}: ${(err as Error).message}`);
    }
    const parseDotenv = await loadDotenv();
    ctx.log.debug(`env.vars: read ${Object.keys(parseDotenv(text)).length} variables from ${file}`);
    return evaluateEnvVars(p, parseDotenv(text), p.file);
  },
});
