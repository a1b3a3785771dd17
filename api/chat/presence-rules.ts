import type { PresenceService } from '../presence/index.js';

/**
 * The presence questions chat asks on every send (blocked? on Do Not Disturb?), cached briefly
 * so a busy conversation does not ask the presence engine twice per message. DND answers are
 * dropped as soon as the presence engine reports a change.
 */
export class PresenceRules {
  /** owner → (other → answer), so a change of the owner drops all of theirs. */
  readonly #blocked = new Map<string, Map<string, { value: boolean; at: number }>>();
  readonly #dnd = new Map<string, { value: boolean; at: number }>();
  readonly #unsubscribe: () => void;

  constructor(
    readonly presence: PresenceService,
    readonly ttlMs = 2000,
  ) {
    this.#unsubscribe = presence.onChange((personId) => {
      this.#dnd.delete(personId);
      this.#blocked.delete(personId);
    });
  }

  close(): void {
    this.#unsubscribe();
  }

  /** True when `ownerId` has blocked `otherId`: `otherId` may not message them. */
  async blocked(ownerId: string, otherId: string): Promise<boolean> {
    let of = this.#blocked.get(ownerId);
    if (!of) {
      if (this.#blocked.size > 50_000) this.#blocked.clear();
      this.#blocked.set(ownerId, (of = new Map()));
    }
    return this.#cached(of, otherId, () => this.presence.isBlocked(ownerId, otherId));
  }

  async doNotDisturb(personId: string): Promise<boolean> {
    return this.#cached(this.#dnd, personId, async () => (await this.presence.presenceOf(personId, null)).availability === 'DoNotDisturb');
  }

  async #cached(map: Map<string, { value: boolean; at: number }>, key: string, load: () => Promise<boolean>): Promise<boolean> {
    const now = Date.now();
    const hit = map.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = await load();
    if (map.size > 50_000) map.clear();
    map.set(key, { value, at: now });
    return value;
  }
}
