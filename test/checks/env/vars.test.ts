import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import check, { evaluateEnvVars, params, valueEquals, urlProblems, isSecretVariable } from '../../../checks/env/vars.js';
import { assessSecretStrength, isKnownPlaceholder, KNOWN_PLACEHOLDERS } from '../../../src/secret-strength.js';
import { runCheck } from '../../support/run-check.js';

const parse = (raw: unknown) => params.parse(raw);
const STRONG = 'f3a9c1d27b8e4f60a5d9e2c7b1f04a38'; // 32 hex characters
const STRONG2 = '9Qz-Lm4_Xv8pRt2sWn6YkB0cHj3dGf7a';

describe('assessSecretStrength', () => {
  it('accepts a generated secret', () => {
    expect(assessSecretStrength(STRONG)).toEqual([]);
    expect(assessSecretStrength(STRONG2, { minLength: 32 })).toEqual([]);
  });

  it('reports an empty value alone', () => {
    expect(assessSecretStrength('')).toEqual(['is empty']);
  });

  it('reports a short value with its length and the minimum', () => {
    expect(assessSecretStrength('a8F3kq9Z', { minLength: 16 })).toEqual(['is 8 characters long, shorter than the required 16']);
  });

  it.each(['changeme', 'Change-Me', 'secret', 'your-key-here', 'password', 'example', 'xxx', 'test', 'sk_test_xxx', 'CHANGE_ME'])(
    'flags the placeholder %s',
    (value) => {
      const problems = assessSecretStrength(value, { minLength: 1 });
      expect(problems).toContain('is a known placeholder or default value, not a generated secret');
    },
  );

  it.each([
    'your-jwt-secret-key-goes-here-please',
    'django-insecure-0123456789abcdefghijklmnopqrstuvwxyz',
    'please-change-me-in-production-0123456789',
    'sk_test_xxxxxxxxxxxxxxxxxxxxxxxx',
    '<your secret key>',
  ])('flags the long template %s', (value) => {
    expect(isKnownPlaceholder(value)).toBe(true);
  });

  it('does not flag random values as placeholders', () => {
    expect(isKnownPlaceholder(STRONG)).toBe(false);
    expect(isKnownPlaceholder(STRONG2)).toBe(false);
  });

  it('lists well-known placeholders in lower case without separators', () => {
    for (const p of KNOWN_PLACEHOLDERS) expect(p).toMatch(/^[a-z0-9]+$/);
    expect(KNOWN_PLACEHOLDERS).toContain('changeme');
  });

  it('flags too few distinct characters', () => {
    const problems = assessSecretStrength('ab'.repeat(20));
    expect(problems).toEqual(['uses only 2 distinct characters (at least 10 expected from a random secret)']);
    expect(assessSecretStrength('abcd'.repeat(10), { minDistinct: 4 })).toEqual([]);
  });

  it('flags a secret reused under another name, and ignores unset others', () => {
    expect(assessSecretStrength(STRONG, { others: { CSRF_SECRET: STRONG, EMPTY: undefined } })).toEqual([
      'has the same value as CSRF_SECRET',
    ]);
  });

  it('flags surrounding whitespace', () => {
    expect(assessSecretStrength(` ${STRONG}`)).toContain('has leading or trailing whitespace');
  });

  it('never echoes the value in any problem', () => {
    const value = 'hunter2hunter2';
    const problems = assessSecretStrength(value, { minLength: 64, minDistinct: 20, others: { OTHER: value } });
    expect(problems.length).toBeGreaterThan(2);
    for (const p of problems) expect(p).not.toContain('hunter');
  });
});

describe('valueEquals', () => {
  it('compares strings exactly', () => {
    expect(valueEquals('production', 'production')).toBe(true);
    expect(valueEquals('production', 'Production')).toBe(false);
    expect(valueEquals('RS256', 'rs256')).toBe(false);
    expect(valueEquals('production', 'production ')).toBe(false);
  });

  it('compares booleans case-insensitively with the usual spellings', () => {
    for (const v of ['false', 'False', 'FALSE', '0', 'no', 'off', ' false ']) expect(valueEquals(false, v)).toBe(true);
    for (const v of ['true', 'True', '1', 'yes', 'on']) expect(valueEquals(true, v)).toBe(true);
    expect(valueEquals(false, 'true')).toBe(false);
    expect(valueEquals(false, '')).toBe(false);
    expect(valueEquals(false, 'nope')).toBe(false);
    expect(valueEquals('false', 'False')).toBe(true);
    expect(valueEquals('True', '1')).toBe(true);
  });

  it('compares numbers numerically', () => {
    expect(valueEquals(3, '3')).toBe(true);
    expect(valueEquals(3, '3.0')).toBe(true);
    expect(valueEquals(3, '4')).toBe(false);
    expect(valueEquals(3, 'three')).toBe(false);
    expect(valueEquals(3, '')).toBe(false);
  });
});

