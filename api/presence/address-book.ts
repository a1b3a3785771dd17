import type { DirectoryReader, PersonSummary } from '../../directory-sync/directory/index.js';

export interface AddressBookOptions {
  /** How long a resolved address is trusted without a directory change notice. */
  readonly ttlMs?: number;
  /** Unknown addresses are re-checked sooner: a new hire's address should start working quickly. */
  readonly negativeTtlMs?: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * Address → person resolution for presence, cached: subscriptions and queries resolve the same
 * addresses over and over, and the directory changes only when a sync runs (which clears this
 * cache through the bus) — the TTL bounds staleness if that notice is lost.
 */
export class AddressBook {
  readonly #cache = new Map<string, { person: PersonSummary | null; until: number }>();
  readonly #ttl: number;
  readonly #negativeTtl: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(
    readonly directory: DirectoryReader,
    options: AddressBookOptions = {},
  ) {
    this.#ttl = options.ttlMs ?? 5 * 60_000;
    this.#negativeTtl = options.negativeTtlMs ?? 30_000;
    this.#max = options.maxEntries ?? 200_000;
    this.#now = options.now ?? Date.now;
  }

  /** One entry per input address (as given), null when unknown; like DirectoryReader.lookupEmails. */
  async resolve(emails: readonly string[]): Promise<Map<string, PersonSummary | null>> {
    const now = this.#now();
    const out = new Map<string, PersonSummary | null>();
    const missing: string[] = [];
    for (const e of emails) {
      const hit = this.#cache.get(e.trim().toLowerCase());
      if (hit && hit.until > now) out.set(e, hit.person);
      else missing.push(e);
    }
    if (missing.length === 0) return out;
    const found = await this.directory.lookupEmails(missing);
    if (this.#cache.size + missing.length > this.#max) this.#cache.clear();
    for (const e of missing) {
      const person = found.get(e) ?? null;
      out.set(e, person);
      this.#cache.set(e.trim().toLowerCase(), { person, until: now + (person ? this.#ttl : this.#negativeTtl) });
    }
    return out;
  }

  clear(): void {
    this.#cache.clear();
  }
}
