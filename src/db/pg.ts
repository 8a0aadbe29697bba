// Thin PostgreSQL I/O for the postgres.* checks: one connection per check, every query inside a
// READ ONLY transaction with statement_timeout, the abort signal honoured, the connection always closed.
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import type pg from 'pg';
import type { CheckLogger, Evidence, Verdict, VerdictStatus } from '../check.js';
import { formatMs, scrub } from './compare.js';
import type { PgTarget, SslMode } from './target.js';
import { untilAborted } from '../abort.js';
import { loadPg } from '../sdk.js';
import { authRejected, failureVerdict, networkFailure, timeoutFailure, type Failure, type FailureContext, type FailureKind } from '../net/failure.js';

export interface PgSessionOptions {
  timeoutMs: number;
  signal: AbortSignal;
  log: CheckLogger;
}

export interface PgConnectionInfo {
  /** Time to connect and authenticate. */
  connectMs: number;
  /** Negotiated TLS, when the connection is encrypted. */
  tls?: { protocol: string | null; cipher?: string };
}

export type PgQuery = <R extends Record<string, unknown> = Record<string, unknown>>(sql: string, values?: unknown[]) => Promise<R[]>;

/** Thrown by the session with a plain sentence as message (no password, no stack). */
export class DbCheckError extends Error {
  constructor(
    message: string,
    readonly kind: 'connect' | 'auth' | 'tls' | 'timeout' | 'query' | 'config' | 'missing' | 'denied' = 'connect',
    /** What to do about this particular failure (overrides the type's generic remediation). */
    readonly remediation?: string,
    /** The shared failure (src/net/failure.ts) when this is one: its kind decides the status. */
    readonly failure?: Failure,
  ) {
    super(message);
  }

  /** A DbCheckError carrying a shared Failure (its message and advice; the password scrubbed). */
  static of(f: Failure, secrets: Array<string | undefined> = []): DbCheckError {
    const message = scrub(f.message, secrets);
    return new DbCheckError(message, FAILURE_KINDS[f.kind], f.remediation, { ...f, message });
  }
}

const FAILURE_KINDS: Record<FailureKind, DbCheckError['kind']> = {
  dns: 'connect', refused: 'connect', reset: 'connect', unreachable: 'connect', protocol: 'connect', 'http-status': 'connect',
  timeout: 'timeout',
  'tls-untrusted': 'tls', 'tls-hostname': 'tls', 'tls-expired': 'tls', 'tls-not-yet-valid': 'tls', 'tls-handshake': 'tls',
  'auth-rejected': 'auth', forbidden: 'denied',
};

/**
 * A verdict for a DbCheckError: its plain message, its specific remediation, and where it happened. A shared
 * failure takes its status from the one rule (failureStatus) and adds its facts to the evidence.
 */
export function dbErrorVerdict(status: VerdictStatus, err: DbCheckError, details?: Record<string, unknown>): Verdict {
  const shared = err.failure ? failureVerdict(err.failure) : undefined;
  const all = { ...(details ?? {}), ...(shared?.evidence?.details ?? {}) };
  const evidence: Evidence | undefined = details || shared ? { details: Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) } : undefined;
  const verdict: Verdict = { status: shared ? shared.status : status, message: err.message };
  if (evidence) verdict.evidence = evidence;
  if (err.remediation) verdict.remediation = err.remediation;
  return verdict;
}

function sslOptions(target: PgTarget, mode: SslMode): false | Record<string, unknown> {
  if (mode === 'disable') return false;
  const opts: Record<string, unknown> = { rejectUnauthorized: mode === 'verify-ca' || mode === 'verify-full' };
  if (target.sslrootcert) {
    try {
      opts.ca = readFileSync(target.sslrootcert, 'utf8');
    } catch {
      throw new DbCheckError(`cannot read sslrootcert file ${target.sslrootcert}`, 'config');
    }
  }
  if (mode === 'verify-ca') opts.checkServerIdentity = () => undefined;
  return opts;
}

const NO_SSL = /does not support SSL/i;

