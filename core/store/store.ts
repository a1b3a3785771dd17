import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Config } from '../config/index.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The store: one Kysely instance over SQLite (embedded default) or PostgreSQL.
 * Modules own their tables and view this through their own table types:
 * `store.db as Kysely<ChatTables>`.
 */
export interface Store {
  readonly dialect: Dialect;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  /** SQLite only: the raw connection, for hot paths (bulk sync) that run their own prepared statements. */
  readonly sqlite?: import('better-sqlite3').Database;
  close(): Promise<void>;
}

export async function openStore(database: Config['database'], options: { onConnectionError?: (err: Error) => void } = {}): Promise<Store> {
  if (database.kind === 'postgres') {
    const pg = (await import('pg')).default;
    // bigint columns hold epoch milliseconds and counters: well inside Number's safe range.
    pg.types.setTypeParser(20, (v: string) => Number(v));
    const pool = new pg.Pool({ connectionString: database.url, max: 10 });
    // PostgreSQL closing an idle connection (restart, failover, admin) makes the pool emit 'error';
    // unhandled, that event would crash the process. The pool drops the broken connection and
    // the next query opens a new one, so reporting it is all there is to do.
    pool.on('error', (err) => options.onConnectionError?.(err));
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    return { dialect: 'postgres', db, close: () => db.destroy() };
  }
  const Sqlite = (await import('better-sqlite3')).default;
  if (database.file !== ':memory:') mkdirSync(path.dirname(database.file), { recursive: true });
  const conn = new Sqlite(database.file);
  conn.pragma('journal_mode = WAL');
  // NORMAL under WAL is durable across process crashes (only an OS crash can lose the last commits).
  conn.pragma('synchronous = NORMAL');
  conn.pragma('foreign_keys = ON');
  conn.pragma('busy_timeout = 5000');
  // SQLite's lower() folds A–Z only: "Émile" stays "Émile" while a search lower-cased in JavaScript
  // looks for "émile". Queries that compare case-insensitively with JavaScript's folding use this.
  conn.function('unicode_lower', { deterministic: true }, (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : s));
  // Kysely prepares every query anew; preparing costs more than running a small one, so reuse
  // prepared statements by SQL text (bounded: the query shapes of the product are finite).
  const statements = new Map<string, ReturnType<typeof conn.prepare>>();
  const cached = {
    close: () => conn.close(),
    prepare(text: string) {
      let stmt = statements.get(text);
      if (!stmt || stmt.busy) {
        stmt = conn.prepare(text);
        if (statements.size >= 1000) statements.clear();
        statements.set(text, stmt);
      }
      return stmt;
    },
  };
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: cached }) });
  return { dialect: 'sqlite', db, sqlite: conn, close: () => db.destroy() };
}

/** Current time in epoch milliseconds; one place so tests can reason about it. */
export const nowMs = (): number => Date.now();

export { sql };
