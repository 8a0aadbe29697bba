// The reference app's SQLite database (the embedded default): the checklist's 11 tables and its
// 4 subscription plans, created by two recorded migrations like a migration tool would.
import Database from 'better-sqlite3';

/** The 11 tables, in creation order (schema_migrations included: it is part of the schema). */
export const TABLES = [
  'schema_migrations',
  'users',
  'plans',
  'subscriptions',
  'invoices',
  'payments',
  'sessions',
  'token_blacklist',
  'api_keys',
  'webhook_events',
  'audit_log',
];

/** The checklist's plans: Free $0, Starter $29/$290, Professional $99/$990, Enterprise $499/$4,990. */
export const PLANS = [
  { slug: 'free', name: 'Free', price_monthly_cents: 0, price_yearly_cents: 0 },
  { slug: 'starter', name: 'Starter', price_monthly_cents: 2900, price_yearly_cents: 29000 },
  { slug: 'professional', name: 'Professional', price_monthly_cents: 9900, price_yearly_cents: 99000 },
  { slug: 'enterprise', name: 'Enterprise', price_monthly_cents: 49900, price_yearly_cents: 499000 },
];

const MIGRATIONS = [
  {
    version: '20251001000000',
    name: 'initial schema',
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
        is_active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL DEFAULT (datetime('now'))
      );
      CREATE TABLE plans (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL UNIQUE,
        price_monthly_cents INTEGER NOT NULL,
        price_yearly_cents INTEGER NOT NULL,
        currency TEXT NOT NULL DEFAULT 'usd',
        stripe_price_monthly TEXT,
        stripe_price_yearly TEXT,
        active INTEGER NOT NULL DEFAULT 1
      );
      CREATE TABLE subscriptions (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        plan_id INTEGER NOT NULL REFERENCES plans(id),
        status TEXT NOT NULL,
        billing_interval TEXT NOT NULL CHECK (billing_interval IN ('month', 'year')),
        stripe_subscription_id TEXT UNIQUE,
        current_period_end TEXT
      );
      CREATE TABLE invoices (
        id INTEGER PRIMARY KEY,
        subscription_id INTEGER NOT NULL REFERENCES subscriptions(id),
        stripe_invoice_id TEXT UNIQUE,
        amount_cents INTEGER NOT NULL,
        status TEXT NOT NULL
      );
      CREATE TABLE payments (
        id INTEGER PRIMARY KEY,
        invoice_id INTEGER NOT NULL REFERENCES invoices(id),
        stripe_payment_intent_id TEXT UNIQUE,
        amount_cents INTEGER NOT NULL,
        status TEXT NOT NULL
      );
      CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        refresh_token_hash TEXT NOT NULL UNIQUE,
        expires_at TEXT NOT NULL
      );
      CREATE TABLE token_blacklist (
        jti TEXT PRIMARY KEY,
        expires_at TEXT NOT NULL
      );
      CREATE TABLE api_keys (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        key_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL DEFAULT (datetime('now'))
      );
      CREATE TABLE webhook_events (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        received_at TEXT NOT NULL DEFAULT (datetime('now'))
      );
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        user_id INTEGER REFERENCES users(id),
        action TEXT NOT NULL,
        at TEXT NOT NULL DEFAULT (datetime('now'))
      );`,
  },
  {
    version: '20251002000000',
    name: 'seed subscription plans',
    seed: (db) => {
      const insert = db.prepare(
        'INSERT INTO plans (slug, name, price_monthly_cents, price_yearly_cents) VALUES (@slug, @name, @price_monthly_cents, @price_yearly_cents)',
      );
      for (const plan of PLANS) insert.run(plan);
    },
  },
];

/** Creates the database file with the schema and seeds; returns the open connection. */
export function createDatabase(file) {
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  db.exec('CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (datetime(\'now\')))');
  const record = db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
  for (const m of MIGRATIONS) {
    db.transaction(() => {
      if (m.sql) db.exec(m.sql);
      if (m.seed) m.seed(db);
      record.run(m.version, m.name);
    })();
  }
  return db;
}

/** The latest migration version: what the demo profile expects as the migration head. */
export const MIGRATION_HEAD = MIGRATIONS.at(-1).version;