/** A plain sentence for a failure of pg (pure: tested without a server). */
export function describePgError(err: unknown, target: PgTarget, timeoutMs: number, aborted = false, phase: 'connect' | 'query' = 'connect'): DbCheckError {
  if (err instanceof DbCheckError) return err;
  const e = err as { code?: string; message?: string; severity?: string };
  const where = `${target.host}:${target.port}`;
  const message = String(e?.message ?? err);
  const secrets = [target.password];
  const plain = (text: string, kind: DbCheckError['kind'], remedy?: string) => new DbCheckError(scrub(text, secrets), kind, remedy);
  const ctx: FailureContext = { where, host: target.host, stage: phase === 'connect' ? 'connect' : 'query', timeoutMs, aborted };
  const shared = (f: Failure) => DbCheckError.of(f, secrets);
  const reach = `Make sure PostgreSQL runs on ${where} and accepts TCP connections from this host (listen_addresses, firewall, security group), or fix host/port in the URL.`;
  // PostgreSQL's own codes first (57014 reads "…statement timeout" but is the server's answer, not a hang).
  if (e?.code === '57014') return plain(`a query was cancelled after statement_timeout (${formatMs(timeoutMs)})`, 'timeout', 'The query is too slow for the check\'s timeout: narrow it, or raise the check\'s timeout.');
  if (aborted || /timeout|timed out/i.test(message)) return shared(timeoutFailure(ctx));
  const badPassword = `Check the password for user "${target.user}" in the connection URL (or the password field): the server rejected it. Percent-encode special characters in URLs (@ → %40, # → %23).`;
  const firstLine = message.split('\n')[0];
  switch (e?.code) {
    case 'ENOENT': return plain(`no PostgreSQL socket at ${target.host} (port ${target.port})`, 'connect', reach);
    case '28P01': return shared(authRejected(ctx, '28P01', `${where} rejected the password of user "${target.user}" (28P01)`, badPassword));
    case '28000':
      // "role … does not exist" shares 28000 with a missing pg_hba.conf entry: the fixes differ.
      if (/role .* does not exist/i.test(message)) {
        return shared(authRejected(ctx, '28000', `${where} rejected user "${target.user}": role "${target.user}" does not exist (28000)`, `Create the role (CREATE ROLE "${target.user}" LOGIN PASSWORD '…') or fix the user name in the URL.`));
      }
      return shared(authRejected(ctx, '28000', `${where} rejected the connection of user "${target.user}" to database "${target.database}" (28000): ${firstLine}`,
        `The server's pg_hba.conf has no entry letting user "${target.user}" connect to database "${target.database}" from this host${target.sslmode === 'disable' ? ' without TLS' : ''}: add one (or connect with the TLS mode it requires) and reload.`));
    case '3D000': return shared(authRejected(ctx, '3D000', `database "${target.database}" does not exist on ${where} (3D000)`, `Fix the database name in the URL, or create the database (createdb ${target.database}) and run the migrations.`));
    case '42P01': case '42703': case '3F000': return plain(message, 'missing', 'Run the migrations against this database, or fix the table/column/schema name in the profile.');
  }
  const net = networkFailure(err, ctx);
  if (net) {
    // The certificate advice in PostgreSQL's own terms (sslrootcert, sslmode).
    if (net.kind === 'tls-untrusted' || net.kind === 'tls-hostname' || net.kind === 'tls-expired' || net.kind === 'tls-not-yet-valid') {
      return shared({ ...net, message: `${net.message.replace(/\)$/, `, sslmode=${target.sslmode})`)}`,
        remediation: 'Give the CA that signed the server certificate as sslrootcert (managed services publish theirs), renew an expired certificate, or connect with the host name the certificate names.' });
    }
    return shared(net);
  }
  if (NO_SSL.test(message)) {
    return plain(`server at ${where} refused TLS (sslmode=${target.sslmode})`, 'tls',
      'Turn on ssl in postgresql.conf (ssl = on with ssl_cert_file and ssl_key_file) and reload; managed services: enable TLS / force SSL in the instance settings.');
  }
  if (/client password must be a string|password must be a string|no password/i.test(message)) {
    return shared(authRejected(ctx, 'no-password', `${where} asks for a password for user "${target.user}" but none was configured`,
      `Put the password of "${target.user}" into DATABASE_URL (postgres://${target.user}:PASSWORD@…) or the password field, e.g. password: \${DB_PASSWORD}.`));
  }
  if (/terminated unexpectedly|Connection terminated/i.test(message)) return plain(`server at ${where} closed the connection unexpectedly`, 'connect', `Check the server log of ${where}: it may be restarting, out of connections, or something else listens on that port.`);
  return plain(e?.severity ? firstLine : `${firstLine} (${where})`, phase === 'query' ? 'query' : 'connect');
}

