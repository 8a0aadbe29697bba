// Redis connection parameters (url or fields, falling back to REDIS_URL / REDIS_HOST…) and a thin,
// read-only ioredis session: no retries, no offline queue, no CLIENT SETINFO, a timeout on everything.
import { isIP } from 'node:net';
import { z } from 'zod';
import type { CheckLogger } from '../check.js';
import { boolish, intish } from '../params.js';
import { scrub } from './compare.js';
import { DbCheckError } from './pg.js';
import { untilAborted } from '../abort.js';
import { loadRedis } from '../sdk.js';
import { authRejected, networkFailure, timeoutFailure, type Failure, type FailureContext, type Stage } from '../net/failure.js';

export const redisConnectionParams = {
  url: z
    .string()
    .optional()
    .describe('redis://[user:password@]host:6379/0, or rediss:// for TLS. Default: REDIS_URL, else REDIS_HOST / REDIS_PORT / REDIS_USERNAME / REDIS_PASSWORD'),
  host: z.string().min(1).optional().describe('Host name (overrides the URL)'),
  port: intish().optional().describe('Port (default 6379)'),
  username: z.string().min(1).optional().describe('ACL user name (Redis 6+)'),
  password: z.string().optional().describe('Password (never shown in any output)'),
  tls: boolish().optional().describe('Connect with TLS (rediss:// implies it)'),
  db: intish().optional().describe('Database number (default 0)'),
};

export interface RedisTarget {
  host: string;
  port: number;
  username?: string;
  password?: string;
  tls: boolean;
  db: number;
  /** `host:port`, safe to show. */
  label: string;
}

export interface RedisConnectionInput {
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  tls?: boolean;
  db?: number;
}

export function resolveRedisTarget(
  params: RedisConnectionInput,
  env: Readonly<Record<string, string | undefined>>,
): { target: RedisTarget; problem?: undefined } | { target?: undefined; problem: string } {
  let host = '127.0.0.1';
  let port = 6379;
  let username: string | undefined;
  let password: string | undefined;
  let tls = false;
  let db = 0;
  let url: string | undefined;
  if (params.url !== undefined) {
    url = params.url.trim();
    if (!url && !params.host) return { problem: 'url is empty (is REDIS_URL set?)' };
  } else if (!params.host) {
    url = env.REDIS_URL?.trim();
    if (!url) {
      if (!env.REDIS_HOST?.trim()) return { problem: 'neither REDIS_URL nor REDIS_HOST is set (and no url or host was given)' };
      host = env.REDIS_HOST.trim();
      if (env.REDIS_PORT?.trim()) port = Number(env.REDIS_PORT.trim());
      if (env.REDIS_USERNAME) username = env.REDIS_USERNAME;
      if (env.REDIS_PASSWORD) password = env.REDIS_PASSWORD;
    }
  }
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { problem: 'url is not a valid Redis URL (expected redis://[user:password@]host:6379/0)' };
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      return { problem: `unsupported URL scheme "${parsed.protocol}" (expected redis:// or rediss://)` };
    }
    tls = parsed.protocol === 'rediss:';
    if (parsed.hostname) host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    if (parsed.port) port = Number(parsed.port);
    if (parsed.username) username = decodeURIComponent(parsed.username);
    if (parsed.password) password = decodeURIComponent(parsed.password);
    const dbText = parsed.pathname.replace(/^\//, '');
    if (dbText) {
      if (!/^\d+$/.test(dbText)) return { problem: `database "${dbText}" in url is not a number` };
      db = Number(dbText);
    }
  }
  if (params.host) host = params.host;
  if (params.port !== undefined) port = params.port;
  if (params.username) username = params.username;
  if (params.password !== undefined) password = params.password;
  if (params.tls !== undefined) tls = params.tls;
  if (params.db !== undefined) db = params.db;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return { problem: `port ${port} is not a valid port` };
  return {
    target: { host, port, username, password: password || undefined, tls, db, label: `${host.includes(':') ? `[${host}]` : host}:${port}` },
  };
}

export type RedisCall = (command: string, ...args: (string | number)[]) => Promise<unknown>;

export interface RedisSessionOptions {
  timeoutMs: number;
  signal: AbortSignal;
  log: CheckLogger;
  /** Credentials to AUTH with: the target's (default), none, or others (a deliberately wrong password). */
  auth?: 'target' | 'none' | { username?: string; password: string };
}

/**
 * A plain sentence for a Redis failure (pure). Reaching the server (refused, DNS, reset, timeout, TLS) is the
 * shared vocabulary of src/net/failure.ts; only Redis's own answers (NOAUTH, WRONGPASS, DENIED, NOPERM…) are
 * worded here.
 */
