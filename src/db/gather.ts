// Fact gathering for the schema and rows checks on either engine, so postgres.schema/rows and
// sqlite.schema/rows (and a sqlite: DATABASE_URL given to a postgres.* check) share one path.
import { error, type CheckLogger, type Verdict } from '../check.js';
import { quoteIdent } from './compare.js';
import {
  evaluateRows,
  evaluateSchema,
  migrationExpectation,
  pickMigrationsTable,
  rowsParamsProblem,
  type RowsExpectation,
  type RowsFacts,
  type SchemaExpectation,
  type SchemaFacts,
} from './expect.js';
import { DbCheckError, dbErrorVerdict, describePgError, withReadOnlyPg, type PgQuery } from './pg.js';
import { readOnlyAll, withReadOnlySqlite, type SqliteDb } from './sqlite.js';
import type { DbTarget } from './target.js';

export interface DbRunContext {
  timeoutMs: number;
  signal: AbortSignal;
  log: CheckLogger;
}

const MIGRATION_ROWS_LIMIT = 10_000;

/** A DbCheckError becomes `error` (could not check), except a missing table/column, which is a finding. */
export function verdictFromError(err: unknown, target?: string): Verdict {
  if (err instanceof DbCheckError) return dbErrorVerdict(err.kind === 'missing' ? 'fail' : 'error', err, target ? { target } : undefined);
  return error(`unexpected failure: ${(err as Error)?.message ?? String(err)}`.split('\n')[0]);
}

/**
 * Runs one query of a check whose earlier queries already gave facts: its failure leaves only its own part
 * unjudged (`partError` says why, or rethrows when the check was stopped). A savepoint keeps the READ ONLY
 * transaction usable for the queries after it.
 */
async function pgPart<T>(query: PgQuery, fn: () => Promise<T>, partError: (err: unknown) => string): Promise<{ value: T } | { error: string }> {
  await query('SAVEPOINT readiness_part');
  try {
    const value = await fn();
    await query('RELEASE SAVEPOINT readiness_part');
    return { value };
  } catch (err) {
    const error = partError(err);
    await query('ROLLBACK TO SAVEPOINT readiness_part');
    return { error };
  }
}

function partErrorFor(target: DbTarget & { kind: 'postgres' }, ctx: DbRunContext): (err: unknown) => string {
  return (err) => {
    if (ctx.signal.aborted) throw err;
    return describePgError(err, target, ctx.timeoutMs, false, 'query').message;
  };
}

