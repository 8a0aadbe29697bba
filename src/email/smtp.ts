// One SMTP session helper for email.smtp, email.send and email.templates: connect (implicit TLS or
// STARTTLS), look at the certificate, AUTH with the configured credentials (forced even when the server
// does not advertise AUTH, unlike nodemailer's verify()), optionally send, then QUIT.
// It gathers facts; the checks decide. Every failure is classified so "refused", "timed out", "TLS
// failed", "no STARTTLS" and "535 auth rejected" read differently.
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import { formatDuration } from '../duration.js';
import { loadSmtpConnection } from '../sdk.js';
import { scrub } from './redact.js';

export type SmtpFailureKind =
  | 'refused'
  | 'dns'
  | 'timeout'
  | 'greeting-timeout'
  | 'tls'
  | 'certificate'
  | 'no-starttls'
  | 'plaintext'
  | 'auth-rejected'
  | 'auth-unavailable'
  | 'send-rejected'
  | 'closed'
  | 'protocol';

export interface SmtpFailure {
  kind: SmtpFailureKind;
  /** One plain sentence, secrets removed. */
  message: string;
  /** The server's reply, when there was one (e.g. `535 5.7.8 Authentication failed`). */
  response?: string;
  /** SMTP stage: CONN, EHLO, STARTTLS, AUTH PLAIN, MAIL FROM, ... */
  command?: string;
}

export interface SmtpTlsFacts {
  protocol?: string;
  authorized: boolean;
  /** OpenSSL / Node code: DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID ... */
  authorizationError?: string;
  subject?: string;
  issuer?: string;
  validTo?: string;
  daysLeft?: number;
}

export interface SmtpSessionFacts {
  host: string;
  port: number;
  /** How the session ended up encrypted. */
  tlsMode: 'implicit' | 'starttls' | 'none';
  tls?: SmtpTlsFacts;
  /** AUTH was in the server's last EHLO reply (the encrypted one when TLS was reached). */
  authAdvertised: boolean;
  /** Every mechanism that reply named, as the server spelled them (upper-cased), not only those nodemailer can use. */
  authMethods: string[];
  /** Which EHLO reply the two fields above come from; absent when no EHLO was answered (HELO fallback, no greeting). */
  authAdvertisedIn?: 'tls' | 'plaintext';
  /** Undefined when AUTH was not attempted. */
  authenticated?: boolean;
  failure?: SmtpFailure;
  durationMs: number;
}

export interface SmtpOptions {
  host: string;
  port: number;
  /** Implicit TLS (port 465 style). */
  secure: boolean;
  /** Without implicit TLS: insist on STARTTLS (true) or take what the server offers (false). */
  requireStartTls: boolean;
  /** Refuse to continue (and to send credentials) when the certificate does not verify. */
  verifyCertificate: boolean;
  /** PEM of extra CA certificates to trust (a private CA). */
  ca?: string;
  servername?: string;
  username?: string;
  password?: string;
  /** EHLO name. */
  clientName?: string;
  timeoutMs: number;
  greetingTimeoutMs: number;
  signal: AbortSignal;
}

/** Something to do once connected and authenticated (send a message); its errors are classified too. */
export type SmtpAction<T> = (conn: SMTPConnection) => Promise<T>;

interface NodemailerError extends Error {
  code?: string;
  originalCode?: string;
  errno?: string;
  timeoutType?: string;
  response?: string;
  responseCode?: number;
  command?: string;
}

const where = (host: string, port: number) => `${host}:${port}`;

