// One vocabulary for "could not reach or talk to a system", shared by every family (HTTP, TLS, PostgreSQL,
// Redis, SMTP, DNS, the Stripe/SES/SendGrid APIs). A Failure is made in one place from a Node/OpenSSL error
// code (families add only their protocol's own codes: 28P01, NOAUTH, 535, …), reads the same way in every
// report, and maps to a status by one rule:
//
//   could not reach / talk to the system (dns, refused, reset, unreachable, timeout, tls-handshake, protocol,
//       http-status) → `error`, with advice on reaching it — never the check type's advice;
//   the system answered with a certificate that is not valid (tls-untrusted, tls-hostname, tls-expired,
//       tls-not-yet-valid) → `fail`: clients will refuse it too, that is a finding about the deployment;
//   the system rejected the credentials (auth-rejected) → `fail`: the credential is wrong, that is a finding;
//   the credentials are accepted but may not read what the check needs (forbidden) → `error`: cannot verify.
import { formatDuration } from '../duration.js';
import type { Verdict } from '../check.js';

export type FailureKind =
  | 'dns'
  | 'refused'
  | 'reset'
  | 'unreachable'
  | 'timeout'
  | 'tls-untrusted'
  | 'tls-hostname'
  | 'tls-expired'
  | 'tls-not-yet-valid'
  | 'tls-handshake'
  | 'auth-rejected'
  | 'forbidden'
  | 'protocol'
  | 'http-status';

/** Where the conversation was when it failed: what "hung" or "broke" refers to. */
export type Stage = 'dns' | 'connect' | 'tls' | 'greeting' | 'auth' | 'request' | 'response' | 'query' | (string & {});

export interface Failure {
  kind: FailureKind;
  /** `host:port` or a URL without credentials. */
  where: string;
  stage?: Stage;
  /** The underlying code: ECONNREFUSED, CERT_HAS_EXPIRED, 28P01, NOAUTH, 535, HTTP 503, … */
  code?: string;
  /** One line: what happened, where, and at which stage. */
  message: string;
  /** What to do: about reaching the system, or about the credential. */
  remediation: string;
}

export interface FailureContext {
  /** `host:port` (or a URL without credentials) of the system. */
  where: string;
  /** The host name alone, for DNS messages (defaults to `where` without the port). */
  host?: string;
  /** The stage the conversation was in, when the caller knows it. */
  stage?: Stage;
  /** The timeout in force, for "did not answer within 3s". */
  timeoutMs?: number;
  /** True when the check's signal aborted (its timeout, the run deadline or Ctrl-C). */
  aborted?: boolean;
}

const TLS_UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
]);

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL', 'ENOTIMP', 'EREFUSED', 'ECONNREFUSED_DNS']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ABORT_ERR', 'TimeoutError', 'AbortError']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

const REACH_ADVICE = (where: string) =>
  `Check that the service is running and listening at ${where}, and that this host can reach it (firewall, security group, VPN, the host and port in the configuration).`;

/** The error code of an error or of the error that caused it (undici and SDKs wrap the system error). */
export function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown; name?: unknown; errors?: unknown[] } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && e.code) return e.code;
    // AggregateError (happy eyeballs): the first inner error's code.
    if (Array.isArray(e.errors) && e.errors.length) {
      const inner = errorCode(e.errors[0]);
      if (inner) return inner;
    }
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return e.name;
    e = e.cause as typeof e;
  }
  return undefined;
}

