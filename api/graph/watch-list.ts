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
