// Connection parameters for the database checks: a URL (postgres://, sqlite:, file:) or separate
// fields, falling back to DATABASE_URL. Pure: params + env in → a target (or the reason there is none).
import path from 'node:path';
import { z } from 'zod';
import { intish } from '../params.js';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export const pgConnectionParams = {
  url: z
    .string()
    .optional()
    .describe('Connection URL, e.g. postgres://app:${DB_PASSWORD}@db:5432/app?sslmode=require. Default: the variable named by `url_env`'),
  url_env: z.string().min(1).default('DATABASE_URL').describe('Environment variable read when neither `url` nor `host` is given'),
  host: z.string().min(1).optional().describe('Host name (overrides the URL)'),
  port: intish().optional().describe('Port (default 5432)'),
  user: z.string().min(1).optional().describe('User name (default postgres)'),
  password: z.string().optional().describe('Password (never shown in any output)'),
  database: z.string().min(1).optional().describe('Database name (default: the user name)'),
  sslmode: z.enum(SSL_MODES).optional().describe('libpq sslmode: disable, allow, prefer (default), require, verify-ca, verify-full'),
  sslrootcert: z.string().min(1).optional().describe('CA certificate file (PEM) for verify-ca / verify-full, relative to the profile'),
};

export interface PgTarget {
  kind: 'postgres';
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  sslmode: SslMode;
  sslrootcert?: string;
  /** `user@host:port/database`, safe to show. */
  label: string;
}

export interface SqliteTarget {
  kind: 'sqlite';
  /** Absolute path of the database file. */
  path: string;
  label: string;
}

export type DbTarget = PgTarget | SqliteTarget;
export type TargetResult = { target: DbTarget; problem?: undefined } | { target?: undefined; problem: string };

export interface PgConnectionInput {
  url?: string;
  url_env: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  sslmode?: SslMode;
  sslrootcert?: string;
}

/** `sqlite:///rel.db` (SQLAlchemy: relative), `sqlite:////abs.db`, `sqlite:rel.db`, `file:./dev.db` → a path. */
export function sqlitePathFromUrl(url: string): string | undefined {
  let rest: string;
  if (/^sqlite:/i.test(url)) {
    rest = url.replace(/^sqlite:/i, '');
    if (rest.startsWith('///')) rest = rest.slice(3);
    else if (rest.startsWith('//')) rest = rest.slice(2);
  } else if (/^file:/i.test(url)) {
    rest = url.replace(/^file:/i, '');
    if (rest.startsWith('//')) rest = rest.slice(2);
  } else {
    return undefined;
  }
  rest = decodeURIComponent(rest.replace(/\?.*$/, ''));
  return rest === '' || rest === ':memory:' ? undefined : rest;
}

