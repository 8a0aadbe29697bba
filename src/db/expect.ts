// Schema and seed-data expectations shared by postgres.schema/rows and sqlite.schema/rows:
// the parameter shapes, the facts the I/O gathers, and the pure decisions (facts in → Verdict out).
import { z } from 'zod';
import { combine, error, fail, type Verdict } from '../check.js';
import { boolish, intish, oneOrMany } from '../params.js';
import { compactEvidence, looseEqual, plainRow, plainValue, show } from './compare.js';

// ---------------------------------------------------------------------------------------------
// Schema

/** Migration tables of the common tools, in the order they are looked for. */
export const KNOWN_MIGRATION_TABLES = [
  'alembic_version', // Alembic (SQLAlchemy)
  '_prisma_migrations', // Prisma
  'knex_migrations', // Knex
  'schema_migrations', // Rails, golang-migrate, dbmate
  'flyway_schema_history', // Flyway
  'django_migrations', // Django
  'SequelizeMeta', // Sequelize
  'typeorm_migrations', // TypeORM
  'migrations', // TypeORM default, Laravel
] as const;

const migrationsParam = z
  .union([
    boolish(),
    z
      .object({
        table: z.string().min(1).optional().describe(`Migrations table; default: the first found of ${KNOWN_MIGRATION_TABLES.join(', ')}`),
        head: oneOrMany(z.union([z.string(), z.number()]).transform(String))
          .optional()
          .describe('Expected latest applied migration (Alembic: the version_num; a list for several Alembic heads)'),
        min_applied: intish().optional().describe('At least this many applied migrations'),
      })
      .strict(),
  ])
  .optional()
  .describe('Check migrations: `true` = a migrations table exists with no failed or half-applied entry; or {table, head, min_applied}');

export const schemaExpectationParams = {
  tables: z.array(z.string().min(1)).default([]).describe('Tables (or views) that must exist'),
  min_tables: intish().optional().describe('At least this many tables in the schema (checklist: 11)'),
  exact_tables: boolish().default(false).describe('Fail when the schema holds tables that are not listed in `tables`'),
  columns: z
    .record(z.string(), z.array(z.string().min(1)))
    .default({})
    .describe('Columns that must exist, per table: `{ users: [id, email], plans: [name, price_cents] }`'),
  extensions: z.array(z.string().min(1)).default([]).describe('PostgreSQL extensions that must be installed (not applicable to SQLite)'),
  migrations: migrationsParam,
};

export interface MigrationExpectation {
  table?: string;
  head?: string[];
  min_applied?: number;
}

export interface SchemaExpectation {
  tables: string[];
  min_tables?: number;
  exact_tables: boolean;
  columns: Record<string, string[]>;
  extensions: string[];
  migrations?: boolean | MigrationExpectation;
}

export interface SchemaFacts {
  engine: 'postgres' | 'sqlite';
  /** `public`, or `main` for SQLite. */
  schema: string;
  /** Base tables → their columns. */
  tables: Record<string, string[]>;
  /** Views → their columns (an expected "table" may be a view; views do not count toward min_tables). */
  views: Record<string, string[]>;
  /** Installed extensions → version; undefined where extensions do not exist (SQLite). */
  extensions?: Record<string, string>;
  /** Rows of the migrations table, when one was read. */
  migrations?: { table: string; rows: Record<string, unknown>[] };
  /** Why the installed extensions could not be read (then they are not judged). */
  extensionsError?: string;
  /** Why the migrations table could not be read (then the migrations are not judged). */
  migrationsError?: { table: string; error: string };
}

export function migrationExpectation(value: SchemaExpectation['migrations']): MigrationExpectation | undefined {
  if (value === undefined || value === false) return undefined;
  return value === true ? {} : value;
}

/** Which migrations table to read, given the tables that exist; undefined when none is there. */
export function pickMigrationsTable(expect: MigrationExpectation | undefined, tables: string[]): string | undefined {
  if (!expect) return undefined;
  if (expect.table) return tables.includes(expect.table) ? expect.table : undefined;
  return KNOWN_MIGRATION_TABLES.find((t) => tables.includes(t));
}

export interface MigrationSummary {
  table: string;
  tool: string;
  applied: number;
  /** Latest applied migration(s). */
  heads: string[];
  /** Every applied migration name/version, to tell "pending" from "ahead". */
  appliedNames: string[];
  /** Entries that failed or stopped halfway. */
  failed: string[];
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(plainValue(v)));

