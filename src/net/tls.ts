// TLS probing helpers: one handshake over direct TLS or STARTTLS (SMTP, PostgreSQL SSLRequest), with
// every outcome turned into data (never a throw), so checks can tell "not offered" from "unreachable".
import * as net from 'node:net';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';

export type StartTls = 'none' | 'smtp' | 'postgres';

export interface TlsTarget {
  host: string;
  port: number;
  /** SNI name; defaults to host (never sent when it is an IP address). */
  servername?: string;
  starttls?: StartTls;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface TlsProbeOptions {
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** OpenSSL cipher string (TLS ≤ 1.2). Default `DEFAULT@SECLEVEL=0` so weak servers can still be inspected. */
  ciphers?: string;
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
  ca?: string[];
}

/** One certificate as the server presented it (leaf first). */
export interface PeerCert {
  der: Buffer;
  x509: X509Certificate;
}

export type HandshakeResult =
  | {
      ok: true;
      protocol: string | null;
      cipher: string;
      /** Chain trust only (hostname is checked separately); null when trusted. */
      authorizationError: string | null;
      /** Leaf first, following issuer links; ends at a self-signed root when one is known. */
      chain: PeerCert[];
      ms: number;
    }
  | {
      ok: false;
      /** Where it failed: before TLS started (TCP / STARTTLS) or during the handshake. */
      stage: 'connect' | 'starttls' | 'handshake' | 'options';
      /** OpenSSL/Node error code when there is one (e.g. ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION, ECONNREFUSED). */
      code: string;
      /** One plain sentence. */
      message: string;
      ms: number;
    };

class ProbeError extends Error {
  constructor(
    public stage: 'connect' | 'starttls' | 'handshake' | 'options',
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

const where = (t: TlsTarget) => `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;

/** Turns socket errors into the sentences a report shows. */
export function describeNetError(err: unknown, target: TlsTarget): { code: string; message: string } {
  const e = err as NodeJS.ErrnoException & { reason?: string };
  const code = e?.code ?? 'UNKNOWN';
  switch (code) {
    case 'ECONNREFUSED':
      return { code, message: `connection refused at ${where(target)}` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code, message: `host ${target.host} could not be resolved` };
    case 'ETIMEDOUT':
      return { code, message: `timed out after ${formatSeconds(target.timeoutMs)} at ${where(target)}` };
    case 'ECONNRESET':
      return { code, message: `connection reset by ${where(target)}` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { code, message: `host ${target.host} is unreachable` };
    default:
      return { code, message: `${(e?.reason ?? e?.message ?? String(err)).replace(/\s+/g, ' ')} at ${where(target)}` };
  }
}

const formatSeconds = (ms: number) => `${Math.round(ms / 100) / 10}s`.replace(/\.0s$/, 's');

/** Opens TCP and, for STARTTLS protocols, negotiates the upgrade; resolves with a socket ready for TLS. */
async function openTransport(target: TlsTarget, deadline: AbortSignal): Promise<net.Socket> {
  const socket = net.connect({ host: target.host, port: target.port });
  const onAbort = () => socket.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
  deadline.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    }).catch((err) => {
      throw new ProbeError('connect', describeNetError(err, target).code, describeNetError(err, target).message);
    });
    const mode = target.starttls ?? 'none';
    if (mode === 'smtp') await smtpStartTls(socket, target);
    if (mode === 'postgres') await postgresSslRequest(socket, target);
    return socket;
  } catch (err) {
    socket.destroy();
    if (err instanceof ProbeError) throw err;
    const d = describeNetError(err, target);
    throw new ProbeError('starttls', d.code, d.message);
  } finally {
    deadline.removeEventListener('abort', onAbort);
  }
}

/** Reads bytes until `done(buffer)` is true; errors and early close reject. */
function readUntil(socket: net.Socket, done: (buf: Buffer) => boolean, target: TlsTarget): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (done(buf)) {
        cleanup();
        socket.pause();
        resolve(buf);
      } else if (buf.length > 65_536) {
        cleanup();
        reject(new ProbeError('starttls', 'EPROTO', `unexpected answer from ${where(target)}`));
      }
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      cleanup();
      reject(new ProbeError('starttls', 'ECONNRESET', `${where(target)} closed the connection before STARTTLS`));
    };
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.resume();
  });
}

/** Complete SMTP reply: last line is `NNN ` (space after the code). */
const smtpReplyDone = (buf: Buffer) => /(^|\r?\n)\d{3} [^\n]*\r?\n$/.test(buf.toString('latin1'));
const smtpCode = (buf: Buffer) => Number(buf.toString('latin1').split(/\r?\n/).filter(Boolean).pop()?.slice(0, 3));

async function smtpStartTls(socket: net.Socket, target: TlsTarget): Promise<void> {
  const greeting = await readUntil(socket, smtpReplyDone, target);
  if (smtpCode(greeting) !== 220) {
    throw new ProbeError('starttls', 'SMTP_GREETING', `SMTP server at ${where(target)} greeted with ${smtpCode(greeting)} instead of 220`);
  }
  socket.write('EHLO readiness.invalid\r\n');
  const ehlo = await readUntil(socket, smtpReplyDone, target);
  if (smtpCode(ehlo) !== 250) throw new ProbeError('starttls', 'SMTP_EHLO', `SMTP server at ${where(target)} refused EHLO (${smtpCode(ehlo)})`);
  if (!/^250[- ]STARTTLS\b/im.test(ehlo.toString('latin1'))) {
    throw new ProbeError('starttls', 'NO_STARTTLS', `SMTP server at ${where(target)} does not offer STARTTLS`);
  }
  socket.write('STARTTLS\r\n');
  const ready = await readUntil(socket, smtpReplyDone, target);
  if (smtpCode(ready) !== 220) throw new ProbeError('starttls', 'SMTP_STARTTLS', `SMTP server at ${where(target)} refused STARTTLS (${smtpCode(ready)})`);
}

async function postgresSslRequest(socket: net.Socket, target: TlsTarget): Promise<void> {
  const request = Buffer.alloc(8);
  request.writeInt32BE(8, 0);
  request.writeInt32BE(80877103, 4);
  socket.write(request);
  const answer = await readUntil(socket, (b) => b.length >= 1, target);
  if (answer[0] === 0x4e /* N */) throw new ProbeError('starttls', 'NO_SSL', `PostgreSQL at ${where(target)} does not accept SSL (answered N to SSLRequest)`);
  if (answer[0] !== 0x53 /* S */ || answer.length > 1) {
    throw new ProbeError('starttls', 'EPROTO', `${where(target)} did not answer the PostgreSQL SSLRequest (is it PostgreSQL?)`);
  }
}

/** Peer chain, leaf first, following issuerCertificate links from the handshake. */
function peerChain(socket: tls.TLSSocket): PeerCert[] {
  const chain: PeerCert[] = [];
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push({ der: cert.raw, x509: new X509Certificate(cert.raw) });
    cert = cert.issuerCertificate;
  }
  return chain;
}

// A context holding Node's roots plus extra CAs costs ~50 ms to build: build it once per option set.
const contexts = new Map<string, tls.SecureContext>();
function secureContextWithCa(options: TlsProbeOptions): tls.SecureContext {
  const minVersion = options.minVersion ?? 'TLSv1';
  const maxVersion = options.maxVersion ?? 'TLSv1.3';
  const ciphers = options.ciphers ?? 'DEFAULT@SECLEVEL=0';
  const key = JSON.stringify([minVersion, maxVersion, ciphers, options.ca]);
  let context = contexts.get(key);
  if (!context) {
    context = tls.createSecureContext({ minVersion, maxVersion, ciphers, ca: [...tls.rootCertificates, ...(options.ca ?? [])] });
    contexts.set(key, context);
  }
  return context;
}

/** One TLS handshake; never throws, never outlives target.timeoutMs. */
export async function handshake(target: TlsTarget, options: TlsProbeOptions = {}): Promise<HandshakeResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  // The check's own timeout; the runner gives the check a short grace to name the host and port that hung.
  const timeout = AbortSignal.timeout(Math.max(1, target.timeoutMs));
  const deadline = target.signal ? AbortSignal.any([timeout, target.signal]) : timeout;
  let socket: net.Socket | undefined;
  let secure: tls.TLSSocket | undefined;
  try {
    if (deadline.aborted) throw new ProbeError('connect', 'ETIMEDOUT', `timed out after ${formatSeconds(target.timeoutMs)} at ${where(target)}`);
    socket = await openTransport(target, deadline);
    const servername = target.servername ?? target.host;
    try {
      secure = tls.connect({
        socket,
        servername: net.isIP(servername) ? undefined : servername,
        // A probe: the handshake must complete so the certificate can be judged (authorized /
        // authorizationError are read below); nothing is sent over this connection.
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
        ...(options.ca?.length
          ? { secureContext: secureContextWithCa(options) }
          : { minVersion: options.minVersion ?? 'TLSv1', maxVersion: options.maxVersion ?? 'TLSv1.3', ciphers: options.ciphers ?? 'DEFAULT@SECLEVEL=0' }),
      });
    } catch (err) {
      // An unknown cipher string or protocol makes tls.connect throw synchronously.
      const e = err as NodeJS.ErrnoException;
      throw new ProbeError('options', e.code ?? 'ERR_TLS_OPTIONS', `this Node/OpenSSL cannot probe that: ${e.message}`);
    }
    const s = secure;
    const onAbort = () => s.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    deadline.addEventListener('abort', onAbort, { once: true });
    try {
      await new Promise<void>((resolve, reject) => {
        s.once('secureConnect', resolve);
        s.once('error', reject);
        s.once('close', () => reject(Object.assign(new Error('the server closed the connection during the TLS handshake'), { code: 'ECONNRESET' })));
      });
    } catch (err) {
      const d = describeNetError(err, target);
      throw new ProbeError(
        d.code === 'ETIMEDOUT' ? 'connect' : 'handshake',
        d.code,
        d.code === 'ETIMEDOUT' ? `${d.message}: the port accepts connections but never completed the TLS handshake (is it a TLS port?)` : `TLS handshake failed: ${d.message}`,
      );
    } finally {
      deadline.removeEventListener('abort', onAbort);
    }
    return {
      ok: true,
      protocol: s.getProtocol(),
      cipher: s.getCipher().standardName ?? s.getCipher().name,
      authorizationError: s.authorized ? null : String(s.authorizationError ?? 'UNKNOWN'),
      chain: peerChain(s),
      ms: ms(),
    };
  } catch (err) {
    if (err instanceof ProbeError) return { ok: false, stage: err.stage, code: err.code, message: err.message, ms: ms() };
    const d = describeNetError(err, target);
    return { ok: false, stage: 'handshake', code: d.code, message: d.message, ms: ms() };
  } finally {
    secure?.destroy();
    socket?.destroy();
  }
}

/**
 * The server's own TLS answer that it does not speak the probed version proves "not offered":
 * - ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: the server sent a protocol_version alert (it speaks only newer
 *   versions, or only older ones and says so);
 * - ERR_SSL_UNSUPPORTED_PROTOCOL: the server answered with a ServerHello for a version outside the one
 *   probed (e.g. TLS 1.0 to a TLS 1.2-only ClientHello), which the client then refuses; this is how a
 *   server that speaks only older versions answers.
 * Anything else is inconclusive: a reset or close before any TLS answer, a timeout, or
 * ERR_SSL_WRONG_VERSION_NUMBER (what a non-TLS service answering in plain text looks like).
 */
export function isProtocolVersionRefusal(code: string): boolean {
  return code === 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' || code === 'ERR_SSL_UNSUPPORTED_PROTOCOL';
}

// --- Certificate facts -------------------------------------------------------------------------

/** What the checks need to know about one certificate, as plain data (unit-testable). */
export interface CertFacts {
  subject: string;
  issuer: string;
  /** DNS names and IP addresses from subjectAltName. */
  sans: string[];
  notBefore: string;
  notAfter: string;
  fingerprint256: string;
  selfSigned: boolean;
  ca: boolean;
  keyType: string;
  /** RSA/DSA modulus length. */
  keyBits?: number;
  /** EC curve as OpenSSL names it (prime256v1, secp384r1...). */
  curve?: string;
  /** e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA1`, or the OID when unknown. */
  signatureAlgorithm: string;
}

const SIGNATURE_OIDS: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

/** Reads one DER TLV header at `offset`: where its content starts and ends. */
function derElement(der: Buffer, offset: number): { tag: number; start: number; end: number } {
  const tag = der[offset];
  let len = der[offset + 1];
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  return { tag, start, end: start + len };
}

function decodeOid(bytes: Buffer): string {
  const parts = [Math.floor(bytes[0] / 40), bytes[0] % 40];
  let value = 0;
  for (let i = 1; i < bytes.length; i++) {
    value = value * 128 + (bytes[i] & 0x7f);
    if (!(bytes[i] & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** The outer signatureAlgorithm of a DER certificate (Node 20's X509Certificate does not expose it). */
export function signatureAlgorithmOf(der: Buffer): string {
  try {
    const cert = derElement(der, 0);
    const tbs = derElement(der, cert.start);
    const algId = derElement(der, tbs.end);
    const oid = derElement(der, algId.start);
    if (oid.tag !== 0x06) return 'unknown';
    const dotted = decodeOid(der.subarray(oid.start, oid.end));
    return SIGNATURE_OIDS[dotted] ?? dotted;
  } catch {
    return 'unknown';
  }
}

export function certFacts(der: Buffer, x509: X509Certificate = new X509Certificate(der)): CertFacts {
  const key = x509.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const sans = (x509.subjectAltName ?? '')
    .split(/,\s*/)
    .map((entry) => /^(?:DNS|IP Address):(.+)$/.exec(entry.trim())?.[1])
    .filter((v): v is string => !!v);
  return {
    subject: x509.subject.replace(/\n/g, ', '),
    issuer: x509.issuer.replace(/\n/g, ', '),
    sans,
    notBefore: new Date(x509.validFrom).toISOString(),
    notAfter: new Date(x509.validTo).toISOString(),
    fingerprint256: x509.fingerprint256,
    selfSigned: x509.subject === x509.issuer && x509.checkIssued(x509),
    ca: x509.ca,
    keyType: key.asymmetricKeyType ?? 'unknown',
    keyBits: details.modulusLength,
    curve: details.namedCurve,
    signatureAlgorithm: signatureAlgorithmOf(der),
  };
}
