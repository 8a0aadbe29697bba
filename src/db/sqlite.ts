// Thin SQLite I/O for sqlite.* (and postgres.* given a sqlite: URL): the file is opened read-only,
// with query_only on, and closed when done.
import { accessSync, constants, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { DbCheckError } from './pg.js';
import type { SqliteTarget } from './target.js';
import { loadSqlite } from '../sdk.js';

export type SqliteDb = Database.Database;

export async function withReadOnlySqlite<T>(target: SqliteTarget, timeoutMs: number, fn: (db: SqliteDb) => T): Promise<T> {
  let stat;
  try {
    stat = statSync(target.path);
  } catch {
    throw new DbCheckError(`database file ${target.path} does not exist`, 'connect');
  }
  if (!stat.isFile()) throw new DbCheckError(`${target.path} is not a file`, 'connect');
  try {
    accessSync(target.path, constants.R_OK);
  } catch {
    throw new DbCheckError(`no permission to read database file ${target.path}`, 'connect');
  }
  const Database = await loadSqlite();
  let db: SqliteDb;
  try {
    db = new Database(target.path, { readonly: true, fileMustExist: true, timeout: Math.max(100, timeoutMs) });
  } catch (err) {
    throw new DbCheckError(`cannot open ${target.path}: ${(err as Error).message}`, 'connect');
  }
  try {
    db.pragma('query_only = ON');
    return fn(db);
  } catch (err) {
    if (err instanceof DbCheckError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB') throw new DbCheckError(`${target.path} is not an SQLite database`, 'connect');
    if (code === 'SQLITE_BUSY') throw new DbCheckError(`${target.path} is locked by another process (timed out after ${timeoutMs}ms)`, 'timeout');
    if (/no such (table|column)/i.test((err as Error).message)) throw new DbCheckError((err as Error).message, 'missing');
    throw new DbCheckError(`SQLite error on ${target.path}: ${(err as Error).message}`, 'query');
  } finally {
    db.close();
  }
}

/** Runs a statement that must be read-only (better-sqlite3 knows from the prepared statement). */
export function readOnlyAll(db: SqliteDb, sql: string, ...values: unknown[]): Record<string, unknown>[] {
  const stmt = db.prepare(sql);
  if (!stmt.readonly) throw new DbCheckError('query would modify the database: only read-only SELECT statements are allowed', 'config');
  return stmt.all(...values) as Record<string, unknown>[];
}
