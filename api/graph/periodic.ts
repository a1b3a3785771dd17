import type { Logger } from '../../core/log/index.js';

/** Runs a task every `intervalMs` (never overlapping itself); stop() aborts and waits for it. */
export class Periodic {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | null = null;
  readonly #abort = new AbortController();
  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly task: (signal: AbortSignal) => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  start(firstDelayMs = 0): void {
    if (this.intervalMs <= 0) return;
    this.#schedule(firstDelayMs);
  }

  #schedule(ms: number): void {
    if (this.#abort.signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.#running = this.task(this.#abort.signal)
        .then(() => undefined)
        .catch((err: unknown) => {
          if (!this.#abort.signal.aborted) this.log.warn({ err, task: this.name }, 'graph: refresh failed; retrying at the next interval');
        })
        .finally(() => {
          this.#running = null;
          this.#schedule(this.intervalMs);
        });
    }, ms);
    this.#timer.unref?.();
  }

  async stop(): Promise<void> {
    this.#abort.abort(new Error(`${this.name} stopped`));
    clearTimeout(this.#timer);
    await this.#running;
  }
}
