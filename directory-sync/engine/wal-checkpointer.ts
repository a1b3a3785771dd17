import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * Entries a run applies before it checkpoints in the background; smaller runs leave it to the end.
 * Counted in entries, not WAL bytes: after a big run the WAL file keeps its size (SQLite reuses it
 * from the start), so its size says nothing about what this run wrote.
 */
export const BACKGROUND_CHECKPOINT_ENTRIES = 10_000;

/**
 * Copies a big run's WAL into the database file from a thread of its own while the run goes on.
 * Left to the end of the run, that copy and its fsync (about 0.6 s for a 100,000-person first
 * load, mostly waiting for the disk) come after the last batch, when nothing else is left to do.
 * Checkpointing meanwhile overlaps them with reading and writing, so the final checkpoint only has
 * the last few megabytes to copy. The worker has its own connection: SQLite lets a PASSIVE
 * checkpoint run beside the writer, and it never blocks it. Started only once the run is big,
 * so incremental runs do not pay for a thread.
 */
export class WalCheckpointer {
  #worker: Worker | undefined;
  /** Settles when the worker has exited, for whatever reason (it may be gone before stop()). */
  #exited: Promise<void> | undefined;
  #entries = 0;

  constructor(
    private readonly conn: BetterSqlite3.Database,
    private readonly fromEntries = BACKGROUND_CHECKPOINT_ENTRIES,
  ) {}

  /** After a commit of `entries` entries: starts the background checkpoints once the run is big. */
  committed(entries: number): void {
    this.#entries += entries;
    if (this.#worker || this.conn.memory || this.#entries < this.fromEntries) return;
    // execArgv: []: plain JavaScript, it needs none of the parent's options (a TypeScript loader
    // given by --import would load into this thread too, for nothing).
    const worker = new Worker(new URL('./wal-checkpoint-worker.mjs', import.meta.url), { workerData: { file: this.conn.name }, execArgv: [] });
    this.#worker = worker;
    this.#exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // A failed background checkpoint loses nothing: the final one, on the run's connection, copies all.
    worker.on('error', () => undefined);
  }

  /** Stops the background checkpoints (the one under way finishes first). */
  async stop(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    if (!w) return;
    w.postMessage('stop');
    await this.#exited;
  }
}
