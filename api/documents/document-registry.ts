import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Store } from '../../core/store/index.js';
import { newDocKey, newStamp } from './doc-key.js';
import type { DocumentTables } from './migrations.js';

export interface ResolveInput {
  /** Normalised stamp (see normaliseStamp). */
  readonly stamp?: string;
  /** Identity keys of the document URL (see documentUrlKeys). */
  readonly urlKeys?: readonly string[];
}

export interface ResolvedDocument {
  readonly docKey: string;
  /** The stamp the document should carry. */
  readonly docId: string;
}

/** Document identity: stamps and URLs to document keys. */
export interface DocumentRegistry {
  resolve(input: ResolveInput): Promise<ResolvedDocument>;
  /** The document known by any of these URL keys, or null. Never creates. */
  findByUrlKeys(urlKeys: readonly string[]): Promise<string | null>;
  find(docKey: string): Promise<ResolvedDocument | null>;
}

const MAX_ATTEMPTS = 6;
const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** A unique-constraint violation lost to a concurrent writer: the caller retries and finds the winner. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * The registry over the store. Race safety comes from unique constraints (stamp, URL hash) and
 * a conditional update for "first URL of a stamped document": a writer that loses a race rolls back
 * and retries, and the retry finds what the winner wrote. The rules are in the README (documents).
 */
export class StoreDocumentRegistry implements DocumentRegistry {
  readonly #db: Kysely<DocumentTables>;
  constructor(store: Store) {
    this.#db = store.db as Kysely<DocumentTables>;
  }

  async resolve(input: ResolveInput): Promise<ResolvedDocument> {
    const hashes = [...new Set(input.urlKeys ?? [])].map(hashKey);
    if (!input.stamp && !hashes.length) throw new Error('resolve needs a stamp or a URL key');
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#tryResolve(input.stamp, hashes);
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= MAX_ATTEMPTS) throw err;
        // Lost a race: the winner's rows are committed now, the next attempt reads them.
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
      }
    }
  }

  async #tryResolve(stamp: string | undefined, hashes: string[]): Promise<ResolvedDocument> {
    const db = this.#db;
    if (hashes.length) {
      const known = await this.#byUrlHashes(hashes);
      if (known) {
        // The file at this URL carries the id of a document made as a copy of this URL's document:
        // no copy, one file renamed or moved while Office kept reporting its old URL (office-js
        // #1507) to some co-authors and the new one to others, and the new URL's pane re-stamped
        // it. Everyone goes to the document of the id the file carries, the URL with them; told
        // to keep the old id instead, the two sides would re-stamp the file against each other.
        const carried = stamp ? await this.#byStamp(stamp) : undefined;
        if (carried && carried.doc_key !== known.doc_key && carried.copied_from === known.doc_key) {
          for (const url_hash of hashes) await db.updateTable('document_urls').set({ doc_key: carried.doc_key }).where('url_hash', '=', url_hash).execute();
          await this.#bindUrls(db, carried.doc_key, hashes);
          return { docKey: carried.doc_key, docId: carried.stamp };
        }
        // The URL is the strongest identity: bind whatever else we learnt to it.
        await this.#bindUrls(db, known.doc_key, hashes);
        if (stamp)
          await db
            .insertInto('document_stamps')
            .values({ stamp, doc_key: known.doc_key })
            .onConflict((oc) => oc.column('stamp').doNothing())
            .execute();
        return { docKey: known.doc_key, docId: known.stamp };
      }
      if (stamp) {
        const byStamp = await this.#byStamp(stamp);
        if (byStamp) {
          // A stamped document seen without a URL so far adopts this one; one that already has a URL is the original of a copy.
          const adopted = await db.transaction().execute(async (trx) => {
            const claim = await trx
              .updateTable('documents')
              .set({ url_bound: 1 })
              .where('doc_key', '=', byStamp.doc_key)
              .where('url_bound', '=', 0)
              .executeTakeFirst();
            if (Number(claim.numUpdatedRows) !== 1) return false;
            for (const url_hash of hashes) await trx.insertInto('document_urls').values({ url_hash, doc_key: byStamp.doc_key }).execute();
            return true;
          });
          if (adopted) return { docKey: byStamp.doc_key, docId: byStamp.stamp };
          return this.#create(newStamp(), hashes, byStamp.doc_key);
        }
        return this.#create(stamp, hashes);
      }
      return this.#create(newStamp(), hashes);
    }
    const byStamp = await this.#byStamp(stamp!);
    if (byStamp) return { docKey: byStamp.doc_key, docId: byStamp.stamp };
    return this.#create(stamp!, []);
  }

  async #create(stamp: string, hashes: string[], copiedFrom: string | null = null): Promise<ResolvedDocument> {
    const doc_key = newDocKey();
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('documents')
        .values({ doc_key, stamp, url_bound: hashes.length ? 1 : 0, created_at: Date.now(), copied_from: copiedFrom })
        .execute();
      // The canonical stamp always names its document (a copy's fresh stamp included).
      await trx.insertInto('document_stamps').values({ stamp, doc_key }).execute();
      for (const url_hash of hashes) await trx.insertInto('document_urls').values({ url_hash, doc_key }).execute();
    });
    return { docKey: doc_key, docId: stamp };
  }

  async #bindUrls(db: Kysely<DocumentTables> | Transaction<DocumentTables>, docKey: string, hashes: string[]): Promise<void> {
    for (const url_hash of hashes)
      await db
        .insertInto('document_urls')
        .values({ url_hash, doc_key: docKey })
        .onConflict((oc) => oc.column('url_hash').doNothing())
        .execute();
  }

  async #byUrlHashes(hashes: string[]): Promise<{ doc_key: string; stamp: string } | undefined> {
    // Two keys of one URL bound to two documents (learnt separately): the older document wins, deterministically.
    return this.#db
      .selectFrom('document_urls as u')
      .innerJoin('documents as d', 'd.doc_key', 'u.doc_key')
      .select(['d.doc_key', 'd.stamp'])
      .where('u.url_hash', 'in', hashes)
      .orderBy('d.created_at')
      .orderBy('d.doc_key')
      .limit(1)
      .executeTakeFirst();
  }

  async #byStamp(stamp: string): Promise<{ doc_key: string; stamp: string; copied_from: string | null } | undefined> {
    return this.#db
      .selectFrom('document_stamps as s')
      .innerJoin('documents as d', 'd.doc_key', 's.doc_key')
      .select(['d.doc_key', 'd.stamp', 'd.copied_from'])
      .where('s.stamp', '=', stamp)
      .executeTakeFirst();
  }

  async findByUrlKeys(urlKeys: readonly string[]): Promise<string | null> {
    if (!urlKeys.length) return null;
    return (await this.#byUrlHashes([...new Set(urlKeys)].map(hashKey)))?.doc_key ?? null;
  }

  async find(docKey: string): Promise<ResolvedDocument | null> {
    const row = await this.#db.selectFrom('documents').select(['doc_key', 'stamp']).where('doc_key', '=', docKey).executeTakeFirst();
    return row ? { docKey: row.doc_key, docId: row.stamp } : null;
  }
}
