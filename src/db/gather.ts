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
import { DbCheckError, dbErrorVerdict, withReadOnlyPg, type PgQuery } from './pg.js';
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

async function pgSchemaFacts(query: PgQuery, schema: string, expect: SchemaExpectation): Promise<SchemaFacts> {
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
  const ext = await query<{ extname: string; extversion: string }>('SELECT extname, extversion FROM pg_catalog.pg_extension');
  const facts: SchemaFacts = { engine: 'postgres', schema, tables, views, extensions: Object.fromEntries(ext.map((e) => [e.extname, e.extversion])) };
  const migTable = pickMigrationsTable(migrationExpectation(expect.migrations), Object.keys(tables));
  if (migTable) {
    const rows = await query(`SELECT * FROM ${quoteIdent(schema)}.${quoteIdent(migTable)} LIMIT ${MIGRATION_ROWS_LIMIT}`);
    facts.migrations = { table: migTable, rows };
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
      ? withReadOnlySqlite(target, ctx.timeoutMs, (db) => sqliteSchemaFacts(db, expect))
      : await withReadOnlyPg(target, ctx, (query) => pgSchemaFacts(query, schema, expect));
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
      facts = withReadOnlySqlite(target, ctx.timeoutMs, (db) => {
        const count = Number((readOnlyAll(db, `SELECT count(*) AS n FROM ${from}`)[0] as { n: number }).n);
        const rows = input.rows ? readOnlyAll(db, `SELECT * FROM ${from} LIMIT ${limit + 1}`) : undefined;
        return { source, count, rows: rows?.slice(0, limit), truncated: (rows?.length ?? 0) > limit };
      });
    } else {
      facts = await withReadOnlyPg(target, ctx, async (query) => {
        const count = Number((await query<{ n: string }>(`SELECT count(*) AS n FROM ${from}`))[0].n);
        const rows = input.rows ? await query(`SELECT * FROM ${from} LIMIT ${limit + 1}`) : undefined;
        return { source, count, rows: rows?.slice(0, limit), truncated: (rows?.length ?? 0) > limit };
      });
    }
    return evaluateRows(facts, input);
  } catch (err) {
    return verdictFromError(err, target.label);
  }
}
