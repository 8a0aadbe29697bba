#!/usr/bin/env node
// A local HTTP server for the benchmark: answers every request after a fixed delay (default 100 ms)
// with `200 {"status":"ok"}`.
//
//   node bench/slow-server.mjs --port 0 --delay 100     # prints the port it listens on, one line
//
// Options: --port N (0 = any free port, the default), --delay MS (default 100), --host H (default
// 127.0.0.1). A request may ask for its own delay with `?delay=MS`. It stops on SIGTERM/SIGINT, and
// when its stdin closes if started with --exit-with-parent (so a crashed benchmark leaves nothing behind).
// It can also be imported: `const server = await startSlowServer({ delayMs: 100 }); … await server.close()`.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

/**
 * @param {{ port?: number, host?: string, delayMs?: number }} [options]
 * @returns {Promise<{ port: number, url: string, requests: () => number, close: () => Promise<void> }>}
 */
export async function startSlowServer({ port = 0, host = '127.0.0.1', delayMs = 100 } = {}) {
  let count = 0;
  const pending = new Set();
  const server = createServer((req, res) => {
    count++;
    const asked = /[?&]delay=(\d+)/.exec(req.url ?? '');
    const wait = asked ? Number(asked[1]) : delayMs;
    // Drain the request body (if any) so keep-alive connections stay usable.
    req.resume();
    const timer = setTimeout(() => {
      pending.delete(timer);
      const body = JSON.stringify({ status: 'ok' });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    }, wait);
    pending.add(timer);
  });
  // Many concurrent keep-alive clients: do not let the defaults get in the way.
  server.keepAliveTimeout = 10_000;
  server.maxHeadersCount = 100;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    port: actualPort,
    url: `http://${host}:${actualPort}/`,
    requests: () => count,
    close: () =>
      new Promise((resolve) => {
        for (const timer of pending) clearTimeout(timer);
        pending.clear();
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      }),
  };
}

function parseArgs(argv) {
  const options = { port: 0, delayMs: 100, host: '127.0.0.1', exitWithParent: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--port') options.port = Number(value());
    else if (arg === '--delay') options.delayMs = Number(value());
    else if (arg === '--host') options.host = value();
    else if (arg === '--exit-with-parent') options.exitWithParent = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: node bench/slow-server.mjs [--port 0] [--delay 100] [--host 127.0.0.1] [--exit-with-parent]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${arg}`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error('--port must be 0-65535');
  if (!Number.isFinite(options.delayMs) || options.delayMs < 0) throw new Error('--delay must be a number of milliseconds');
  return options;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`slow-server: ${err.message}\n`);
    process.exit(2);
  }
  const server = await startSlowServer(options);
  process.stdout.write(`${server.port}\n`);
  const stop = () => server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  if (options.exitWithParent) {
    process.stdin.resume();
    process.stdin.once('end', stop);
    process.stdin.once('close', stop);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`slow-server: ${err.message}\n`);
    process.exit(1);
  });
}
