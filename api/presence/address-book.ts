import { TtlCache } from '../../core/cache/index.js';
import type { DirectoryReader, PersonSummary } from '../../directory-sync/directory/index.js';

export interface AddressBookOptions {
  /** How long a resolved address is trusted without a directory change notice. */
  readonly ttlMs?: number;
  /** Unknown addresses are re-checked sooner: a new hire's address should start working quickly. */
  readonly negativeTtlMs?: number;
  readonly maxEntries?: number;
  /** Unknown addresses are kept apart and bounded on their own: a stream of made-up addresses must not evict the real ones. */
  readonly maxNegativeEntries?: number;
  readonly now?: () => number;
}

const normalise = (email: string) => email.trim().toLowerCase();

/**
 * Address → person resolution for presence, cached: subscriptions and queries resolve the same
 * addresses over and over, and the directory changes only when a sync runs (which clears this
 * cache through the bus) — the TTL bounds staleness if that notice is lost.
 */
export class AddressBook {
  readonly #known: TtlCache<string, PersonSummary>;
  readonly #unknown: TtlCache<string, true>;
  readonly #ttl: number;
  readonly #negativeTtl: number;
  readonly #now: () => number;
  #generation = 0;

  constructor(
    readonly directory: DirectoryReader,
    options: AddressBookOptions = {},
  ) {
    this.#ttl = options.ttlMs ?? 5 * 60_000;
    this.#negativeTtl = options.negativeTtlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#known = new TtlCache(options.maxEntries ?? 200_000, this.#now);
    this.#unknown = new TtlCache(options.maxNegativeEntries ?? 50_000, this.#now);
  }

  /** One entry per input address (as given), null when unknown; like DirectoryReader.lookupEmails. */
  async resolve(emails: readonly string[]): Promise<Map<string, PersonSummary | null>> {
    const people = await this.resolveEach(emails);
    return new Map(emails.map((e, i) => [e, people[i]!]));
  }

  /**
   * The person behind each address, in input order (null: unknown). Hot path of every query and
   * subscription: cached addresses cost a lookup or two, only the rest go to the directory.
   */
  async resolveEach(emails: readonly string[]): Promise<(PersonSummary | null)[]> {
    const out = new Array<PersonSummary | null>(emails.length);
    let missing: number[] | undefined;
    const now = this.#now();
    for (let i = 0; i < emails.length; i++) {
      const e = emails[i]!;
      // Most clients send addresses already normalised: try as given before allocating a copy.
      let person = this.#known.get(e, now);
      if (person === undefined) {
        const key = normalise(e);
        if (key !== e) person = this.#known.get(key, now);
        if (person === undefined && this.#unknown.get(key, now) === undefined) {
          (missing ??= []).push(i);
          continue;
        }
      }
      out[i] = person ?? null;
    }
    if (!missing) return out;
    const found = await this.directory.lookupEmails(missing.map((i) => emails[i]!));
    const until = this.#now();
    for (const i of missing) {
      const e = emails[i]!;
      const person = found.get(e) ?? null;
      out[i] = person;
      if (person) this.#known.set(normalise(e), person, until + this.#ttl);
      else this.#unknown.set(normalise(e), true, until + this.#negativeTtl);
    }
    return out;
  }

  /** Grows with every clear(): whoever keeps answers derived from this book drops them when it changes. */
  get generation(): number {
    return this.#generation;
  }

  clear(): void {
    this.#generation++;
    this.#known.clear();
    this.#unknown.clear();
  }
}
