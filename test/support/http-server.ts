// Real node:http / node:https servers for tests of http.* checks, with programmable routes.
//
//   const server = await startHttpServer({ routes: { '/health': (req, res) => sendJson(res, 200, { status: 'ok' }) } });
//   server.url('/health')   // http://127.0.0.1:PORT/health
//   server.requests          // every request seen (method, path, headers, body)
//   await server.close()     // in afterAll
//
// Routes are keyed by path ('/health', matched on the path without query) or 'METHOD /path'; unknown
// paths answer 404. `startSilentServer()` accepts TCP connections and never answers (timeouts).
import { createServer as createHttpServer, type IncomingMessage, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Socket } from 'node:net';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestHttpServer {
  port: number;
  /** `http://127.0.0.1:PORT` (or https://localhost:PORT when TLS with useLocalhost). */
  origin: string;
  url(path?: string): string;
  requests: SeenRequest[];
  /** Adds or replaces a route. */
  route(key: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

export interface StartOptions {
  routes?: Record<string, RouteHandler>;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
  /** Host name used in origin/url(): default 127.0.0.1. Use 'localhost' to test host-name checks. */
  host?: string;
}

export async function startHttpServer(options: StartOptions = {}): Promise<TestHttpServer> {
  const routes = new Map<string, RouteHandler>(Object.entries(options.routes ?? {}));
  const requests: SeenRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0];
      requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
      const route = routes.get(`${req.method} ${path}`) ?? routes.get(path);
      if (!route) return sendText(res, 404, 'not found');
      Promise.resolve(route(req, res, body)).catch((err) => {
        if (!res.headersSent) sendText(res, 500, `test route failed: ${(err as Error).message}`);
        else res.destroy();
      });
    });
  };
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createHttpServer(handler);
  // TLS handshake failures are expected in tests; keep them off stderr.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const origin = `${options.tls ? 'https' : 'http'}://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    port,
    origin,
    url: (path = '/') => `${origin}${path}`,
    requests,
    route: (key, h) => void routes.set(key, h),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendText(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function redirect(res: ServerResponse, status: number, location: string): void {
  res.writeHead(status, { location, 'content-length': 0 });
  res.end();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface SilentServer {
  port: number;
  url(path?: string): string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Accepts TCP connections, reads whatever arrives and never answers. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createTcpServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