describe('urlProblems', () => {
  const rule = (r: Record<string, unknown> = {}) => parse({ urls: { U: r } }).urls.U;

  it('requires https by default', () => {
    expect(urlProblems('https://app.acme.io', rule(), false)).toEqual([]);
    expect(urlProblems('http://app.acme.io', rule(), false)).toEqual(['uses http:// (https:// required)']);
    expect(urlProblems('http://app.acme.io', rule({ https: false }), false)).toEqual([]);
    expect(urlProblems('ftp://app.acme.io', rule({ https: false }), false)).toEqual(['uses ftp:// (expected http:// or https://)']);
  });

  it('accepts other schemes when protocols are listed', () => {
    expect(urlProblems('postgres://db.acme.io/app', rule({ protocols: ['postgres', 'postgresql'] }), true)).toEqual([]);
    expect(urlProblems('mysql://db.acme.io/app', rule({ protocols: ['postgres'] }), true)).toEqual(['uses mysql:// (expected postgres://)']);
  });

  it('rejects non-URLs, showing the value only when it is not secret', () => {
    expect(urlProblems('app.acme.io', rule(), false)).toEqual(['is "app.acme.io", which is not a valid absolute URL']);
    expect(urlProblems('app.acme.io', rule(), true)).toEqual(['is not a valid absolute URL']);
  });

  it('rejects local hosts only when asked', () => {
    for (const u of ['https://localhost:3000', 'https://127.0.0.1', 'https://[::1]:8443/x', 'https://0.0.0.0', 'https://api.localhost']) {
      expect(urlProblems(u, rule({ no_localhost: true }), false)[0]).toMatch(/a local address/);
      expect(urlProblems(u, rule(), false)).toEqual([]);
    }
  });

  it('rejects placeholder hosts by default', () => {
    expect(urlProblems('https://api.yourdomain.com', rule(), false)).toEqual(['points at api.yourdomain.com, a placeholder host']);
    expect(urlProblems('https://example.com', rule(), false)).toHaveLength(1);
    expect(urlProblems('https://example.com', rule({ no_placeholder_host: false }), false)).toEqual([]);
  });
});

describe('isSecretVariable', () => {
  it('uses the shared name patterns, the secrets list and known secret shapes', () => {
    const none = new Set<string>();
    expect(isSecretVariable('JWT_SECRET', 'x', none)).toBe(true);
    expect(isSecretVariable('DATABASE_URL', 'x', none)).toBe(true);
    expect(isSecretVariable('APP_ENV', 'production', none)).toBe(false);
    expect(isSecretVariable('SIGNING', 'x', new Set(['SIGNING']))).toBe(true);
    expect(isSecretVariable('STRIPE', 'sk_live_abcdefghijklmnop', none)).toBe(true);
    expect(isSecretVariable('UPSTREAM', 'https://user:pw@host/x', none)).toBe(true);
  });
});

describe('params', () => {
  it('rejects unknown keys, bad names, bad regexes and empty checks', () => {
    expect(params.safeParse({ required: ['A'], requird: ['B'] }).success).toBe(false);
    expect(params.safeParse({ required: ['${A}'] }).success).toBe(false);
    expect(params.safeParse({ matches: { A: '(' } }).success).toBe(false);
    expect(params.safeParse({}).success).toBe(false);
    expect(params.safeParse({ urls: { U: { htps: true } } }).success).toBe(false);
  });

  it('accepts lists or maps for urls and secrets, with defaults', () => {
    const p = parse({ urls: ['A'], secrets: { S: null, T: { min_length: '64' } } });
    expect(p.urls.A).toMatchObject({ https: true, no_localhost: false, no_placeholder_host: true });
    expect(p.secrets.S.min_length).toBe(32);
    expect(p.secrets.T.min_length).toBe(64);
    expect(parse({ secrets: ['X'] }).secrets.X.min_length).toBe(32);
  });
});