/** Maps a nodemailer SMTPConnection error to a failure kind and a sentence. Pure: tested without I/O. */
export function classifySmtpError(err: unknown, ctx: { host: string; port: number; timeoutMs: number; greetingTimeoutMs: number; username?: string }): SmtpFailure {
  const e = (err ?? {}) as NodemailerError;
  const at = where(ctx.host, ctx.port);
  const response = typeof e.response === 'string' ? e.response.trim().split(/\r?\n/).pop() : undefined;
  const command = e.command;
  const raw = String(e.message ?? err ?? 'unknown error');
  const sys = e.originalCode ?? e.errno ?? (e.code && /^E[A-Z]+$/.test(e.code) && !['ECONNECTION', 'ETIMEDOUT', 'ETLS', 'EAUTH', 'EPROTOCOL', 'EENVELOPE', 'EMESSAGE', 'ESOCKET', 'EDNS'].includes(e.code) ? e.code : undefined);
  const withResponse = (s: string) => (response ? `${s} (${response})` : s);

  if (sys === 'ECONNREFUSED' || /ECONNREFUSED/.test(raw)) return { kind: 'refused', message: `connection refused at ${at}`, command };
  if (e.code === 'EDNS' || sys === 'ENOTFOUND' || sys === 'EAI_AGAIN') return { kind: 'dns', message: `cannot resolve host "${ctx.host}"`, command };
  if (sys === 'EHOSTUNREACH' || sys === 'ENETUNREACH') return { kind: 'refused', message: `host ${ctx.host} is unreachable`, command };
  if (e.code === 'ETIMEDOUT' || sys === 'ETIMEDOUT') {
    switch (e.timeoutType) {
      case 'GREETING_TIMEOUT':
        return { kind: 'greeting-timeout', message: `server at ${at} accepted the connection but sent no greeting within ${formatDuration(ctx.greetingTimeoutMs)}`, command };
      case 'UPGRADE_TIMEOUT':
        return { kind: 'tls', message: `TLS handshake with ${at} timed out after ${formatDuration(ctx.greetingTimeoutMs)}`, command };
      case 'SOCKET_TIMEOUT':
        return { kind: 'timeout', message: `server at ${at} stopped answering${command ? ` during ${command}` : ''} (timed out after ${formatDuration(ctx.timeoutMs)})`, command };
      default:
        return { kind: 'timeout', message: `connection to ${at} timed out after ${formatDuration(ctx.timeoutMs)}`, command };
    }
  }
  if (e.code === 'ETLS' && command === 'STARTTLS' && e.responseCode) {
    return { kind: 'no-starttls', message: `server at ${at} refused STARTTLS: ${response}`, response, command };
  }
  if (/SSL routines|ssl3_|tls_/i.test(raw)) {
    const reason = /:([a-z0-9 _-]+):[^:]*:\d+:?\s*$/i.exec(raw)?.[1]?.trim() ?? raw.split('\n')[0];
    const hint = /wrong version number|packet length too long|unknown protocol/i.test(raw) ? ' — the server does not speak TLS on this port' : '';
    return { kind: 'tls', message: `TLS handshake with ${at} failed: ${reason}${hint}`, command };
  }
  if (e.code === 'ETLS') {
    const detail = raw.replace(/^Error initiating TLS - /, '').split('\n')[0];
    return { kind: 'tls', message: `TLS handshake with ${at} failed: ${detail}`, command };
  }
  if (e.code === 'EAUTH') {
    const user = ctx.username ? ` for user "${ctx.username}"` : '';
    if (e.responseCode === 535 || e.responseCode === 534) {
      return { kind: 'auth-rejected', message: withResponse(`authentication rejected${user}`), response, command };
    }
    if (e.responseCode && [500, 502, 503, 504].includes(e.responseCode)) {
      return { kind: 'auth-unavailable', message: withResponse(`server does not accept AUTH${user}`), response, command };
    }
    if (/Missing credentials/i.test(raw)) return { kind: 'auth-rejected', message: `no credentials given for AUTH${user}`, command };
    return { kind: 'auth-rejected', message: withResponse(`authentication failed${user}`), response, command };
  }
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') {
    return { kind: 'send-rejected', message: withResponse(`server refused the message at ${command ?? 'DATA'}`), response, command };
  }
  if (e.code === 'EPROTOCOL') return { kind: 'protocol', message: withResponse(`unexpected reply from ${at}${command ? ` to ${command}` : ''}`), response, command };
  if (/closed unexpectedly|socket hang up|ECONNRESET/i.test(raw) || sys === 'ECONNRESET') {
    return { kind: 'closed', message: withResponse(`server at ${at} closed the connection${command && command !== 'CONN' ? ` after ${command}` : ''}`), response, command };
  }
  return { kind: 'protocol', message: withResponse(`SMTP session with ${at} failed: ${raw.split('\n')[0]}`), response, command };
}

