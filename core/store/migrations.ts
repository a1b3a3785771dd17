import { sql, type Kysely } from 'kysely';
import type { Dialect, Store } from './store.js';

/** One schema step, owned by one module. Names are global and never reused: `<module>.<nnn>-<what>`. */
export interface Migration {
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
}

/**
 * Applies every migration not yet recorded, in the order given, each in its own transaction.
 * On PostgreSQL an advisory lock keeps two starting processes from racing.
 */
export async function runMigrations(store: Store, migrations: readonly Migration[]): Promise<string[]> {
  const { db, dialect } = store;
  const applied: string[] = [];
  const names = new Set<string>();
  for (const m of migrations) {
    if (names.has(m.name)) throw new Error(`duplicate migration name ${m.name}`);
    names.add(m.name);
  }
  await db.connection().execute(async (conn) => {
    if (dialect === 'postgres') await sql`select pg_advisory_lock(727001)`.execute(conn);
    try {
      // Under the lock: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against itself, and
      // replicas starting together on a new database failed on it (duplicate pg_type entry).
      await conn.schema
        .createTable('schema_migrations')
        .ifNotExists()
        .addColumn('name', 'varchar(200)', (c) => c.primaryKey())
        .addColumn('applied_at', 'bigint', (c) => c.notNull())
        .execute();
      const done = new Set((await conn.selectFrom('schema_migrations').select('name').execute()).map((r: { name: string }) => r.name));
      for (const m of migrations) {
        if (done.has(m.name)) continue;
        await conn.transaction().execute(async (trx) => {
          await m.up(trx, dialect);
          await trx.insertInto('schema_migrations').values({ name: m.name, applied_at: Date.now() }).execute();
        });
        applied.push(m.name);
      }
    } finally {
      if (dialect === 'postgres') await sql`select pg_advisory_unlock(727001)`.execute(conn);
    }
  });
  return applied;
}
