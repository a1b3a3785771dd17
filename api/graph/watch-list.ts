import type { GraphMailboxes, Mailbox } from './graph-mailboxes.js';

/**
 * Whose Exchange/Teams state is worth asking for: people with live presence subscribers when the
 * presence feature says who they are; otherwise everyone. Either way a bounded slice per refresh,
 * taken round robin, so with more people than `maxPerRefresh` each one still comes up in turn.
 */
export class WatchList {
  #cursor = '';
  constructor(
    private readonly mailboxes: GraphMailboxes,
    private readonly watched: (() => readonly string[]) | undefined,
    private readonly maxPerRefresh: number,
  ) {}

  async next(): Promise<Mailbox[]> {
    if (this.watched) return this.#nextWatched(this.watched());
    let page = await this.mailboxes.page(this.#cursor, this.maxPerRefresh);
    if (page.length === 0 && this.#cursor) {
      this.#cursor = '';
      page = await this.mailboxes.page('', this.maxPerRefresh);
    }
    this.#cursor = page.length ? page[page.length - 1].personId : '';
    return page;
  }

  /**
   * The watched ids are walked in id order from where the last refresh stopped (the subscription
   * order would hand every refresh the same first subscribers), and only ids that are mailboxes
   * take a slot: people without one would otherwise crowd out those who have one.
   */
  async #nextWatched(watched: readonly string[]): Promise<Mailbox[]> {
    const ids = [...new Set(watched)].sort();
    if (ids.length === 0) return [];
    let start = ids.findIndex((id) => id > this.#cursor);
    if (start < 0) start = 0;
    const ordered = [...ids.slice(start), ...ids.slice(0, start)];
    const out: Mailbox[] = [];
    for (let i = 0; i < ordered.length && out.length < this.maxPerRefresh; i += 500) {
      const chunk = ordered.slice(i, i + 500);
      const boxes = await this.mailboxes.of(chunk);
      for (const id of chunk) {
        this.#cursor = id;
        const box = boxes.get(id);
        if (box) out.push(box);
        if (out.length >= this.maxPerRefresh) break;
      }
    }
    return out;
  }
}

/**
 * People who started being watched since the last call (bounded), so a pane that just opened gets
 * their out of office and calendar in seconds instead of at the next full refresh.
 */
export class NewlyWatched {
  #seen = new Set<string>();
  constructor(
    private readonly mailboxes: GraphMailboxes,
    private readonly watched: () => readonly string[],
    private readonly max: number,
  ) {}

  async next(): Promise<Mailbox[]> {
    const now = new Set(this.watched());
    const fresh = [...now].filter((id) => !this.#seen.has(id)).slice(0, this.max);
    // Forget people nobody watches any more: watching them again is "new" again.
    this.#seen = new Set([...this.#seen].filter((id) => now.has(id)));
    for (const id of fresh) this.#seen.add(id);
    return fresh.length ? [...(await this.mailboxes.of(fresh)).values()] : [];
  }
}
