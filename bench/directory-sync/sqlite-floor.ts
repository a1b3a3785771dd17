// The write floor of the full sync: SQLite alone inserting the rows the sync stored (people, their
// links, addresses and photos), copied from the synced file into a fresh store with the product's
// schema, pragmas and transactions of the sync's batch size, through cached prepared statements,
// then checkpointing the WAL as the sync does by its end. No reading, mapping, checking or
// planning: what is left of the sync's time beyond max(read floor, write floor) is the engine.
import type BetterSqlite3 from 'better-sqlite3';
import Sqlite from 'better-sqlite3';
import { THREADED_BATCH_SIZE } from '../../directory-sync/sources/ldap/index.js';

const TABLES = ['people', 'person_sources', 'person_emails', 'person_photos'] as const;

/** Rows of each table of `fromFile`, loaded before any clock starts. */
export function loadRows(fromFile: string): Record<(typeof TABLES)[number], { columns: string[]; rows: unknown[][] }> {
  const from = new Sqlite(fromFile, { readonly: true });
  try {
    const out = {} as Record<(typeof TABLES)[number], { columns: string[]; rows: unknown[][] }>;
    for (const t of TABLES) {
      const stmt = from.prepare(`select * from ${t} order by rowid`).raw();
      out[t] = { columns: stmt.columns().map((c) => c.name), rows: stmt.all() as unknown[][] };
    }
    return out;
  } finally {
    from.close();
  }
}

/** Inserts `data` into `conn` (an empty store) in transactions of `batch` people and their rows; returns the people count. */
export function insertRows(conn: BetterSqlite3.Database, data: ReturnType<typeof loadRows>, batch = THREADED_BATCH_SIZE): number {
  conn.pragma('wal_autocheckpoint = 65536');
  const insert = Object.fromEntries(
    TABLES.map((t) => [t, conn.prepare(`insert into ${t} (${data[t].columns.join(', ')}) values (${data[t].columns.map(() => '?').join(', ')})`)]),
  ) as Record<(typeof TABLES)[number], BetterSqlite3.Statement>;
  const people = data.people.rows.length;
  // Each table's rows in proportion to the people: about one batch's worth per transaction.
  const slice = (t: (typeof TABLES)[number], i: number) => Math.floor((i * data[t].rows.length) / people);
  const apply = conn.transaction((from: number, to: number) => {
    for (const t of TABLES) for (let k = slice(t, from); k < slice(t, to); k++) insert[t].run(data[t].rows[k]);
  });
  for (let i = 0; i < people; i += batch) apply(i, Math.min(people, i + batch));
  conn.pragma('wal_checkpoint(PASSIVE)');
  conn.pragma('wal_autocheckpoint = 1000');
  return people;
}
