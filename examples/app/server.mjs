// The reference SaaS backend the demo checks: plain Node (node:https/node:http), all state in a temp dir,
// every listener on a free localhost port. What it sets up at start:
//   - a private CA and an HTTPS certificate for localhost that expires in ~20 days (on purpose: a warning)
//   - security headers on every response, except Content-Security-Policy (on purpose: a failure)
//   - GET /health, GET /api/auth/health, GET /docs (+ /openapi.json), GET /.well-known/jwks.json, GET /metrics
//   - a home page with SEO tags and a Secure/HttpOnly/SameSite CSRF cookie, cacheable static assets, gzip,
//     /privacy, /terms, /reset-password, /unsubscribe, CORS for its own origin only
//   - POST /api/webhooks/stripe verifying signatures with stripe.webhooks.constructEvent
//   - /api/* rate-limited to 60 requests/minute per client and route; /api/users/me requires a token
//   - an SQLite database with the checklist's 11 tables and 4 plans
//   - RS256 JWT keys (2048-bit RSA, private key file mode 0600)
//   - a plain-HTTP listener that redirects everything to HTTPS
//
// Used by examples/demo/run.mjs and by test/examples/demo.test.ts; `node examples/app/server.mjs` runs it
// on its own and writes the variables to point `readiness` at it into <state dir>/app.env.
import { createHash, createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import Stripe from 'stripe';
import { makeCertificates } from './certs.mjs';
import { createDatabase, MIGRATION_HEAD, PLANS, TABLES } from './db.mjs';

export { MIGRATION_HEAD, PLANS, TABLES };

const HOST = '127.0.0.1';
const RATE_LIMIT = 60; // requests per minute per client on /api/* (checklist: 60 req/min)

/** Headers every response carries. No Content-Security-Policy: the demo's deliberate failure. */
const SECURITY_HEADERS = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'x-xss-protection': '0',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** The public address the pages name as canonical (what production would serve; never fetched). */
const PUBLIC_URL = 'https://www.acme-saas.example';

/** TLS 1.2 suites of Mozilla's "intermediate" configuration: ECDHE with AEAD only (TLS 1.3 suites are all fine). */
const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

const randomSecret = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** RS256 keys: PEM files (private one mode 0600) and the public JWK with its RFC 7638 thumbprint as kid. */
function makeJwtKeys(dir) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePath = path.join(dir, 'jwt_private.pem');
  const publicPath = path.join(dir, 'jwt_public.pem');
  writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  chmodSync(privatePath, 0o600); // whatever the umask
  writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  const { kty, n, e } = publicKey.export({ format: 'jwk' });
  const kid = createHash('sha256').update(JSON.stringify({ e, kty, n })).digest('base64url');
  return { privatePath, publicPath, jwk: { kty, n, e, kid, alg: 'RS256', use: 'sig' } };
}

function homePage() {
  const base = PUBLIC_URL;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme SaaS — the readiness reference app</title>
<meta name="description" content="A small reference SaaS backend that readiness checks in its demo: HTTPS, security headers, health endpoints, JWKS, a Stripe webhook and an SQLite database.">
<meta property="og:title" content="Acme SaaS — the readiness reference app">
<meta property="og:description" content="The reference app of the readiness demo.">
<meta property="og:type" content="website">
<meta property="og:url" content="${base}/">
<meta property="og:image" content="${base}/static/og.png">
<link rel="canonical" href="${base}/">
<link rel="stylesheet" href="/static/app.css">
</head>
<body>
<main>
<h1>Acme SaaS</h1>
<p>This is the reference app the <code>readiness</code> demo checks. See <a href="/docs">the API documentation</a>.</p>
<p>Plans: ${PLANS.map((p) => `${p.name} $${p.price_monthly_cents / 100}/month`).join(', ')}.</p>
</main>
<script src="/static/app.js" defer></script>
</body>
</html>
`;
}

function docsPage() {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Acme SaaS API documentation</title></head>
<body>
<h1>Acme SaaS API</h1>
<p>OpenAPI description: <a href="/openapi.json">/openapi.json</a></p>
<ul>
<li><code>GET /health</code> — service health</li>
<li><code>GET /api/auth/health</code> — authentication health (signing key loaded)</li>
<li><code>GET /.well-known/jwks.json</code> — public keys that verify access tokens</li>
<li><code>GET /api/plans</code> — subscription plans</li>
<li><code>GET /metrics</code> — Prometheus metrics</li>
<li><code>GET /api/users/me</code> — the signed-in user (Bearer token required)</li>
<li><code>POST /api/webhooks/stripe</code> — Stripe events (signature verified)</li>
</ul>
</body>
</html>
`;
}

