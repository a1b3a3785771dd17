import { statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type BetterSqlite3 from 'better-sqlite3';
import type { Store } from '../../core/store/index.js';
import { settleWithin } from '../../test/support/settle-within.js';
import { tempStore } from './test-helpers.js';
import { WalCheckpointer } from './wal-checkpointer.js';

let store: Store & { dispose(): Promise<void> };
beforeEach(async () => {
  store = await tempStore();
});
afterEach(() => store.dispose());

const fill = (rows: number) => {
  const conn = store.sqlite!;
  const insert = conn.prepare('insert into person_emails (email, person_id, is_primary) values (?, ?, 0)');
  conn.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`someone${i}-${Math.random()}@example.test`, 'p'.repeat(40));
  })();
};

describe('WalCheckpointer', () => {
  it('copies a big WAL into the database file from its own thread while the connection writes on', async () => {
    const conn = store.sqlite!;
    conn.pragma('wal_autocheckpoint = 0');
    const dbSize = () => statSync(conn.name).size;
    fill(5000);
    const before = dbSize();
    const checkpointer = new WalCheckpointer(conn, 4000);
    checkpointer.committed(5000);
    const deadline = Date.now() + 10_000;
    while (dbSize() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(dbSize()).toBeGreaterThan(before);
    // Writes go on beside it, and everything is there after it stopped.
    fill(100);
    await checkpointer.stop();
    expect(conn.prepare('select count(*) as n from person_emails').get()).toEqual({ n: 5100 });
  });

  it('stops at once when its worker is already gone (it could not open the database)', async () => {
    const missing = { name: '/nonexistent/dir/store.sqlite', memory: false } as unknown as BetterSqlite3.Database;
    const checkpointer = new WalCheckpointer(missing, 1);
    checkpointer.committed(1);
    // The worker fails to open the file and exits; stop() must not wait for an exit already past.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await settleWithin(checkpointer.stop(), 5000)).toBe(true);
  });

  it('does not start for a small run', async () => {
    const conn = store.sqlite!;
    conn.pragma('wal_autocheckpoint = 0');
    fill(10);
    const before = statSync(conn.name).size;
    const checkpointer = new WalCheckpointer(conn);
    checkpointer.committed(10);
    await new Promise((r) => setTimeout(r, 300));
    expect(statSync(conn.name).size).toBe(before);
    await checkpointer.stop();
  });
});
