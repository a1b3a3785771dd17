// Background WAL checkpoints for a big sync run (see wal-checkpointer.ts). Plain JavaScript: it
// needs nothing of the project but the file name, and starts without a TypeScript loader.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

// require, not import: importing a CommonJS package from ESM runs Node's CommonJS export lexer
// over it, whose own compilation cost this thread ~150 ms of CPU beside the run it serves.
const Database = createRequire(import.meta.url)('better-sqlite3');

const db = new Database(workerData.file);
// As the store's own connection: the WAL is synced before a checkpoint, the database after it.
db.pragma('synchronous = NORMAL');
// Each checkpoint copies the pages written since the last one (a page the run rewrites in every
// batch, an index's, is copied once per checkpoint) and syncs the WAL and the database: what the
// run's final checkpoint has left to copy and, above all, to sync is what was written since the
// last one here. The kernel writes nothing back on its own within a pass, so at one checkpoint a
// second the final one waited 200–330 ms for the disk (100k first load); at 100 ms it takes
// 40–120 ms, for about 0.1 s more CPU on this thread over the pass.
const INTERVAL_MS = 100;
let stopping = false;
let timer;
const tick = () => {
  timer = undefined;
  if (stopping) return;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or locked: the next tick (or the run's final checkpoint) does it.
  }
  timer = setTimeout(tick, INTERVAL_MS);
};
parentPort.on('message', () => {
  stopping = true;
  if (timer) clearTimeout(timer);
  db.close();
  parentPort.close();
});
tick();