/** Small public pages the checklist asks for (legal pages, the pages email links land on). */
const PAGES = {
  '/privacy': ['Privacy policy', 'What we collect, why, how long we keep it and how to ask us to delete it.'],
  '/terms': ['Terms of service', 'The terms under which Acme SaaS is offered.'],
  '/reset-password': ['Reset your password', 'Enter the email address of your account and we send you a link.'],
  '/unsubscribe': ['Email preferences', 'Choose which emails you receive, or unsubscribe from all of them.'],
};

function simplePage(title, text) {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} — Acme SaaS</title></head>
<body><main><h1>${title}</h1><p>${text}</p></main></body>
</html>
`;
}

const json200 = (description, example) => ({ 200: { description, content: { 'application/json': { example } } } });
const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'Acme SaaS API', version: '1.0.0', description: 'The API of the readiness reference app.' },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (RS256)' } } },
  paths: {
    '/health': { get: { summary: 'Service health', responses: json200('The service and its database are up', { status: 'healthy', database: 'up' }) } },
    '/api/auth/health': { get: { summary: 'Authentication health', responses: json200('The signing key is loaded', { status: 'healthy', algorithm: 'RS256' }) } },
    '/.well-known/jwks.json': { get: { summary: 'Public keys that verify access tokens', responses: json200('A JSON Web Key Set', { keys: [] }) } },
    '/api/plans': { get: { summary: 'Subscription plans', responses: json200('Active plans, cheapest first', { plans: PLANS }) } },
    '/api/users/me': {
      get: {
        summary: 'The signed-in user',
        security: [{ bearer: [] }],
        responses: { ...json200('The user', { email: 'ada@example.com', role: 'user' }), 401: { description: 'No or invalid access token' } },
      },
    },
    '/api/webhooks/stripe': {
      post: {
        summary: 'Stripe webhook events',
        parameters: [{ name: 'Stripe-Signature', in: 'header', required: true, schema: { type: 'string' } }],
        responses: { ...json200('Event verified and recorded', { received: true }), 400: { description: 'Signature verification failed' } },
      },
    },
  },
};

const STATIC = {
  '/static/app.css': { type: 'text/css; charset=utf-8', body: `body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 40rem; line-height: 1.5; }\n`.repeat(8) },
  '/static/app.js': { type: 'text/javascript; charset=utf-8', body: `document.documentElement.dataset.ready = 'true';\n`.repeat(24) },
};

/**
 * Starts the app. Everything it creates lives in a fresh temp dir that stop() removes.
 * @param {{ certDays?: number, stateDir?: string }} [options]
 */
export async function startApp(options = {}) {
  const dir = options.stateDir ?? mkdtempSync(path.join(tmpdir(), 'readiness-demo-app-'));
  try {
    return await start(dir, options);
  } catch (err) {
    if (!options.stateDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function start(dir, options) {
  const certs = await makeCertificates({ serverDays: options.certDays ?? 20 });
  const caPath = path.join(dir, 'demo-ca.pem');
  writeFileSync(caPath, certs.caCert);
  writeFileSync(path.join(dir, 'tls_key.pem'), certs.key, { mode: 0o600 });
  writeFileSync(path.join(dir, 'tls_cert.pem'), certs.cert);
  const jwt = makeJwtKeys(dir);
  const dbPath = path.join(dir, 'app.db');
  const db = createDatabase(dbPath);
  const secrets = {
    STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('hex')}`,
    SESSION_SECRET_KEY: randomSecret(),
    CSRF_SECRET_KEY: randomSecret(),
  };
  const planRows = db.prepare('SELECT slug, name, price_monthly_cents, price_yearly_cents, currency FROM plans WHERE active = 1 ORDER BY price_monthly_cents').all();
  const recordEvent = db.prepare('INSERT OR IGNORE INTO webhook_events (id, type) VALUES (?, ?)');

  let base = ''; // https://localhost:<port>, known once listening
  const hits = new Map(); // client → { windowStart, count }

  function send(req, res, status, type, body, extra = {}) {
    const headers = { ...SECURITY_HEADERS, 'content-type': type, vary: 'Accept-Encoding, Origin', ...extra };
    const origin = req.headers.origin;
    if (origin && origin === base) {
      headers['access-control-allow-origin'] = origin;
      headers['access-control-allow-credentials'] = 'true';
    }
    let payload = Buffer.from(body);
    if (payload.length >= 512 && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && /^(text\/|application\/json)/.test(type)) {
      payload = gzipSync(payload);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(payload.length);
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : payload);
  }
  const json = (req, res, status, value, extra) => send(req, res, status, 'application/json', JSON.stringify(value), { 'cache-control': 'no-store', ...extra });
  const html = (req, res, body) => send(req, res, 200, 'text/html; charset=utf-8', body, { 'cache-control': 'no-cache' });

  function rateLimited(req, res) {
    // Per client and route, like a typical API gateway rule (so one busy route does not block the others).
    const client = `${req.socket.remoteAddress ?? '?'} ${new URL(req.url ?? '/', base).pathname}`;
    const now = Date.now();
    let entry = hits.get(client);
    if (!entry || now - entry.windowStart >= 60_000) hits.set(client, (entry = { windowStart: now, count: 0 }));
    entry.count += 1;
    const reset = Math.max(1, Math.ceil((entry.windowStart + 60_000 - now) / 1000));
    const headers = { 'ratelimit-limit': String(RATE_LIMIT), 'ratelimit-remaining': String(Math.max(0, RATE_LIMIT - entry.count)), 'ratelimit-reset': String(reset) };
    if (entry.count > RATE_LIMIT) {
      json(req, res, 429, { error: 'too many requests' }, { ...headers, 'retry-after': String(reset) });
      return true;
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    return false;
  }

  let requests = 0;
  const metrics = () =>
    '# HELP app_requests_total HTTP requests served.\n# TYPE app_requests_total counter\n' +
    `app_requests_total ${requests}\n` +
    '# HELP app_plans Active subscription plans.\n# TYPE app_plans gauge\n' +
    `app_plans ${planRows.length}\n`;

  function handle(req, res, body) {
    requests += 1;
    const url = new URL(req.url ?? '/', base);
    const route = `${req.method} ${url.pathname}`;
    if (req.method === 'OPTIONS') {
      const headers = { 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'authorization, content-type', 'access-control-max-age': '600' };
      return send(req, res, 204, 'text/plain', '', req.headers.origin === base ? headers : {});
    }
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (get && url.pathname === '/health') {
      let database = 'up';
      try {
        db.prepare('SELECT 1').get();
      } catch {
        database = 'down';
      }
      return json(req, res, database === 'up' ? 200 : 503, { status: database === 'up' ? 'healthy' : 'unhealthy', database, version: '1.0.0' });
    }
    if (get && url.pathname === '/api/auth/health') return json(req, res, 200, { status: 'healthy', algorithm: 'RS256', keys: 1 });
    if (get && url.pathname === '/.well-known/jwks.json') return json(req, res, 200, { keys: [jwt.jwk] }, { 'cache-control': 'public, max-age=300' });
    if (get && url.pathname === '/') {
      const token = createHmac('sha256', secrets.CSRF_SECRET_KEY).update(randomBytes(16)).digest('base64url');
      return send(req, res, 200, 'text/html; charset=utf-8', homePage(), {
        'cache-control': 'no-cache',
        'set-cookie': `__Host-csrf=${token}; Path=/; Secure; HttpOnly; SameSite=Strict`,
      });
    }
    if (get && url.pathname === '/docs') return html(req, res, docsPage());
    if (get && PAGES[url.pathname]) return html(req, res, simplePage(...PAGES[url.pathname]));
    if (get && url.pathname === '/metrics') return send(req, res, 200, 'text/plain; version=0.0.4', metrics(), { 'cache-control': 'no-store' });
    if (get && url.pathname === '/openapi.json') return json(req, res, 200, OPENAPI);
    if (get && STATIC[url.pathname]) {
      const file = STATIC[url.pathname];
      return send(req, res, 200, file.type, file.body, { 'cache-control': 'public, max-age=31536000, immutable' });
    }
    if (url.pathname.startsWith('/api/') && rateLimited(req, res)) return;
    if (route === 'GET /api/plans') return json(req, res, 200, { plans: planRows });
    if (route === 'GET /api/users/me') {
      return json(req, res, 401, { error: 'authentication required' }, { 'www-authenticate': 'Bearer realm="api"' });
    }
    if (url.pathname === '/api/webhooks/stripe') {
      if (req.method !== 'POST') return json(req, res, 405, { error: 'method not allowed' }, { allow: 'POST' });
      let event;
      try {
        event = Stripe.webhooks.constructEvent(body, String(req.headers['stripe-signature'] ?? ''), secrets.STRIPE_WEBHOOK_SECRET);
      } catch (err) {
        return json(req, res, 400, { error: `Webhook signature verification failed: ${err.message}` });
      }
      recordEvent.run(event.id, event.type);
      return json(req, res, 200, { received: true });
    }
    return json(req, res, 404, { error: 'not found' });
  }

  const server = https.createServer({ key: certs.key, cert: certs.cert, minVersion: 'TLSv1.2', ciphers: TLS12_CIPHERS, honorCipherOrder: true }, (req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= 1_000_000) chunks.push(c);
    });
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks));
      } catch {
        if (!res.headersSent) json(req, res, 500, { error: 'internal error' });
        else res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 1000;

  // Plain HTTP: every request gets a permanent redirect to the same path on HTTPS.
  const redirector = http.createServer((req, res) => {
    res.writeHead(301, { location: `${base}${req.url ?? '/'}`, 'content-length': '0' });
    res.end();
  });
  redirector.keepAliveTimeout = 1000;

  const listen = (srv) => new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, HOST, () => resolve(srv.address().port));
  });
  let httpsPort;
  let httpPort;
  try {
    httpsPort = await listen(server);
    base = `https://localhost:${httpsPort}`;
    httpPort = await listen(redirector);
  } catch (err) {
    server.close();
    redirector.close();
    db.close();
    throw err;
  }

  const env = {
    APP_ENV: 'production',
    DEBUG: 'false',
    LOG_LEVEL: 'info',
    BACKEND_URL: base,
    FRONTEND_URL: base,
    NEXT_PUBLIC_API_URL: base,
    NEXT_PUBLIC_APP_URL: base,
    HTTP_URL: `http://localhost:${httpPort}`,
    HTTPS_HOST: 'localhost',
    HTTPS_PORT: String(httpsPort),
    DATABASE_URL: `sqlite:///${dbPath}`,
    JWT_PRIVATE_KEY_PATH: jwt.privatePath,
    JWT_PUBLIC_KEY_PATH: jwt.publicPath,
    JWT_ALGORITHM: 'RS256',
    JWT_KID: jwt.jwk.kid,
    ACCESS_TOKEN_EXPIRE_MINUTES: '15',
    REFRESH_TOKEN_EXPIRE_DAYS: '7',
    SUPPORT_EMAIL: 'support@acme-saas.example',
    DEMO_CA_CERT: caPath,
    ...secrets,
  };

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    const close = (srv) => new Promise((resolve) => {
      srv.closeAllConnections();
      srv.close(() => resolve());
    });
    await Promise.all([close(server), close(redirector)]);
    db.close();
    if (!options.stateDir) rmSync(dir, { recursive: true, force: true });
  }

  return {
    /** https://localhost:<port> */
    url: base,
    /** http://localhost:<port> (redirects to url) */
    httpUrl: env.HTTP_URL,
    dir,
    dbPath,
    caPath,
    certNotAfter: certs.notAfter,
    /** The variables `readiness` reads to check this app (secrets included: pass them, never print them). */
    env,
    /** Names of the variables in env that are secrets. */
    secretNames: Object.keys(secrets),
    stop,
  };
}

// `node examples/app/server.mjs`: run until Ctrl-C.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const app = await startApp();
  const envFile = path.join(app.dir, 'app.env');
  writeFileSync(envFile, Object.entries(app.env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  process.stdout.write(
    `reference app listening on ${app.url} (HTTP redirect on ${app.httpUrl})\n` +
      `state in ${app.dir}; variables (secrets included) in ${envFile}\n` +
      `check it:  NODE_EXTRA_CA_CERTS=${app.caPath} npx readiness check -p examples/demo/readiness.yaml --env-file ${envFile}\n` +
      'Ctrl-C stops it and removes the state.\n',
  );
  const shutdown = () => app.stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
