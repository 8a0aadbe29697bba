// Small real servers for TLS tests: direct TLS, SMTP STARTTLS, a PostgreSQL SSLRequest responder and a
// server that accepts connections and never answers. Each returns its port and a close() for afterAll.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { SMTPServer } from 'smtp-server';

/** Mozilla "intermediate" TLS 1.2 suites: what a well-configured server offers. */
export const MODERN_CIPHERS =
  'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305';

export interface Running {
  port: number;
  close(): Promise<void>;
}

async function listen(server: net.Server, sockets: Set<net.Socket>): Promise<Running> {
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A direct TLS server that completes the handshake and closes. `options` passes key/cert/versions/ciphers. */
export async function startTlsServer(options: tls.TlsOptions): Promise<Running> {
  const server = tls.createServer(options, (s) => s.end());
  server.on('tlsClientError', () => {});
  return listen(server, new Set());
}

/**
 * A legacy server that speaks TLS 1.0 only (served with `DEFAULT@SECLEVEL=0`, or OpenSSL 3 refuses its
 * SHA-1 suites): it answers a TLS 1.2/1.3 ClientHello with a TLS 1.0 ServerHello or a protocol-version alert.
 */
export async function startTls10OnlyServer(options: { key: string; cert: string }): Promise<Running> {
  return startTlsServer({ key: options.key, cert: options.cert, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
}

/**
 * Not a TLS server: waits for the client's first bytes (the ClientHello), then answers in plain text
 * (`text`, like an HTTP server on the wrong port) or resets the connection (`reset`) without any TLS answer.
 */
export async function startNonTlsServer(mode: 'text' | 'reset'): Promise<Running> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => {
      if (mode === 'text') socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.resetAndDestroy();
    });
  });
  return listen(server, sockets);
}

/** Accepts TCP connections and never says a word: a hung server. */
export async function startSilentServer(): Promise<Running> {
  const server = net.createServer(() => {});
  return listen(server, new Set());
}

/** A real SMTP server (smtp-server) offering STARTTLS with the given certificate. */
export async function startSmtpStartTls(options: { key: string; cert: string; offerStartTls?: boolean }): Promise<Running> {
  const server = new SMTPServer({
    key: options.key,
    cert: options.cert,
    disabledCommands: options.offerStartTls === false ? ['STARTTLS', 'AUTH'] : ['AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  server.on('error', () => {});
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return {
    port: (server.server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Answers the PostgreSQL SSLRequest like a server with ssl=on ('S', then a TLS handshake on the same
 * socket) or ssl=off ('N').
 */
export async function startPostgresSslResponder(options: { key: string; cert: string; ssl?: boolean }): Promise<Running> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    socket.once('data', (chunk) => {
      const isSslRequest = chunk.length === 8 && chunk.readInt32BE(0) === 8 && chunk.readInt32BE(4) === 80877103;
      if (!isSslRequest) return socket.destroy();
      if (options.ssl === false) {
        socket.write('N');
        return;
      }
      socket.write('S');
      const secure = new tls.TLSSocket(socket, { isServer: true, key: options.key, cert: options.cert });
      secure.on('error', () => socket.destroy());
      secure.on('secure', () => secure.end());
    });
    socket.on('error', () => {});
  });
  return listen(server, sockets);
}

/** A plain HTTP server (or HTTPS when `tlsOptions` is given) with the test's handler. */
export async function startHttpServer(
  handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void,
  tlsOptions?: tls.TlsOptions,
): Promise<Running & { url: string }> {
  const http = await import('node:http');
  const https = await import('node:https');
  const server = tlsOptions ? https.createServer(tlsOptions, handler) : http.createServer(handler);
  if (tlsOptions) server.on('tlsClientError', () => {});
  const running = await listen(server, new Set());
  return { ...running, url: `${tlsOptions ? 'https' : 'http'}://127.0.0.1:${running.port}` };
}