const hostOf = (where: string) => where.replace(/^[a-z]+:\/\//i, '').replace(/[/?#].*$/, '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
const stageText = (stage: Stage | undefined) => (stage ? ` (${STAGE_WORDS[stage] ?? stage})` : '');
const STAGE_WORDS: Record<string, string> = {
  dns: 'resolving the name',
  connect: 'while connecting',
  tls: 'during the TLS handshake',
  greeting: 'waiting for the greeting',
  auth: 'during authentication',
  request: 'sending the request',
  response: 'waiting for the response',
  query: 'waiting for a query',
};

/**
 * The Failure for a network or TLS error, or undefined when the error is not one (a bug, a protocol error the
 * family classifies itself). A family first maps its own protocol codes, then calls this.
 */
export function networkFailure(err: unknown, ctx: FailureContext): Failure | undefined {
  const code = errorCode(err);
  const { where } = ctx;
  const host = ctx.host ?? hostOf(where);
  if (ctx.aborted || (code && TIMEOUT_CODES.has(code))) return timeoutFailure(ctx, code && !TIMEOUT_CODES.has(code) ? code : undefined);
  if (!code) return undefined;
  if (code === 'ECONNREFUSED') return failure('refused', ctx, code, `connection refused at ${where}`, REACH_ADVICE(where));
  if (DNS_CODES.has(code)) {
    const why = code === 'EAI_AGAIN' ? 'the DNS lookup timed out' : 'no such host';
    return failure('dns', { ...ctx, stage: 'dns' }, code, `cannot resolve host "${host}": ${why} (${code})`, `Check the host name "${host}" in the configuration and its DNS record, as seen from this host (getent hosts ${host}; the dns_servers setting).`);
  }
  if (RESET_CODES.has(code)) return failure('reset', ctx, code, `${where} closed the connection${stageText(ctx.stage)} (${code})`, REACH_ADVICE(where));
  if (UNREACHABLE_CODES.has(code)) return failure('unreachable', ctx, code, `${where} is unreachable from this host (${code})`, REACH_ADVICE(where));
  if (code === 'CERT_HAS_EXPIRED') return failure('tls-expired', { ...ctx, stage: 'tls' }, code, `the TLS certificate of ${where} has expired (${code})`, `Renew the certificate of ${host} and reload the service.`);
  if (code === 'CERT_NOT_YET_VALID') return failure('tls-not-yet-valid', { ...ctx, stage: 'tls' }, code, `the TLS certificate of ${where} is not valid yet (${code})`, `Check the certificate's start date and this host's clock.`);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return failure('tls-hostname', { ...ctx, stage: 'tls' }, code, `the TLS certificate of ${where} is not valid for "${host}" (${code})`, `Serve a certificate whose names include ${host}, or connect by a name the certificate covers.`);
  }
  if (TLS_UNTRUSTED.has(code)) {
    return failure('tls-untrusted', { ...ctx, stage: 'tls' }, code, `the TLS certificate of ${where} is not trusted (${code})`, `Serve the full chain from a CA clients trust; for a private CA, give the check its certificate (the check's ca parameter) or set NODE_EXTRA_CA_CERTS.`);
  }
  if (/^ERR_SSL_|^EPROTO$|^ERR_TLS_/.test(code)) {
    return failure('tls-handshake', { ...ctx, stage: 'tls' }, code, `the TLS handshake with ${where} failed (${code})`, `Check that ${where} speaks TLS on this port and offers TLS 1.2 or 1.3.`);
  }
  return undefined;
}

/** `127.0.0.1:12814 did not answer within 3s (waiting for the response)`. */
export function timeoutFailure(ctx: FailureContext, code?: string): Failure {
  const within = ctx.timeoutMs ? ` within ${formatDuration(ctx.timeoutMs)}` : '';
  return failure('timeout', ctx, code ?? 'ETIMEDOUT', `${ctx.where} did not answer${within}${stageText(ctx.stage)}`, REACH_ADVICE(ctx.where));
}

/** The system rejected the credentials: a finding (`fail`), with the family's code (28P01, NOAUTH, 535, HTTP 401). */
export function authRejected(ctx: FailureContext, code: string, message: string, remediation: string): Failure {
  return failure('auth-rejected', { ...ctx, stage: ctx.stage ?? 'auth' }, code, message, remediation);
}

/** The credentials work but may not read what the check needs: it cannot verify (`error`). */
export function forbidden(ctx: FailureContext, code: string, message: string, remediation: string): Failure {
  return failure('forbidden', ctx, code, message, remediation);
}

/** Something answered, but not in the protocol expected (not PostgreSQL, not SMTP, not TLS…). */
export function protocolFailure(ctx: FailureContext, code: string, message: string, remediation = REACH_ADVICE(ctx.where)): Failure {
  return failure('protocol', ctx, code, message, remediation);
}

function failure(kind: FailureKind, ctx: FailureContext, code: string | undefined, message: string, remediation: string): Failure {
  return { kind, where: ctx.where, ...(ctx.stage ? { stage: ctx.stage } : {}), ...(code ? { code } : {}), message, remediation };
}

/** The one rule from kind to status. */
export function failureStatus(kind: FailureKind): 'fail' | 'error' {
  return FINDINGS.has(kind) ? 'fail' : 'error';
}

const FINDINGS: ReadonlySet<FailureKind> = new Set<FailureKind>(['auth-rejected', 'tls-untrusted', 'tls-hostname', 'tls-expired', 'tls-not-yet-valid']);

/** A verdict for a failure: its status by the rule, its message and its own advice, the facts as evidence. */
export function failureVerdict(f: Failure, prefix = ''): Verdict {
  return {
    status: failureStatus(f.kind),
    message: `${prefix}${f.message}`,
    remediation: f.remediation,
    evidence: { details: { failure: f.kind, where: f.where, ...(f.stage ? { stage: f.stage } : {}), ...(f.code ? { code: f.code } : {}) } },
  };
}