/**
 * What one EHLO reply advertises about AUTH, read from the reply itself. The first line names the server;
 * each capability follows on its own line: `250-AUTH PLAIN LOGIN`, the old `250-AUTH=LOGIN PLAIN`, any
 * case. Every mechanism is kept (NTLM, GSSAPI, SCRAM-SHA-256…), not only the ones nodemailer can use. Pure.
 */
export function ehloAuth(reply: string): { advertised: boolean; mechanisms: string[] } {
  const mechanisms: string[] = [];
  let advertised = false;
  for (const line of reply.split(/\r?\n/).slice(1)) {
    const m = /^(?:\d{3}[ -])?AUTH(?:[\s=]+(.*))?$/i.exec(line.trim());
    if (!m) continue;
    advertised = true;
    for (const token of (m[1] ?? '').split(/[\s=]+/)) {
      const name = token.toUpperCase();
      if (/^[A-Z0-9_-]{1,40}$/.test(name) && !mechanisms.includes(name)) mechanisms.push(name);
    }
  }
  return { advertised, mechanisms };
}

function tlsFacts(socket: TLSSocket): SmtpTlsFacts {
  const facts: SmtpTlsFacts = {
    protocol: socket.getProtocol?.() ?? undefined,
    authorized: socket.authorized,
    authorizationError: socket.authorizationError ? String((socket.authorizationError as unknown as { code?: string }).code ?? socket.authorizationError) : undefined,
  };
  try {
    const peer = socket.getPeerX509Certificate?.();
    if (peer) {
      const cert = new X509Certificate(peer.raw);
      facts.subject = cert.subject.replace(/\n/g, ', ');
      facts.issuer = cert.issuer.replace(/\n/g, ', ');
      facts.validTo = new Date(cert.validTo).toISOString();
      facts.daysLeft = Math.floor((new Date(cert.validTo).getTime() - Date.now()) / 86_400_000);
    }
  } catch {
    // a certificate we cannot read leaves the facts without it
  }
  return facts;
}

/** Human words for a certificate verification code. */
export function describeCertError(code: string | undefined): string {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'the certificate is self-signed';
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'the chain ends in an untrusted self-signed root';
    case 'CERT_HAS_EXPIRED':
      return 'the certificate has expired';
    case 'CERT_NOT_YET_VALID':
      return 'the certificate is not valid yet';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'the certificate chain is incomplete or issued by an unknown CA';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'the certificate does not cover this host name';
    default:
      return code ? `the certificate does not verify (${code})` : 'the certificate does not verify';
  }
}

/**
 * Runs one SMTP session and returns what happened. Never throws; never hangs past the timeouts or the
 * abort signal. `action` runs after AUTH (or right after connecting when there are no credentials).
 */
