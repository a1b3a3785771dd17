import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** WAL size from which a run checkpoints in the background. Smaller runs leave it to the end. */
export const BACKGROUND_CHECKPOINT_BYTES = 32 * 1024 * 1024;

/**
 * Copies a big run's WAL into the database file from a thread of its own while the run goes on.
 * Left to the end of the run, that copy and its fsync (about 0.6 s for a 100,000-person first
 * load, mostly waiting for the disk) come after the last batch, when nothing else is left to do.
 * Checkpointing meanwhile overlaps them with reading and writing, so the final checkpoint only has
 * the last few megabytes to copy. The worker has its own connection: SQLite lets a PASSIVE
 * checkpoint run beside the writer, and it never blocks it. Started only once the WAL is big,
 * so small incremental runs do not pay for a thread.
 */
export class WalCheckpointer {
  #worker: Worker | undefined;
  readonly #wal: string;

  constructor(
    private readonly conn: BetterSqlite3.Database,
    private readonly fromBytes = BACKGROUND_CHECKPOINT_BYTES,
  ) {
    this.#wal = `${conn.name}-wal`;
  }

  /** After a commit: starts the background checkpoints once the WAL has grown big. */
  committed(): void {
    if (this.#worker || this.conn.memory) return;
    let size: number;
    try {
      size = statSync(this.#wal).size;
    } catch {
      return; // no WAL (not in WAL mode): nothing to checkpoint
    }
    if (size < this.fromBytes) return;
    this.#worker = new Worker(new URL('./wal-checkpoint-worker.mjs', import.meta.url), { workerData: { file: this.conn.name } });
    // A failed background checkpoint loses nothing: the final one, on the run's connection, copies all.
    this.#worker.on('error', () => undefined);
  }

  /** Stops the background checkpoints (the one under way finishes first). */
  async stop(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    if (!w) return;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage('stop');
    await exited;
  }
}
