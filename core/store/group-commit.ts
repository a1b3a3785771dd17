/**
 * Group commit: writes that arrive while a transaction is running are committed together in the
 * next one. One batch at a time per process keeps per-process order and makes one commit serve
 * many writes (chat messages, presence changes); results come back in submission order and
 * `afterCommit` callbacks run synchronously in that order (chat pushes leave in seq order).
 */
export class GroupCommit<Req, Res> {
  readonly #queue: { req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void; afterCommit?: (r: Res) => void }[] = [];
  #running = false;
  #scheduled = false;

  constructor(
    readonly run: (batch: readonly Req[]) => Promise<Res[]>,
    readonly maxBatch = 256,
    readonly attempts = 3,
  ) {}

  submit(req: Req, afterCommit?: (r: Res) => void): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.#queue.push({ req, resolve, reject, afterCommit });
      this.#schedule();
    });
  }

  /** Resolves when everything submitted so far is committed (or failed), or after `timeoutMs`. */
  async drain(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.#running || this.#queue.length > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  get pending(): number {
    return this.#queue.length;
  }

  #schedule(): void {
    if (this.#running || this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate lets every frame already read from the sockets join this batch.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#running || this.#queue.length === 0) return;
    this.#running = true;
    const batch = this.#queue.splice(0, this.maxBatch);
    try {
      let results: Res[] | undefined;
      let lastErr: unknown;
      // A deadlock or a concurrent retry's unique violation on PostgreSQL aborts the whole
      // transaction; running it again sees the other side's commit.
      for (let i = 0; i < this.attempts && !results; i++) {
        try {
          results = await this.run(batch.map((b) => b.req));
        } catch (err) {
          lastErr = err;
        }
      }
      if (!results) {
        for (const b of batch) b.reject(lastErr);
      } else {
        for (let i = 0; i < batch.length; i++) {
          try {
            batch[i].afterCommit?.(results[i]);
          } catch {
            // A failed push loses nothing: the message is stored and clients resume from the store.
          }
          batch[i].resolve(results[i]);
        }
      }
    } finally {
      this.#running = false;
      if (this.#queue.length) this.#schedule();
    }
  }
}