export function isSqliteUrl(url: string): boolean {
  return /^(sqlite|file):/i.test(url.trim());
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Resolves the connection target of a database check. Never puts the password into `problem`. */
export function resolveDbTarget(
  params: PgConnectionInput,
  env: Readonly<Record<string, string | undefined>>,
  baseDir: string,
  defaultSslMode: SslMode = 'prefer',
): TargetResult {
  let url: string | undefined;
  if (params.url !== undefined) {
    url = params.url.trim();
    if (!url && !params.host) return { problem: `url is empty (is ${params.url_env} set?)` };
  } else if (!params.host) {
    url = env[params.url_env]?.trim();
    if (!url) return { problem: `${params.url_env} is not set (and no url or host was given)` };
  }

  let host = 'localhost';
  let port = 5432;
  let user = 'postgres';
  let password: string | undefined;
  let database: string | undefined;
  let sslmode: SslMode | undefined;
  let sslrootcert: string | undefined;

  if (url) {
    if (isSqliteUrl(url)) {
      const file = sqlitePathFromUrl(url);
      if (!file) return { problem: 'the sqlite URL names no database file (in-memory databases cannot be checked)' };
      const abs = path.resolve(baseDir, file);
      return { target: { kind: 'sqlite', path: abs, label: abs } };
    }
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
    if (scheme !== 'postgres' && scheme !== 'postgresql') {
      return { problem: scheme ? `unsupported URL scheme "${scheme}:" (expected postgres://, postgresql://, sqlite: or file:)` : 'url is not a connection URL (expected postgres://user@host:5432/db)' };
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { problem: 'url is not a valid connection URL (expected postgres://user:password@host:5432/db)' };
    }
    if (parsed.hostname) host = decode(parsed.hostname).replace(/^\[(.*)\]$/, '$1');
    if (parsed.port) port = Number(parsed.port);
    if (parsed.username) user = decode(parsed.username);
    if (parsed.password) password = decode(parsed.password);
    const db = decode(parsed.pathname.replace(/^\//, ''));
    if (db) database = db;
    const q = parsed.searchParams;
    if (q.get('host')) host = q.get('host')!;
    if (q.get('port')) port = Number(q.get('port'));
    if (q.get('user')) user = q.get('user')!;
    if (q.get('password')) password = q.get('password')!;
    if (q.get('dbname')) database = q.get('dbname')!;
    const mode = q.get('sslmode');
    if (mode) {
      if (!(SSL_MODES as readonly string[]).includes(mode)) return { problem: `unknown sslmode "${mode}" in url (expected ${SSL_MODES.join(', ')})` };
      sslmode = mode as SslMode;
    } else if (q.get('ssl') === 'true' || q.get('ssl') === '1') {
      sslmode = 'require';
    }
    if (q.get('sslrootcert')) sslrootcert = q.get('sslrootcert')!;
  }
  if (params.host) host = params.host;
  if (params.port !== undefined) port = params.port;
  if (params.user) user = params.user;
  if (params.password !== undefined) password = params.password;
  if (params.database) database = params.database;
  if (params.sslmode) sslmode = params.sslmode;
  if (params.sslrootcert) sslrootcert = params.sslrootcert;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return { problem: `port ${port} is not a valid port` };
  database ??= user;

  return {
    target: {
      kind: 'postgres',
      host,
      port,
      user,
      password: password === '' ? undefined : password,
      database,
      sslmode: sslmode ?? defaultSslMode,
      sslrootcert: sslrootcert ? path.resolve(baseDir, sslrootcert) : undefined,
      label: `${user}@${host.includes(':') ? `[${host}]` : host}:${port}/${database}`,
    },
  };
}

export const sqliteFileParams = {
  path: z.string().optional().describe('SQLite database file, relative to the profile; or give `url`'),
  url: z.string().optional().describe('sqlite:///relative.db, sqlite:////absolute.db or file:./dev.db. Default: the variable named by `url_env`'),
  url_env: z.string().min(1).default('DATABASE_URL').describe('Environment variable read when neither `path` nor `url` is given'),
};

export function resolveSqliteTarget(
  params: { path?: string; url?: string; url_env: string },
  env: Readonly<Record<string, string | undefined>>,
  baseDir: string,
): { target: SqliteTarget; problem?: undefined } | { target?: undefined; problem: string } {
  if (params.path !== undefined) {
    if (!params.path.trim()) return { problem: 'path is empty' };
    const abs = path.resolve(baseDir, params.path.trim());
    return { target: { kind: 'sqlite', path: abs, label: abs } };
  }
  const url = params.url !== undefined ? params.url.trim() : env[params.url_env]?.trim();
  if (!url) {
    return { problem: params.url !== undefined ? `url is empty (is ${params.url_env} set?)` : `${params.url_env} is not set (and no path or url was given)` };
  }
  if (!isSqliteUrl(url)) return { problem: 'not an SQLite URL (expected sqlite:///file.db or file:./file.db); use the postgres.* checks for PostgreSQL' };
  const file = sqlitePathFromUrl(url);
  if (!file) return { problem: 'the sqlite URL names no database file (in-memory databases cannot be checked)' };
  const abs = path.resolve(baseDir, file);
  return { target: { kind: 'sqlite', path: abs, label: abs } };
}
