// Real PostgreSQL for tests: throwaway clusters (own data dir and port: TLS, scram passwords,
// statement logging, archiving) and unique databases on the machine's server at 127.0.0.1:5432.
import { execFile as execFileCb, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const execFile = promisify(execFileCb);
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A TCP server that accepts connections and never answers; for "hung server" tests. */
export async function startSilentServer(): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    port: (srv.address() as net.AddressInfo).port,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      srv.close(() => resolve());
    }),
  };
}

export interface TempPostgresOptions {
  /** ssl=on with a self-signed certificate made by openssl. */
  ssl?: boolean;
  /** scram-sha-256 for TCP connections; the superuser `postgres` gets this password. Default: trust. */
  password?: string;
  /** log_statement=all with application_name in the line prefix. */
  logStatements?: boolean;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
}

export interface TempPostgres {
  host: string;
  port: number;
  dir: string;
  /** A URL for the superuser (with the password when there is one). */
  url(db?: string): string;
  /** Runs SQL as the superuser (setup only: the checks under test never write). */
  exec(sql: string, db?: string): Promise<pg.QueryResult>;
  log(): string;
  stop(): Promise<void>;
}

function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

export async function startTempPostgres(options: TempPostgresOptions = {}): Promise<TempPostgres> {
  if (!existsSync(path.join(PG_BIN, 'initdb'))) {
    throw new Error(`PostgreSQL server binaries not found in ${PG_BIN}: install postgresql-15 (apt-get install postgresql-15) or set PG_BIN`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'readiness-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const owner = statSync(dir);
  const own = (file: string) => chownSync(file, owner.uid, owner.gid);

  const initArgs = ['-D', data, '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions', '--auth-local=trust'];
  if (options.password) {
    const pwfile = path.join(dir, 'pw');
    writeFileSync(pwfile, `${options.password}\n`, { mode: 0o600 });
    own(pwfile);
    initArgs.push(`--pwfile=${pwfile}`, '--auth-host=scram-sha-256');
  } else {
    initArgs.push('--auth-host=trust');
  }
  await execFile(...asPostgres(path.join(PG_BIN, 'initdb'), initArgs));

  const port = await freePort();
  const conf: Record<string, string> = {
    listen_addresses: "'127.0.0.1'",
    port: String(port),
    unix_socket_directories: `'${dir}'`,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    shared_buffers: "'16MB'",
    max_connections: '30',
    ...options.settings,
  };
  if (options.ssl) {
    const crt = path.join(dir, 'server.crt');
    const key = path.join(dir, 'server.key');
    await execFile('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '2', '-subj', '/CN=localhost']);
    own(crt);
    own(key);
    chmodSync(key, 0o600);
    Object.assign(conf, { ssl: 'on', ssl_cert_file: `'${crt}'`, ssl_key_file: `'${key}'` });
  }
  if (options.logStatements) Object.assign(conf, { log_statement: "'all'", log_line_prefix: "'app=%a '" });
  writeFileSync(path.join(data, 'postgresql.auto.conf'), Object.entries(conf).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  own(path.join(data, 'postgresql.auto.conf'));
  await execFile(...asPostgres(path.join(PG_BIN, 'pg_ctl'), ['-D', data, '-l', logFile, '-w', '-t', '60', 'start']));

  const pw = options.password ? `:${encodeURIComponent(options.password)}` : '';
  const url = (db = 'postgres') => `postgres://postgres${pw}@127.0.0.1:${port}/${db}?sslmode=${options.ssl ? 'require' : 'disable'}`;
  return {
    host: '127.0.0.1',
    port,
    dir,
    url,
    async exec(sql, db = 'postgres') {
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: options.password, database: db, ssl: options.ssl ? { rejectUnauthorized: false } : false });
      await client.connect();
      try {
        return await client.query(sql);
      } finally {
        await client.end();
      }
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async stop() {
      await execFile(...asPostgres(path.join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'])).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The machine's PostgreSQL (trust auth for user postgres). */
export const MACHINE_PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };

async function machineClient(database = 'postgres'): Promise<pg.Client> {
  const client = new pg.Client({ ...MACHINE_PG, database, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`the machine's PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth) is needed for this test: ${(err as Error).message}. Start it with \`service postgresql start\`.`);
  }
  return client;
}

export interface TestDatabase {
  name: string;
  url: string;
  exec(sql: string): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

/** Creates a uniquely named database on the machine's server, runs `setupSql` in it; drop() removes it. */
export async function createTestDatabase(setupSql = ''): Promise<TestDatabase> {
  const name = `readiness_test_${randomBytes(5).toString('hex')}`;
  const admin = await machineClient();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const exec = async (sql: string) => {
    const c = await machineClient(name);
    try {
      return await c.query(sql);
    } finally {
      await c.end();
    }
  };
  if (setupSql) await exec(setupSql);
  return {
    name,
    url: `postgres://postgres@127.0.0.1:5432/${name}?sslmode=disable`,
    exec,
    async drop() {
      const c = await machineClient();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** An app-like schema: 11 tables, Alembic at head `c3d4e5f6a7b8`, 4 subscription plans. */
export const APP_SCHEMA_SQL = `
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, password_hash text NOT NULL, created_at timestamptz DEFAULT now());
CREATE TABLE plans (id serial PRIMARY KEY, name text NOT NULL UNIQUE, price_cents integer NOT NULL, interval text NOT NULL, active boolean NOT NULL DEFAULT true, price numeric(10,2));
CREATE TABLE subscriptions (id serial PRIMARY KEY, user_id int REFERENCES users, plan_id int REFERENCES plans, status text);
CREATE TABLE invoices (id serial PRIMARY KEY, subscription_id int REFERENCES subscriptions, amount_cents int);
CREATE TABLE payments (id serial PRIMARY KEY, invoice_id int REFERENCES invoices, stripe_id text);
CREATE TABLE api_keys (id serial PRIMARY KEY, user_id int REFERENCES users, hash text);
CREATE TABLE sessions (id serial PRIMARY KEY, user_id int REFERENCES users, expires_at timestamptz);
CREATE TABLE audit_log (id bigserial PRIMARY KEY, action text);
CREATE TABLE email_templates (id serial PRIMARY KEY, name text);
CREATE TABLE webhooks (id serial PRIMARY KEY, event text);
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);
INSERT INTO alembic_version VALUES ('c3d4e5f6a7b8');
INSERT INTO plans (name, price_cents, interval, price) VALUES
  ('Free', 0, 'month', 0), ('Starter', 1900, 'month', 19.00), ('Professional', 4900, 'month', 49.00), ('Enterprise', 19900, 'month', 199.00);
`;

export const EXPECTED_PLANS = [
  { name: 'Free', price_cents: 0 },
  { name: 'Starter', price_cents: 1900 },
  { name: 'Professional', price_cents: 4900 },
  { name: 'Enterprise', price_cents: 19900 },
];