async function pgSchemaFacts(query: PgQuery, schema: string, expect: SchemaExpectation, partError: (err: unknown) => string): Promise<SchemaFacts> {
  const rels = await query<{ name: string; kind: string; column: string | null }>(
    `SELECT c.relname AS name, c.relkind::text AS kind, a.attname AS column
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
  const tables: Record<string, string[]> = {};
  const views: Record<string, string[]> = {};
  for (const r of rels) {
    const bucket = r.kind === 'v' || r.kind === 'm' ? views : tables;
    bucket[r.name] ??= [];
    if (r.column) bucket[r.name].push(r.column);
  }
  // The tables are known: the extensions and the migrations table are parts of their own.
  const facts: SchemaFacts = { engine: 'postgres', schema, tables, views };
  const ext = await pgPart(query, () => query<{ extname: string; extversion: string }>('SELECT extname, extversion FROM pg_catalog.pg_extension'), partError);
  if ('value' in ext) facts.extensions = Object.fromEntries(ext.value.map((e) => [e.extname, e.extversion]));
  else facts.extensionsError = ext.error;
  const migTable = pickMigrationsTable(migrationExpectation(expect.migrations), Object.keys(tables));
  if (migTable) {
    const rows = await pgPart(query, () => query(`SELECT * FROM ${quoteIdent(schema)}.${quoteIdent(migTable)} LIMIT ${MIGRATION_ROWS_LIMIT}`), partError);
    if ('value' in rows) facts.migrations = { table: migTable, rows: rows.value };
    else facts.migrationsError = { table: migTable, error: rows.error };
  }
  return facts;
}

function sqliteSchemaFacts(db: SqliteDb, expect: SchemaExpectation): SchemaFacts {
  const rels = readOnlyAll(db, "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name") as { name: string; type: string }[];
  const tables: Record<string, string[]> = {};
  const views: Record<string, string[]> = {};
  for (const r of rels) {
    const columns = (readOnlyAll(db, 'SELECT name FROM pragma_table_info(?)', r.name) as { name: string }[]).map((c) => c.name);
    (r.type === 'view' ? views : tables)[r.name] = columns;
  }
  const facts: SchemaFacts = { engine: 'sqlite', schema: 'main', tables, views };
  const migTable = pickMigrationsTable(migrationExpectation(expect.migrations), Object.keys(tables));
  if (migTable) facts.migrations = { table: migTable, rows: readOnlyAll(db, `SELECT * FROM ${quoteIdent(migTable)} LIMIT ${MIGRATION_ROWS_LIMIT}`) };
  return facts;
}

export async function runSchemaCheck(target: DbTarget, schema: string, expect: SchemaExpectation, ctx: DbRunContext): Promise<Verdict> {
  try {
    const facts = target.kind === 'sqlite'
      ? await withReadOnlySqlite(target, ctx.timeoutMs, (db) => sqliteSchemaFacts(db, expect))
      : await withReadOnlyPg(target, ctx, (query) => pgSchemaFacts(query, schema, expect, partErrorFor(target, ctx)));
    ctx.log.debug(`${target.kind}: ${Object.keys(facts.tables).length} tables in ${facts.schema} of ${target.label}`);
    return evaluateSchema(facts, expect);
  } catch (err) {
    return verdictFromError(err, target.label);
  }
}

export interface RowsInput extends RowsExpectation {
  table?: string;
  query?: string;
  max_rows: number;
}

function fromClause(input: RowsInput): string {
  return input.table ? quoteIdent(input.table) : `(${input.query!.trim().replace(/;\s*$/, '')}) AS readiness_q`;
}

export async function runRowsCheck(target: DbTarget, input: RowsInput, ctx: DbRunContext): Promise<Verdict> {
  const problem = rowsParamsProblem(input);
  if (problem) {
    return {
      ...error(`the check is misconfigured: ${problem}`),
      remediation: 'Fix the check in the profile: give `table` (e.g. plans) or one read-only `query` (SELECT …, WITH … SELECT, VALUES or TABLE), and the key column in every expected row.',
    };
  }
  const from = fromClause(input);
  const source = input.table ? `table ${input.table}` : 'query result';
  const limit = Math.max(1, input.max_rows);
  try {
    let facts: RowsFacts;
    if (target.kind === 'sqlite') {
      facts = await withReadOnlySqlite(target, ctx.timeoutMs, (db) => {
        const count = Number((readOnlyAll(db, `SELECT count(*) AS n FROM ${from}`)[0] as { n: number }).n);
        const rows = input.rows ? readOnlyAll(db, `SELECT * FROM ${from} LIMIT ${limit + 1}`) : undefined;
        return { source, count, rows: rows?.slice(0, limit), truncated: (rows?.length ?? 0) > limit };
      });
    } else {
      facts = await withReadOnlyPg(target, ctx, async (query): Promise<RowsFacts> => {
        const count = Number((await query<{ n: string }>(`SELECT count(*) AS n FROM ${from}`))[0].n);
        if (!input.rows) return { source, count };
        // The count is known: rows that cannot be read leave only the row comparison unjudged.
        const rows = await pgPart(query, () => query(`SELECT * FROM ${from} LIMIT ${limit + 1}`), partErrorFor(target, ctx));
        if ('error' in rows) return { source, count, rowsError: rows.error };
        return { source, count, rows: rows.value.slice(0, limit), truncated: rows.value.length > limit };
      });
    }
    return evaluateRows(facts, input);
  } catch (err) {
    return verdictFromError(err, target.label);
  }
}