async function connectOnce(target: PgTarget, mode: SslMode, opts: PgSessionOptions): Promise<pg.Client> {
  const { Client } = await loadPg();
  const client = new Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    ssl: sslOptions(target, mode) as pg.ClientConfig['ssl'],
    connectionTimeoutMillis: opts.timeoutMs,
    query_timeout: opts.timeoutMs,
    application_name: 'readiness',
  });
  client.on('error', () => {}); // errors surface through the awaited calls
  const kill = () => destroy(client);
  opts.signal.addEventListener('abort', kill, { once: true });
  try {
    await untilAborted(client.connect(), opts.signal, abortedByTimeout);
    return client;
  } catch (err) {
    destroy(client);
    throw err;
  } finally {
    opts.signal.removeEventListener('abort', kill);
  }
}

function destroy(client: pg.Client): void {
  try {
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  } catch {
    /* already gone */
  }
  client.end().catch(() => {});
}


/**
 * Opens one connection, starts a READ ONLY transaction with statement_timeout, runs `fn`, rolls back
 * and closes. Errors come out as DbCheckError with a plain message.
 */
export async function withReadOnlyPg<T>(target: PgTarget, opts: PgSessionOptions, fn: (query: PgQuery, info: PgConnectionInfo) => Promise<T>): Promise<T> {
  const started = performance.now();
  let client: pg.Client;
  let phase: 'connect' | 'query' = 'connect';
  try {
    try {
      client = await connectOnce(target, target.sslmode, opts);
    } catch (err) {
      if ((target.sslmode === 'prefer' || target.sslmode === 'allow') && NO_SSL.test(String((err as Error)?.message))) {
        opts.log.debug(`postgres: ${target.label} does not offer TLS, connecting without it (sslmode=${target.sslmode})`);
        client = await connectOnce(target, 'disable', opts);
      } else {
        throw err;
      }
    }
  } catch (err) {
    throw describePgError(err, target, opts.timeoutMs, opts.signal.aborted, phase);
  }
  const connectMs = performance.now() - started;
  const stream = (client as unknown as { connection?: { stream?: TLSSocket } }).connection?.stream;
  const tls = stream && typeof stream.getProtocol === 'function' ? { protocol: stream.getProtocol(), cipher: stream.getCipher?.()?.name } : undefined;
  opts.log.debug(`postgres: connected to ${target.label} in ${formatMs(connectMs)}${tls ? ` over ${tls.protocol}` : ' without TLS'}`);

  const kill = () => destroy(client);
  opts.signal.addEventListener('abort', kill, { once: true });
  phase = 'query';
  try {
    const query: PgQuery = async (sql, values) => {
      const result = await untilAborted(client.query(sql, values as unknown[]), opts.signal, abortedByTimeout);
      return result.rows;
    };
    await query('BEGIN TRANSACTION READ ONLY');
    await query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(opts.timeoutMs))}`);
    const value = await fn(query, { connectMs, tls });
    await query('ROLLBACK').catch(() => {});
    return value;
  } catch (err) {
    throw describePgError(err, target, opts.timeoutMs, opts.signal.aborted, phase);
  } finally {
    opts.signal.removeEventListener('abort', kill);
    await Promise.race([client.end().catch(() => {}), new Promise((r) => setTimeout(r, 500).unref())]);
    destroy(client);
  }
}

/** The classifier reads this message as a timeout (the check's deadline is what aborts). */
const abortedByTimeout = () => new Error('aborted: timeout');
