/**
 * Everyone's block lists, all in memory: blocking is rare, so the lists are small, and fan-out and
 * queries must decide synchronously. Also counts how many people block each person, so the usual
 * viewer (blocked by nobody) costs one lookup per request instead of one per person shown.
 */
export class BlockLists {
  readonly #byOwner = new Map<string, Set<string>>();
  readonly #timesBlocked = new Map<string, number>();

  /** Replaces one owner's list (in the order given); true when it changed. */
  set(ownerId: string, blocked: Iterable<string>): boolean {
    const fresh = new Set(blocked);
    const old = this.#byOwner.get(ownerId);
    const changed = (old?.size ?? 0) !== fresh.size || [...fresh].some((b) => !old?.has(b));
    for (const b of old ?? []) this.#count(b, -1);
    for (const b of fresh) this.#count(b, +1);
    if (fresh.size) this.#byOwner.set(ownerId, fresh);
    else this.#byOwner.delete(ownerId);
    return changed;
  }

  add(ownerId: string, blockedId: string): void {
    let set = this.#byOwner.get(ownerId);
    if (!set) this.#byOwner.set(ownerId, (set = new Set()));
    if (set.has(blockedId)) return;
    set.add(blockedId);
    this.#count(blockedId, +1);
  }

  delete(ownerId: string, blockedId: string): void {
    const set = this.#byOwner.get(ownerId);
    if (!set?.delete(blockedId)) return;
    this.#count(blockedId, -1);
    if (set.size === 0) this.#byOwner.delete(ownerId);
  }

  has(ownerId: string, viewerId: string): boolean {
    return this.#byOwner.get(ownerId)?.has(viewerId) ?? false;
  }

  blocksAnyone(ownerId: string): boolean {
    return this.#byOwner.has(ownerId);
  }

  isBlockedByAnyone(viewerId: string): boolean {
    return this.#timesBlocked.has(viewerId);
  }

  of(ownerId: string): string[] {
    return [...(this.#byOwner.get(ownerId) ?? [])];
  }

  owners(): string[] {
    return [...this.#byOwner.keys()];
  }

  #count(blockedId: string, by: number): void {
    const n = (this.#timesBlocked.get(blockedId) ?? 0) + by;
    if (n > 0) this.#timesBlocked.set(blockedId, n);
    else this.#timesBlocked.delete(blockedId);
  }
}