function byNatural(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Reads what each tool writes into its table. Pure: rows in, summary out. */
export function summarizeMigrations(table: string, rows: Record<string, unknown>[]): MigrationSummary {
  const has = (col: string) => rows.length > 0 && col in rows[0];
  const base = { table, applied: rows.length, failed: [] as string[] };
  const latest = (names: string[]) => (names.length ? [[...names].sort(byNatural).at(-1)!] : []);

  if (table === 'alembic_version' || has('version_num')) {
    const heads = rows.map((r) => str(r.version_num)).sort();
    return { ...base, tool: 'Alembic', heads, appliedNames: heads };
  }
  if (table === '_prisma_migrations' || (has('migration_name') && has('finished_at'))) {
    const done = rows.filter((r) => r.finished_at != null && r.rolled_back_at == null);
    const failed = rows.filter((r) => r.finished_at == null && r.rolled_back_at == null).map((r) => str(r.migration_name));
    const names = done.map((r) => str(r.migration_name));
    return { ...base, tool: 'Prisma', applied: done.length, heads: latest(names), appliedNames: names, failed };
  }
  if (table === 'flyway_schema_history' || (has('installed_rank') && has('success'))) {
    const ok = (r: Record<string, unknown>) => r.success === true || r.success === 1 || r.success === 't';
    const done = rows.filter((r) => ok(r) && r.version != null);
    const failed = rows.filter((r) => !ok(r)).map((r) => str(r.version ?? r.description));
    const names = done.map((r) => str(r.version));
    return { ...base, tool: 'Flyway', applied: done.length, heads: latest(names), appliedNames: names, failed };
  }
  if (has('dirty') && has('version')) {
    // golang-migrate: one row, dirty = a migration failed halfway.
    const names = rows.map((r) => str(r.version));
    const failed = rows.filter((r) => r.dirty === true || r.dirty === 1 || r.dirty === 't').map((r) => str(r.version));
    return { ...base, tool: 'golang-migrate', heads: latest(names), appliedNames: names, failed };
  }
  if (has('app') && has('name') && has('applied')) {
    const names = rows.map((r) => `${str(r.app)}.${str(r.name)}`);
    return { ...base, tool: 'Django', heads: [], appliedNames: names };
  }
  const column = ['version', 'name', 'migration', 'migration_name'].find(has);
  const names = column ? rows.map((r) => str(r[column])) : [];
  const tool = table === 'knex_migrations' ? 'Knex' : table === 'schema_migrations' ? 'Rails/dbmate' : 'migrations table';
  return { ...base, tool, heads: latest(names), appliedNames: names };
}

export function evaluateMigrations(summary: MigrationSummary | undefined, expect: MigrationExpectation, schema: string): Verdict {
  if (!summary) {
    const where = expect.table ? `table ${expect.table}` : `any of ${KNOWN_MIGRATION_TABLES.slice(0, 5).join(', ')}…`;
    return fail(`no migrations table in schema ${schema} (looked for ${where}): migrations were never run`, undefined,
      'Run the migrations (alembic upgrade head, prisma migrate deploy, knex migrate:latest…) against this database.');
  }
  const parts: Verdict[] = [];
  if (summary.failed.length) {
    parts.push(fail(`${summary.table} has ${summary.failed.length} failed or unfinished migration(s): ${summary.failed.slice(0, 5).join(', ')}`, undefined,
      'Fix the failed migration, mark it resolved (prisma migrate resolve, migrate force…) and run the migrations again.'));
  }
  if (summary.applied === 0) parts.push(fail(`${summary.table} is empty: no migration has been applied`));
  if (expect.min_applied !== undefined && summary.applied < expect.min_applied) {
    parts.push(fail(`${summary.applied} migrations applied, expected at least ${expect.min_applied}`));
  }
  if (expect.head?.length) {
    const want = [...expect.head].sort();
    const got = [...summary.heads].sort();
    if (want.join('\n') !== got.join('\n')) {
      const pending = want.filter((h) => !summary.appliedNames.includes(h));
      const why = pending.length ? ` (${pending.join(', ')} not applied yet: migrations are pending)` : ' (the database is ahead of the expected head)';
      parts.push(fail(`migration head is ${got.join(', ') || 'nothing'}, expected ${want.join(', ')}${why}`, undefined,
        'Run the pending migrations (or update the expected head in the profile after a new release).'));
    }
  }
  const head = summary.heads.length ? ` at ${summary.heads.join(', ')}` : '';
  return combine(parts, `${summary.tool} migrations${head} (${summary.applied} applied)`);
}

function listNames(names: string[], max = 8): string {
  return names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');
}

export function evaluateSchema(facts: SchemaFacts, expect: SchemaExpectation): Verdict {
  const tableNames = Object.keys(facts.tables).sort();
  const present = (name: string) => name in facts.tables || name in facts.views;
  const parts: Verdict[] = [];
  const where = facts.engine === 'sqlite' ? 'database' : `schema ${facts.schema}`;

  const missingTables = expect.tables.filter((t) => !present(t));
  if (missingTables.length) {
    parts.push(fail(`${missingTables.length} of ${expect.tables.length} expected tables missing: ${listNames(missingTables)}`));
  }
  const listed = new Set([...expect.tables, ...Object.keys(expect.columns)]);
  const unexpected = expect.tables.length ? tableNames.filter((t) => !listed.has(t)) : [];
  if (expect.exact_tables && unexpected.length) {
    parts.push(fail(`${unexpected.length} unexpected table(s) in ${where}: ${listNames(unexpected)}`));
  }
  if (expect.min_tables !== undefined && tableNames.length < expect.min_tables) {
    parts.push(fail(`${where} has ${tableNames.length} tables, expected at least ${expect.min_tables}`));
  }

  const missingColumns: string[] = [];
  for (const [table, columns] of Object.entries(expect.columns)) {
    const actual = facts.tables[table] ?? facts.views[table];
    if (!actual) {
      if (!missingTables.includes(table)) missingTables.push(table);
      continue;
    }
    for (const column of columns) if (!actual.includes(column)) missingColumns.push(`${table}.${column}`);
  }
  const columnTablesMissing = missingTables.filter((t) => !expect.tables.includes(t));
  if (columnTablesMissing.length) parts.push(fail(`table(s) missing: ${listNames(columnTablesMissing)}`));
  if (missingColumns.length) parts.push(fail(`${missingColumns.length} column(s) missing: ${listNames(missingColumns)}`));

  const details: Record<string, unknown> = {
    missing_tables: missingTables,
    unexpected_tables: unexpected,
    missing_columns: missingColumns,
  };

  if (expect.extensions.length) {
    if (facts.extensionsError) {
      parts.push(error(`could not read the installed extensions: ${facts.extensionsError}`));
    } else if (!facts.extensions) {
      details.extensions = `not applicable to ${facts.engine === 'sqlite' ? 'SQLite' : facts.engine}: not checked`;
    } else {
      const missingExt = expect.extensions.filter((e) => !(e in facts.extensions!));
      details.missing_extensions = missingExt;
      if (missingExt.length) parts.push(fail(`extension(s) not installed: ${missingExt.join(', ')}`, undefined,
        `Install them as a privileged user: ${missingExt.map((e) => `CREATE EXTENSION IF NOT EXISTS "${e}";`).join(' ')}`));
    }
  }

  const migExpect = migrationExpectation(expect.migrations);
  let migrationText = '';
  if (migExpect && facts.migrationsError) {
    parts.push(error(`could not read the migrations table ${facts.migrationsError.table}: ${facts.migrationsError.error}`));
  } else if (migExpect) {
    const summary = facts.migrations ? summarizeMigrations(facts.migrations.table, facts.migrations.rows) : undefined;
    const verdict = evaluateMigrations(summary, migExpect, facts.schema);
    parts.push(verdict);
    if (summary) details.migrations = { table: summary.table, tool: summary.tool, applied: summary.applied, heads: summary.heads, failed: summary.failed };
    if (verdict.status === 'pass') migrationText = `; ${verdict.message}`;
  }

  const evidence = compactEvidence({
    expected: {
      tables: expect.tables.length ? expect.tables : undefined,
      min_tables: expect.min_tables,
      columns: Object.keys(expect.columns).length ? expect.columns : undefined,
      extensions: expect.extensions.length ? expect.extensions : undefined,
      migrations: migExpect && Object.keys(migExpect).length === 0 ? 'a migrations table with no failed or half-applied entry' : migExpect,
    },
    actual: { table_count: tableNames.length, tables: tableNames, views: Object.keys(facts.views).sort(), extensions: facts.extensions },
    details,
  });
  const expectedText = expect.tables.length ? `; all ${expect.tables.length} expected tables present` : '';
  return combine(parts, `${where} has ${tableNames.length} tables${expectedText}${migrationText}`, evidence);
}

// ---------------------------------------------------------------------------------------------
// Rows (seed data)

/** A single read-only statement: SELECT / WITH / VALUES / TABLE, no second statement. */
export function readOnlyQueryProblem(sql: string): string | undefined {
  const text = sql.trim().replace(/;\s*$/, '');
  if (!text) return 'query is empty';
  const noStrings = text.replace(/'(?:[^']|'')*'/g, "''");
  if (noStrings.includes(';')) return 'query must be a single statement (it contains ";")';
  if (!/^\(?\s*(select|with|values|table)\b/i.test(text)) return 'query must be a SELECT (or WITH … SELECT / VALUES / TABLE)';
  if (/\b(insert|update|delete|merge|truncate|drop|alter|create|grant|revoke|copy|call|do|vacuum|lock)\b/i.test(noStrings.replace(/"(?:[^"]|"")*"/g, '""'))
    && /^\s*with\b/i.test(text)) {
    return 'query must not modify data (data-modifying WITH is not allowed)';
  }
  return undefined;
}

export const rowsExpectationParams = {
  table: z.string().min(1).optional().describe('Table to read (`plans` or `schema.plans`); or give `query`'),
  query: z.string().min(1).optional().describe('A read-only SELECT to run instead of reading a whole table (run in a READ ONLY transaction)'),
  count: intish().optional().describe('Exact number of rows expected (checklist: 4 subscription plans)'),
  min_count: intish().optional().describe('At least this many rows'),
  max_count: intish().optional().describe('At most this many rows'),
  rows: z
    .array(z.record(z.string(), z.unknown()))
    .optional()
    .describe('Rows that must be present; each lists only the columns it cares about: `{ name: Starter, price_cents: 1900 }`'),
  key: z.string().min(1).optional().describe('Column that identifies a row (e.g. `name`), so a row with wrong values is shown as different rather than missing'),
  exact_rows: boolish().default(false).describe('Fail when the result holds rows that match none of `rows`'),
  max_rows: intish().default(1000).describe('Most rows read to compare with `rows`'),
};

export interface RowsExpectation {
  count?: number;
  min_count?: number;
  max_count?: number;
  rows?: Record<string, unknown>[];
  key?: string;
  exact_rows: boolean;
}

/** Problems in a rows expectation that make the check misconfigured (error, not fail). */
export function rowsParamsProblem(p: { table?: string; query?: string; rows?: Record<string, unknown>[]; key?: string }): string | undefined {
  if (!p.table && !p.query) return 'give either `table` or `query`';
  if (p.table && p.query) return 'give `table` or `query`, not both';
  if (p.query) {
    const problem = readOnlyQueryProblem(p.query);
    if (problem) return problem;
  }
  if (p.key && p.rows?.some((r) => !(p.key! in r))) return `every expected row needs the key column "${p.key}"`;
  return undefined;
}

export interface RowsFacts {
  /** `table plans` or `query`. */
  source: string;
  count: number;
  /** Rows read (at most max_rows), when rows were compared. */
  rows?: Record<string, unknown>[];
  truncated?: boolean;
  /** Why the rows could not be read after the count was (then they are not compared). */
  rowsError?: string;
}

interface RowDifference {
  row: string;
  differences: { column: string; expected: unknown; actual: unknown }[];
  actual?: Record<string, unknown>;
}

function rowLabel(row: Record<string, unknown>, key?: string): string {
  if (key) return `${key}=${show(row[key])}`;
  return Object.entries(row).slice(0, 3).map(([k, v]) => `${k}=${show(v)}`).join(', ');
}

function diffRow(expected: Record<string, unknown>, actual: Record<string, unknown>) {
  return Object.entries(expected)
    .filter(([column, value]) => !(column in actual) || !looseEqual(value, actual[column]))
    .map(([column, value]) => ({ column, expected: value, actual: column in actual ? plainValue(actual[column]) : '(no such column)' }));
}

export function evaluateRows(facts: RowsFacts, expect: RowsExpectation): Verdict {
  const parts: Verdict[] = [];
  // Evidence shows only the columns the profile asks about: a seed table may hold hashes or tokens.
  const shownColumns = [...new Set([...(expect.key ? [expect.key] : []), ...(expect.rows ?? []).flatMap((r) => Object.keys(r))])];
  const visible = (row: Record<string, unknown>) => plainRow(Object.fromEntries(shownColumns.filter((c) => c in row).map((c) => [c, row[c]])));
  const n = facts.count;
  const what = facts.source;
  if (expect.count !== undefined && n !== expect.count) parts.push(fail(`${what} has ${n} rows, expected ${expect.count}`));
  if (expect.min_count !== undefined && n < expect.min_count) parts.push(fail(`${what} has ${n} rows, expected at least ${expect.min_count}`));
  if (expect.max_count !== undefined && n > expect.max_count) parts.push(fail(`${what} has ${n} rows, expected at most ${expect.max_count}`));
  const noExpectation = expect.count === undefined && expect.min_count === undefined && expect.max_count === undefined && !expect.rows;
  if (noExpectation && n === 0) parts.push(fail(`${what} is empty, expected at least one row`));

  const details: Record<string, unknown> = {};
  if (expect.rows && facts.rowsError) {
    parts.push(error(`could not read the rows of ${what}: ${facts.rowsError}`));
  } else if (expect.rows) {
    const actualRows = facts.rows ?? [];
    const used = new Set<number>();
    const missing: string[] = [];
    const differing: RowDifference[] = [];
    for (const want of expect.rows) {
      let index: number;
      if (expect.key) {
        index = actualRows.findIndex((r, i) => !used.has(i) && looseEqual(want[expect.key!], r[expect.key!]));
      } else {
        index = actualRows.findIndex((r, i) => !used.has(i) && diffRow(want, r).length === 0);
      }
      if (index === -1) {
        if (!expect.key) {
          // Show the closest row so the reader sees what differs.
          let best = -1;
          let bestDiff = Infinity;
          actualRows.forEach((r, i) => {
            const d = diffRow(want, r).length;
            if (!used.has(i) && d < bestDiff && d < Object.keys(want).length) { best = i; bestDiff = d; }
          });
          if (best !== -1) {
            differing.push({ row: rowLabel(want), differences: diffRow(want, actualRows[best]), actual: visible(actualRows[best]) });
            used.add(best);
            continue;
          }
        }
        missing.push(rowLabel(want, expect.key));
        continue;
      }
      used.add(index);
      const differences = diffRow(want, actualRows[index]);
      if (differences.length) differing.push({ row: rowLabel(want, expect.key), differences, actual: visible(actualRows[index]) });
    }
    const unexpected = expect.exact_rows ? actualRows.filter((_, i) => !used.has(i)).map(visible) : [];
    // Only the first max_rows rows were read: a row not among them may still be in the table, and without a key
    // a "differing" row is only the closest one read. Those are unknown, not findings.
    const cut = `only the first ${actualRows.length} rows were read (raise max_rows)`;
    const definite = facts.truncated && !expect.key ? [] : differing;
    const unsure = facts.truncated && !expect.key ? differing : [];
    if (definite.length) {
      const text = definite.slice(0, 4).map((d) => `${d.row}: ${d.differences.map((x) => `${x.column} is ${show(x.actual)}, expected ${show(x.expected)}`).join(', ')}`);
      parts.push(fail(`${definite.length} row(s) differ in ${what}: ${text.join('; ')}${definite.length > 4 ? '; …' : ''}`));
    }
    const notFound = [...missing, ...unsure.map((d) => d.row)];
    if (notFound.length && facts.truncated) parts.push(error(`cannot tell whether ${notFound.length} expected row(s) are in ${what}: ${listNames(notFound, 5)}; ${cut}`));
    else if (missing.length) parts.push(fail(`${missing.length} expected row(s) missing from ${what}: ${listNames(missing, 5)}`));
    if (unexpected.length) {
      parts.push(fail(`${unexpected.length} unexpected row(s) in ${what}: ${listNames(unexpected.map((r) => rowLabel(r, expect.key)), 5)}`));
    }
    Object.assign(details, { differing, missing, unexpected });
  }

  const evidence = compactEvidence({
    expected: { count: expect.count, min_count: expect.min_count, max_count: expect.max_count, rows: expect.rows, key: expect.key },
    actual: { count: n, rows: facts.rows?.slice(0, 50).map(visible), columns_shown: facts.rows ? shownColumns : undefined },
    details,
  });
  const rowsText = expect.rows ? `, all ${expect.rows.length} expected rows match` : '';
  return combine(parts, `${what} has ${n} rows${rowsText}`, evidence);
}
