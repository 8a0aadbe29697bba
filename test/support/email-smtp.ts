// Real SMTP servers for the email checks' tests (npm smtp-server 3): STARTTLS with a test CA's certificate,
// implicit TLS, AUTH PLAIN/LOGIN (or other advertised mechanisms, or AUTH only after STARTTLS), one that greets slowly, one without STARTTLS, one without AUTH, and a
// TCP server that accepts connections but never greets. All bind 127.0.0.1 on a free port.
import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { makeCa, makeCert, type Issued } from './certs.js';

export interface ReceivedMessage {
  from: string;
  to: string[];
  data: string;
  user?: string;
}

export interface TestSmtpServer {
  host: string;
  port: number;
  received: ReceivedMessage[];
  /** Every AUTH attempt the server saw (method, username): proves AUTH was (or was not) tried. */
  authAttempts: Array<{ method: string; username: string }>;
  close(): Promise<void>;
}

export interface SmtpServerOptions {
  /** Certificate for STARTTLS / implicit TLS. Without it the server offers no TLS at all. */
  tls?: Issued;
  /** Implicit TLS from the first byte (port 465 style). */
  secure?: boolean;
  /** Advertise STARTTLS (default true when `tls` is given). */
  starttls?: boolean;
  /** Accepted credentials; absent = the server advertises no AUTH and rejects AUTH commands. */
  auth?: { user: string; pass: string };
  /** Mechanisms advertised with AUTH (default PLAIN, LOGIN); the server accepts only PLAIN and LOGIN. */
  authMechanisms?: string[];
  /** Advertise (and accept) AUTH only once STARTTLS is done, like Postfix with smtpd_tls_auth_only. */
  authOnlyAfterStartTls?: boolean;
  /** Delay before the 220 greeting. */
  greetingDelayMs?: number;
  /** Reply to MAIL/RCPT with this failure (e.g. a 550 for a sender the relay does not allow). */
  rejectSender?: string;
}

export interface TestPki {
  ca: Issued;
  /** Leaf for localhost / 127.0.0.1 signed by `ca`. */
  leaf: Issued;
  /** Self-signed leaf for localhost / 127.0.0.1. */
  selfSigned: Issued;
}

let pkiPromise: Promise<TestPki> | undefined;

/** One CA + leaves, made once per test file (RSA key generation costs CPU). */
export function testPki(): Promise<TestPki> {
  pkiPromise ??= (async () => {
    const ca = await makeCa({ commonName: 'readiness email test CA' });
    const leaf = await makeCert({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], issuer: ca });
    const selfSigned = await makeCert({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'] });
    return { ca, leaf, selfSigned };
  })();
  return pkiPromise;
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const received: ReceivedMessage[] = [];
  const authAttempts: TestSmtpServer['authAttempts'] = [];
  const starttls = options.tls ? options.starttls ?? true : false;
  const disabled: string[] = [];
  if (!starttls) disabled.push('STARTTLS');
  if (!options.auth) disabled.push('AUTH');

  const server = new SMTPServer({
    secure: !!options.secure,
    key: options.tls?.keyPem,
    cert: options.tls?.chainPem,
    disabledCommands: disabled,
    authMethods: options.auth ? options.authMechanisms ?? ['PLAIN', 'LOGIN'] : [],
    authOptional: !options.auth,
    allowInsecureAuth: !starttls && !options.secure,
    logger: false,
    size: 1024 * 1024,
    onConnect(session, callback) {
      // a session's own list replaces the server's: the plaintext part of the session has no AUTH
      if (options.authOnlyAfterStartTls) session.disabledCommands = [...disabled, 'AUTH'];
      if (options.greetingDelayMs) setTimeout(() => callback(), options.greetingDelayMs).unref();
      else callback();
    },
    onSecure(_socket, session, callback) {
      if (options.authOnlyAfterStartTls) session.disabledCommands = [...disabled];
      callback();
    },
    onAuth(auth, _session, callback) {
      authAttempts.push({ method: auth.method, username: auth.username ?? '' });
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        return callback(null, { user: auth.username });
      }
      return callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onMailFrom(address, _session, callback) {
      if (options.rejectSender && address.address.toLowerCase() === options.rejectSender.toLowerCase()) {
        return callback(Object.assign(new Error(`5.7.1 Sender ${address.address} not allowed`), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        });
        callback(null, 'Ok: queued as READINESS-TEST-1');
      });
    },
  });
  server.on('error', () => {
    // client-side disconnects during negative tests are expected
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    received,
    authAttempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Accepts TCP connections and never says a word: the "greeting timeout" case. */
export async function startSilentServer(): Promise<{ host: string; port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    host: '127.0.0.1',
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
