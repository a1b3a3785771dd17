import type { GraphMailboxes, Mailbox } from './graph-mailboxes.js';

/**
 * Whose Exchange/Teams state is worth asking for: people with live presence subscribers when the
 * presence feature says who they are; otherwise everyone, a bounded slice per refresh (round robin).
 */
export class WatchList {
  #cursor = '';
  constructor(
    private readonly mailboxes: GraphMailboxes,
    private readonly watched: (() => readonly string[]) | undefined,
    private readonly maxPerRefresh: number,
  ) {}

  async next(): Promise<Mailbox[]> {
    if (this.watched) {
      const ids = [...new Set(this.watched())].slice(0, this.maxPerRefresh);
      return [...(await this.mailboxes.of(ids)).values()];
    }
    let page = await this.mailboxes.page(this.#cursor, this.maxPerRefresh);
    if (page.length === 0 && this.#cursor) {
      this.#cursor = '';
      page = await this.mailboxes.page('', this.maxPerRefresh);
    }
    this.#cursor = page.length ? page[page.length - 1].personId : '';
    return page;
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