describe('evaluateEnvVars', () => {
  const env = {
    APP_ENV: 'production',
    DEBUG: 'False',
    LOG_LEVEL: 'info',
    JWT_ALGORITHM: 'RS256',
    FRONTEND_URL: 'https://app.acme.io',
    JWT_SECRET: STRONG,
    CSRF_SECRET: STRONG2,
    EMPTY: '',
  };

  it('passes when everything holds', () => {
    const v = evaluateEnvVars(
      parse({
        required: ['APP_ENV'],
        equals: { APP_ENV: 'production', DEBUG: false, JWT_ALGORITHM: 'RS256' },
        one_of: { LOG_LEVEL: ['info', 'warning'] },
        matches: { JWT_ALGORITHM: '^RS(256|384|512)$' },
        urls: { FRONTEND_URL: { https: true } },
        secrets: { JWT_SECRET: { min_length: 32 }, CSRF_SECRET: {} },
      }),
      env,
      'process environment',
    );
    expect(v.status).toBe('pass');
    expect(v.message).toBe('7 variables set as expected');
    expect(v.evidence?.actual).toMatchObject({ APP_ENV: 'production', JWT_SECRET: '(hidden, 32 characters)' });
    expect(JSON.stringify(v)).not.toContain(STRONG);
  });

  it('names missing and empty variables together', () => {
    const v = evaluateEnvVars(parse({ required: ['APP_ENV', 'DATABASE_URL', 'REDIS_URL', 'EMPTY'] }), env, 'process environment');
    expect(v.status).toBe('fail');
    expect(v.message).toBe('2 variables not set: DATABASE_URL, REDIS_URL; EMPTY is empty');
    expect(v.evidence?.details).toMatchObject({ missing: ['DATABASE_URL', 'REDIS_URL'], empty: ['EMPTY'] });
  });

  it('accepts empty values when allowed', () => {
    expect(evaluateEnvVars(parse({ required: ['EMPTY'], allow_empty: true }), env, 'x').status).toBe('pass');
  });

  it('shows the wrong value next to the expected one', () => {
    const v = evaluateEnvVars(
      parse({ equals: { APP_ENV: 'production', DEBUG: false }, one_of: { LOG_LEVEL: ['warning', 'error'] } }),
      { APP_ENV: 'staging', DEBUG: 'true', LOG_LEVEL: 'debug' },
      'process environment',
    );
    expect(v.status).toBe('fail');
    expect(v.message).toBe(
      'APP_ENV is "staging" (expected "production"); DEBUG is "true" (expected "false"); LOG_LEVEL is "debug" (expected one of warning, error)',
    );
    expect(v.evidence?.expected).toMatchObject({ APP_ENV: 'set and non-empty; equals production' });
    expect(v.evidence?.actual).toMatchObject({ APP_ENV: 'staging', DEBUG: 'true' });
  });

  it('reports a regex mismatch', () => {
    const v = evaluateEnvVars(parse({ matches: { JWT_ALGORITHM: '^RS\\d+$' } }), { JWT_ALGORITHM: 'HS256' }, 'process environment');
    expect(v.message).toBe('JWT_ALGORITHM is "HS256", which does not match /^RS\\d+$/');
  });

  it('treats a variable named in any rule as required', () => {
    const v = evaluateEnvVars(parse({ equals: { APP_ENV: 'production' } }), {}, 'process environment');
    expect(v.status).toBe('fail');
    expect(v.message).toBe('APP_ENV is not set');
  });

  it('never shows values of secret-looking variables, whatever the rule', () => {
    const planted = {
      DB_PASSWORD: 'hunter2-planted-pw',
      API_TOKEN: 'tok-planted-123',
      DATABASE_URL: 'http://app:s3cr3t-planted@localhost/app',
      SIGNING: 'changeme',
      JWT_SECRET: 'planted-short',
      SESSION_SECRET: 'planted-short',
    };
    const v = evaluateEnvVars(
      parse({
        equals: { DB_PASSWORD: 'other' },
        one_of: { API_TOKEN: ['a', 'b'] },
        matches: { DB_PASSWORD: '^x' },
        urls: { DATABASE_URL: { no_localhost: true } },
        secrets: { SIGNING: { min_length: 8 }, JWT_SECRET: {}, SESSION_SECRET: {} },
      }),
      planted,
      'process environment',
    );
    expect(v.status).toBe('fail');
    const text = JSON.stringify(v);
    for (const secret of [...Object.values(planted), 's3cr3t-planted', 'hunter2', 'tok-planted']) expect(text).not.toContain(secret);
    expect(v.message).toContain('DB_PASSWORD does not have the expected value (value hidden)');
    expect(v.message).toContain('API_TOKEN is not one of the 2 allowed values');
    expect(v.message).toContain('DATABASE_URL uses http:// (https:// required), and points at localhost');
    expect(v.message).toContain('SIGNING is a known placeholder');
    expect(v.message).toContain('JWT_SECRET is 13 characters long, shorter than the required 32');
    expect(v.message).toContain('JWT_SECRET is 13 characters long, shorter than the required 32, and has the same value as SESSION_SECRET');
  });

  it('hides a URL carrying a password even under a name that does not look secret', () => {
    const v = evaluateEnvVars(parse({ required: ['UPSTREAM'] }), { UPSTREAM: 'https://u:pw-planted@h.acme.io/' }, 'process environment');
    expect(v.status).toBe('pass');
    expect(v.evidence?.actual).toEqual({ UPSTREAM: '(set, hidden)' });
    expect(JSON.stringify(v)).not.toContain('pw-planted');
  });

  it('accepts a bare name (null) under urls and secrets with default rules', () => {
    const v = evaluateEnvVars(parse({ urls: { FRONTEND_URL: null }, secrets: { JWT_SECRET: null } }), { FRONTEND_URL: 'http://app.acme.io', JWT_SECRET: 'sk_test_4eC39HqLyjWDarjtT1zdp7dc' }, 'process environment');
    expect(v.message).toBe('FRONTEND_URL uses http:// (https:// required); JWT_SECRET is a known placeholder or default value, not a generated secret');
  });

  it('names the dotenv file it read', () => {
    const v = evaluateEnvVars(parse({ required: ['A'] }), {}, '.env.local');
    expect(v.message).toBe('A is not set (.env.local)');
    expect(v.evidence?.details).toMatchObject({ source: '.env.local' });
  });
});