export function describeRedisError(err: unknown, target: RedisTarget, timeoutMs: number, aborted = false, extraSecrets: string[] = [], stage?: Stage): DbCheckError {
  if (err instanceof DbCheckError) return err;
  const e = err as { code?: string; message?: string };
  const message = String(e?.message ?? err).split('\n')[0];
  const secrets = [target.password, ...extraSecrets];
  const plain = (text: string, kind: DbCheckError['kind'], remedy?: string) => new DbCheckError(scrub(text, secrets), kind, remedy);
  const shared = (f: Failure) => DbCheckError.of(f, secrets);
  const where = target.label;
  const ctx: FailureContext = { where, host: target.host, ...(stage ? { stage } : {}), timeoutMs, aborted };
  const reach = `Make sure redis-server runs on ${where} and accepts connections from this host (bind, protected-mode, firewall, security group), or fix host/port in REDIS_URL.`;
  // ioredis reports its own deadlines without a code ("Command timed out").
  if (aborted || /timed out|timeout/i.test(message)) return shared(timeoutFailure(ctx));
  const net = networkFailure(err, ctx);
  // A TLS-only server closes plain connections.
  if (net) return shared(net.kind === 'reset' && !target.tls ? { ...net, remediation: `${net.remediation} A TLS-only server closes plain connections: try rediss://.` } : net);
  if (/^NOAUTH/.test(message)) {
    return shared(authRejected(ctx, 'NOAUTH', `Redis at ${where} requires a password (NOAUTH) but none was configured`,
      'Give the password the application uses: REDIS_URL=redis://:PASSWORD@host:6379 (or REDIS_PASSWORD, or the password field, e.g. password: ${REDIS_PASSWORD}).'));
  }
  if (/^WRONGPASS/.test(message) || /invalid password/i.test(message)) {
    return shared(authRejected(ctx, 'WRONGPASS', `${where} rejected the password of user "${target.username ?? 'default'}" (WRONGPASS)`,
      `Check the password${target.username ? ` of ACL user "${target.username}"` : ''} in REDIS_URL / REDIS_PASSWORD against requirepass (or the ACL user) on the server; percent-encode special characters in URLs.`));
  }
  if (/called without any password configured/i.test(message)) {
    return shared(authRejected(ctx, 'AUTH', `Redis at ${where} has no password set, but a password was configured (AUTH refused)`,
      'Either the wrong server is configured, or this Redis runs without requirepass: set requirepass (or ACL users) on the server.'));
  }
  if (/^DENIED/.test(message)) {
    return shared(authRejected(ctx, 'DENIED', `Redis at ${where} refused the client (protected mode: no password set and not a loopback connection) (DENIED)`,
      'Set a password on the server (requirepass or ACL users) rather than turning protected-mode off.'));
  }
  if (/^NOPERM/.test(message)) return plain(message, 'denied', `Grant the ACL user${target.username ? ` "${target.username}"` : ''} the commands this check needs, or run the check with a user that may read them.`);
  if (/unknown command/i.test(message)) return plain(message, 'denied', 'The command is disabled or renamed on this server (rename-command, managed service): verify this setting in the provider\'s console.');
  if (/CERT|certificate|SSL|TLS/i.test(message) || /^ERR_TLS|^ERR_SSL/.test(e?.code ?? '')) {
    return plain(`TLS to ${where} failed: ${message}`, 'tls', 'Use rediss:// only when the server speaks TLS, and make sure its certificate is valid for this host name and signed by a trusted CA (NODE_EXTRA_CA_CERTS).');
  }
  if (/Connection is closed|ECONNRESET|socket closed/i.test(message)) {
    return plain(`Redis at ${where} closed the connection`, 'connect', `${reach} A TLS-only server closes plain connections: try rediss://.`);
  }
  return plain(`${message} (${where})`, 'query');
}


/** Opens one connection, AUTHs as asked, runs `fn`, disconnects. Errors come out as DbCheckError. */
export async function withRedis<T>(target: RedisTarget, opts: RedisSessionOptions, fn: (call: RedisCall) => Promise<T>): Promise<T> {
  const auth = opts.auth ?? 'target';
  const creds = auth === 'none' ? undefined : auth === 'target' ? (target.password ? { username: target.username, password: target.password } : undefined) : auth;
  const extraSecrets = auth !== 'none' && auth !== 'target' ? [auth.password] : [];
  const Redis = await loadRedis();
  const client = new Redis({
    host: target.host,
    port: target.port,
    // SNI only for host names: Node warns (DEP0123) when servername is an IP address.
    tls: target.tls ? (isIP(target.host) ? {} : { servername: target.host }) : undefined,
    lazyConnect: true,
    protocol: 2,
    disableClientInfo: true,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    autoResubscribe: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    connectTimeout: opts.timeoutMs,
    commandTimeout: opts.timeoutMs,
  });
  let lastError: unknown;
  client.on('error', (err) => { lastError = err; });
  const kill = () => client.disconnect();
  opts.signal.addEventListener('abort', kill, { once: true });
  let connected = false;
  let stage: Stage = 'connect';
  try {
    await untilAborted(client.connect(), opts.signal, abortedByTimeout);
    connected = true;
    const call: RedisCall = (command, ...args) => untilAborted(client.call(command, ...args), opts.signal, abortedByTimeout);
    stage = 'auth';
    if (creds) await (creds.username ? call('AUTH', creds.username, creds.password) : call('AUTH', creds.password));
    stage = 'response';
    if (target.db) await call('SELECT', target.db);
    return await fn(call);
  } catch (err) {
    const cause = !connected && lastError ? lastError : err;
    throw describeRedisError(cause, target, opts.timeoutMs, opts.signal.aborted, extraSecrets, stage);
  } finally {
    opts.signal.removeEventListener('abort', kill);
    client.disconnect();
  }
}

/** `INFO` text → key/value pairs. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/** The classifier reads this message as a timeout (the check's deadline is what aborts). */
const abortedByTimeout = () => new Error('aborted: timeout');
