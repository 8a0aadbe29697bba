// A small local HTTP or HTTPS server for jwt.* tests: each path answers what the test sets
// (a JWKS, a token endpoint, a hang). Stop it with close() in afterAll.
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string | object;
}

/** Returns the answer for a request, or 'hang' to never answer. */
export type Route = (req: { method: string; url: string; headers: IncomingMessage['headers']; body: string }) => Answer | 'hang' | Promise<Answer | 'hang'>;

export interface JwtServer {
  url: string;
  routes: Map<string, Route>;
  /** Requests received, in order (method, path, body). */
  requests: { method: string; url: string; body: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

export async function startJwtServer(tls?: { key: string; cert: string }): Promise<JwtServer> {
  const routes = new Map<string, Route>();
  const requests: JwtServer['requests'] = [];
  const handler = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const entry = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(entry);
      const route = routes.get(new URL(entry.url, 'http://x').pathname);
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const answer = await route(entry);
      if (answer === 'hang') return;
      const body = typeof answer.body === 'string' || answer.body === undefined ? (answer.body ?? '') : JSON.stringify(answer.body);
      const type = typeof answer.body === 'object' ? 'application/json' : 'text/plain';
      res.writeHead(answer.status ?? 200, { 'content-type': type, ...answer.headers }).end(body);
    });
  };
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    routes,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