export async function smtpSession<T = void>(opts: SmtpOptions, action?: SmtpAction<T>): Promise<{ facts: SmtpSessionFacts; result?: T }> {
  const Connection = await loadSmtpConnection();
  const started = Date.now();
  const facts: SmtpSessionFacts = {
    host: opts.host,
    port: opts.port,
    tlsMode: opts.secure ? 'implicit' : 'none',
    authAdvertised: false,
    authMethods: [],
    durationMs: 0,
  };
  const secrets = [opts.password];
  const classify = (err: unknown): SmtpFailure => {
    const f = classifySmtpError(err, { host: opts.host, port: opts.port, timeoutMs: opts.timeoutMs, greetingTimeoutMs: opts.greetingTimeoutMs, username: opts.username });
    return { ...f, message: scrub(f.message, secrets, opts.username), response: f.response && scrub(f.response, secrets, opts.username) };
  };

  if (opts.signal.aborted) {
    facts.failure = { kind: 'timeout', message: `timed out before connecting to ${where(opts.host, opts.port)}` };
    return { facts };
  }

  // The EHLO replies, from nodemailer's transaction log (commands and replies, no message content; only
  // the EHLO/LHLO command names are looked at, nothing is kept but the replies to them). nodemailer's own
  // view is not enough: it keeps only the AUTH mechanisms it can use, and drops the plaintext EHLO when
  // STARTTLS starts, so a session that fails at STARTTLS would look as if AUTH was never advertised.
  const ehloReplies: Array<{ reply: string; tls: boolean }> = [];
  let awaitingEhlo = false;
  const ignore = () => undefined;
  const transcript = {
    trace: ignore,
    info: ignore,
    warn: ignore,
    error: ignore,
    fatal: ignore,
    debug: (entry: { tnx?: string } | undefined, message?: unknown) => {
      if (typeof message !== 'string') return;
      if (entry?.tnx === 'client') awaitingEhlo = /^(?:EHLO|LHLO)\b/i.test(message);
      else if (entry?.tnx === 'server' && awaitingEhlo) {
        awaitingEhlo = false;
        if (/^2\d\d[ -]/.test(message)) ehloReplies.push({ reply: message, tls: conn.secure });
      }
    },
  };
  /** AUTH as the last answered EHLO advertised it: the encrypted one, or the plaintext one when TLS was not reached. */
  const readAuth = () => {
    const last = ehloReplies[ehloReplies.length - 1];
    if (!last) return;
    const auth = ehloAuth(last.reply);
    facts.authAdvertised = auth.advertised;
    facts.authMethods = auth.mechanisms;
    facts.authAdvertisedIn = last.tls ? 'tls' : 'plaintext';
  };

  const conn = new Connection({
    host: opts.host,
    port: opts.port,
    secure: opts.secure,
    requireTLS: !opts.secure && opts.requireStartTls,
    // the certificate is judged after the handshake, before any credential is sent
    tls: { rejectUnauthorized: false, ca: opts.ca, servername: opts.servername },
    servername: opts.servername,
    name: opts.clientName,
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.greetingTimeoutMs,
    socketTimeout: opts.timeoutMs,
    dnsTimeout: opts.timeoutMs,
    socketCloseTimeout: 0,
    logger: transcript,
    transactionLog: true,
  });

  let rejectPending: ((err: unknown) => void) | undefined;
  const onAbort = () => {
    const err = Object.assign(new Error('aborted'), { code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT' });
    rejectPending?.(err);
    conn.close();
  };
  opts.signal.addEventListener('abort', onAbort, { once: true });
  // errors emitted outside a pending callback (a late socket error) must not crash the process
  conn.on('error', (err) => rejectPending?.(err));

  const step = <R>(fn: (done: (err?: unknown, value?: R) => void) => void): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      rejectPending = reject;
      fn((err, value) => (err ? reject(err) : resolve(value as R)));
    });

  let result: T | undefined;
  try {
    await step<void>((done) => conn.connect((err?: unknown) => done(err)));

    const internals = conn as unknown as { _socket?: TLSSocket };
    readAuth();
    if (conn.secure) {
      facts.tlsMode = opts.secure ? 'implicit' : 'starttls';
      if (internals._socket && 'authorized' in internals._socket) facts.tls = tlsFacts(internals._socket);
    }

    if (facts.tls && !facts.tls.authorized && opts.verifyCertificate) {
      facts.failure = {
        kind: 'certificate',
        message: `TLS certificate of ${where(opts.host, opts.port)} is not trusted: ${describeCertError(facts.tls.authorizationError)}`,
      };
    } else if (!conn.secure && opts.username) {
      facts.failure = {
        kind: 'plaintext',
        message: `server at ${where(opts.host, opts.port)} offers no STARTTLS; credentials were not sent over an unencrypted connection`,
      };
    } else {
      if (opts.username) {
        // nodemailer picks an advertised mechanism, or PLAIN when none is advertised: AUTH is always tried
        await step<unknown>((done) => conn.login({ user: opts.username, pass: opts.password ?? '' }, (err) => done(err)));
        facts.authenticated = true;
      }
      if (action) result = await action(conn);
    }
  } catch (err) {
    // a session that stopped before (or at) STARTTLS still says what its EHLO advertised
    readAuth();
    facts.failure = classify(err);
    if (facts.failure.kind === 'auth-rejected' || facts.failure.kind === 'auth-unavailable') facts.authenticated = false;
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
    rejectPending = undefined;
    try {
      if (!facts.failure || ['auth-rejected', 'auth-unavailable', 'certificate', 'plaintext', 'send-rejected'].includes(facts.failure.kind)) conn.quit();
    } catch {
      // the connection is closed below anyway
    }
    setTimeout(() => conn.close(), 50).unref();
  }
  facts.durationMs = Date.now() - started;
  return { facts, result };
}
