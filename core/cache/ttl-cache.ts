/**
 * A Map whose entries expire and whose size is bounded. Full, it drops its oldest tenth (Map keeps
 * insertion order) instead of everything: clearing it all would make every hot key miss at once,
 * which is exactly when the cache is busiest.
 */
export class TtlCache<K, V> {
  readonly #map = new Map<K, { value: V; until: number }>();

  constructor(
    readonly maxEntries: number,
    readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#map.size;
  }

  /** The value, or undefined when absent or expired. A caller looking up many keys at once passes `now` once. */
  get(key: K, now = this.now()): V | undefined {
    const hit = this.#map.get(key);
    if (hit === undefined) return undefined;
    if (hit.until > now) return hit.value;
    this.#map.delete(key);
    return undefined;
  }

  /** Stores until the epoch-ms time `until`. */
  set(key: K, value: V, until: number): void {
    if (this.#map.size >= this.maxEntries && !this.#map.has(key)) {
      let drop = Math.max(1, Math.floor(this.maxEntries / 10));
      for (const k of this.#map.keys()) {
        this.#map.delete(k);
        if (--drop === 0) break;
      }
    }
    this.#map.set(key, { value, until });
  }

  clear(): void {
    this.#map.clear();
  }
}