describe('env.vars check (I/O)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'readiness-env-'));
    await writeFile(
      path.join(dir, '.env.local'),
      `# frontend\nNEXT_PUBLIC_API_URL=https://api.acme.io\nNEXT_PUBLIC_APP_URL="http://localhost:3000"\nexport SESSION_SECRET=changeme-planted\n`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads ctx.env by default', async () => {
    const v = await runCheck(check, { equals: { APP_ENV: 'production' } }, { env: { APP_ENV: 'production' } });
    expect(v.status).toBe('pass');
  });

  it('reads a dotenv file relative to the profile directory instead of the environment', async () => {
    const logs: string[] = [];
    const v = await runCheck(
      check,
      {
        file: '.env.local',
        required: ['NEXT_PUBLIC_API_URL'],
        urls: { NEXT_PUBLIC_APP_URL: { no_localhost: true } },
        secrets: ['SESSION_SECRET'],
      },
      { baseDir: dir, env: { NEXT_PUBLIC_API_URL: 'ignored' }, logs },
    );
    expect(v.status).toBe('fail');
    expect(v.message).toContain('NEXT_PUBLIC_APP_URL uses http:// (https:// required), and points at localhost');
    expect(v.message).toContain('SESSION_SECRET is a known placeholder');
    expect(v.message).toMatch(/\(\.env\.local\)$/);
    expect(v.evidence?.actual).toMatchObject({ NEXT_PUBLIC_API_URL: 'https://api.acme.io' });
    expect(JSON.stringify(v) + logs.join('\n')).not.toContain('changeme-planted');
  });

  it('fails when the dotenv file is missing', async () => {
    const v = await runCheck(check, { file: 'nope/.env', required: ['A'] }, { baseDir: dir });
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^nope\/\.env does not exist/);
  });

  it('errors when the dotenv file cannot be read', async () => {
    const v = await runCheck(check, { file: '.', required: ['A'] }, { baseDir: dir });
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/is a directory/);
  });

  it('errors (not fails) when the dotenv file is not readable', async () => {
    const file = path.join(dir, 'locked.env');
    await writeFile(file, 'A=1\n');
    await chmod(file, 0o000);
    const v = await runCheck(check, { file: 'locked.env', required: ['A'] }, { baseDir: dir });
    // root reads anything; everyone else gets "no permission".
    if (process.getuid?.() === 0) expect(v.status).toBe('pass');
    else expect(v).toMatchObject({ status: 'error', message: `no permission to read ${file}` });
  });
});
