import type { Logger } from '../../../core/log/index.js';
import type { DirectoryEntry } from '../../model/directory-entry.js';
import type { DirectorySource, ReadOptions, ReadSummary, SourceBatch, Watermark } from '../source.js';
import type { GraphApi } from './graph-client.js';
import { GraphRequestError } from './graph-error.js';
import {
  ORG_CONTACT_SELECT,
  PERSONAL_CONTACT_SELECT,
  USER_SELECT,
  orgContactId,
  orgContactToEntry,
  personalContactId,
  personalContactToEntry,
  userToEntry,
  type GraphOrgContact,
  type GraphPersonalContact,
  type GraphUser,
} from './graph-mapping.js';

export interface GraphSourceOptions {
  readonly api: GraphApi;
  /** Read users' Outlook contacts too (GRAPH_CONTACTS). */
  readonly personalContacts?: boolean;
  /** Page size asked with `Prefer: odata.maxpagesize` (Graph caps at 999). */
  readonly pageSize?: number;
  /** Mailboxes whose contacts are read at the same time. */
  readonly mailboxConcurrency?: number;
  readonly log?: Logger;
}

interface DeltaPage<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/** Watermark keys: users and org contacts delta links, and one per mailbox for Outlook contacts. */
const USERS = 'users';
const CONTACTS = 'contacts';
const PC = 'pc:';
const MAX_FULL_RESTARTS = 2;

class ResyncNeeded extends Error {}

/**
 * The `graph` directory source: Entra users and organisational contacts by delta query, and
 * (optionally) users' Outlook contacts as their owners' external contacts. Each page is one
 * batch carrying the delta/next links reached so far as its watermark. A 410 Gone (or expired
 * sync state) on an incremental pass asks the engine for a full pass; nothing is deleted for it.
 */
export class GraphSource implements DirectorySource {
  readonly name = 'graph';
  readonly #api: GraphApi;
  readonly #pageSize: number;
  readonly #pc: boolean;
  readonly #mailboxConcurrency: number;
  readonly #log?: Logger;

  constructor(options: GraphSourceOptions) {
    this.#api = options.api;
    this.#pageSize = Math.min(999, options.pageSize ?? 999);
    this.#pc = !!options.personalContacts;
    this.#mailboxConcurrency = Math.max(1, options.mailboxConcurrency ?? 4);
    this.#log = options.log;
  }

  async *read(options: ReadOptions): AsyncGenerator<SourceBatch, ReadSummary, void> {
    const full = options.full || !options.watermark;
    const wm: Record<string, string> = {};
    if (!full) for (const [k, v] of Object.entries(options.watermark ?? {})) if (typeof v === 'string') wm[k] = v;
    let total = 0;
    let complete = full;
    const mailboxes = new Set<string>(
      Object.keys(wm)
        .filter((k) => k.startsWith(PC))
        .map((k) => k.slice(PC.length)),
    );
    const goneMailboxes = new Set<string>();

    const stream = async function* (this: GraphSource, key: string, start: string, kind: 'users' | 'contacts'): AsyncGenerator<SourceBatch, void, void> {
      for (let restart = 0; ; restart++) {
        let url: string | undefined = wm[key] ?? start;
        // The next page is fetched while the engine writes the current one.
        let ahead: Promise<DeltaPage<GraphUser | GraphOrgContact>> | null = null;
        try {
          while (url) {
            const page: DeltaPage<GraphUser | GraphOrgContact> = await (ahead ?? this.#get(url, options.signal));
            ahead = null;
            if (page['@odata.nextLink']) {
              ahead = this.#get(page['@odata.nextLink'], options.signal);
              ahead.catch(() => {}); // observed when awaited; never an unhandled rejection
            }
            const upserts: DirectoryEntry[] = [];
            const deletes: string[] = [];
            if (kind === 'users') {
              const users = page.value as GraphUser[];
              const managers = full ? new Map<string, string | null>() : await this.#missingManagers(users, options.signal);
              for (const u of users) {
                if (u['@removed']) {
                  deletes.push(u.id);
                  mailboxes.delete(u.id);
                  goneMailboxes.add(u.id);
                } else {
                  const e = userToEntry(u, managers.has(u.id) ? managers.get(u.id) : undefined);
                  upserts.push(e);
                  if (u.mail) mailboxes.add(u.id);
                }
              }
            } else {
              for (const c of page.value as GraphOrgContact[]) {
                if (c['@removed']) deletes.push(orgContactId(c.id));
                else upserts.push(orgContactToEntry(c));
              }
            }
            total += upserts.length;
            url = page['@odata.nextLink'] ?? undefined;
            const link = page['@odata.nextLink'] ?? page['@odata.deltaLink'];
            if (link) wm[key] = link;
            yield { upserts, deletes, watermark: this.#watermark(wm) };
            if (!page['@odata.nextLink'] && !page['@odata.deltaLink']) throw new Error(`${kind} delta page has neither nextLink nor deltaLink`);
          }
          return;
        } catch (err) {
          if (!(err instanceof GraphRequestError && err.needsResync)) throw err;
          if (!full) throw new ResyncNeeded(`${kind} delta token no longer valid (${err.status} ${err.code})`);
          // A full pass whose paging state expired: start the enumeration again (same pass, so
          // entries already seen stay seen). Bounded, then the run fails without deleting.
          if (restart >= MAX_FULL_RESTARTS) throw err;
          delete wm[key];
          this.#log?.warn({ kind, code: err.code }, 'graph: delta paging expired during a full pass; restarting the enumeration');
        }
      }
    };

    try {
      yield* stream.call(this, USERS, `/users/delta?$select=${USER_SELECT.join(',')}`, 'users');
      yield* stream.call(this, CONTACTS, `/contacts/delta?$select=${ORG_CONTACT_SELECT.join(',')}`, 'contacts');
    } catch (err) {
      if (err instanceof ResyncNeeded) return { complete: false, needsFull: err.message };
      throw err;
    }

    for (const gone of goneMailboxes) delete wm[PC + gone];
    if (this.#pc) {
      const r = yield* this.#personalContacts([...mailboxes], wm, full, options.signal);
      total += r.total;
      if (!r.complete) complete = false;
    } else {
      for (const k of Object.keys(wm)) if (k.startsWith(PC)) delete wm[k];
    }
    return { complete, watermark: this.#watermark(wm), total: full ? total : undefined };
  }

  /** Outlook contacts per mailbox; a mailbox that cannot be read makes the pass incomplete. */
  async *#personalContacts(
    owners: string[],
    wm: Record<string, string>,
    full: boolean,
    signal: AbortSignal,
  ): AsyncGenerator<SourceBatch, { total: number; complete: boolean }, void> {
    let total = 0;
    let complete = true;
    // A few mailboxes are read concurrently; their pages are yielded one at a time.
    const queue: SourceBatch[] = [];
    let wake: (() => void) | null = null;
    let active = 0;
    let next = 0;
    let failure: unknown = null;
    const notify = () => {
      wake?.();
      wake = null;
    };
    const readMailbox = async (owner: string) => {
      const key = PC + owner;
      for (let restart = 0; restart <= 1; restart++) {
        let url: string | undefined =
          (full ? undefined : wm[key]) ?? `/users/${encodeURIComponent(owner)}/contacts/delta?$select=${PERSONAL_CONTACT_SELECT.join(',')}`;
        try {
          while (url) {
            const page: DeltaPage<GraphPersonalContact> = await this.#get(url, signal);
            const upserts: DirectoryEntry[] = [];
            const deletes: string[] = [];
            for (const c of page.value) {
              if (c['@removed']) deletes.push(personalContactId(owner, c.id));
              else upserts.push(personalContactToEntry(owner, c));
            }
            total += upserts.length;
            url = page['@odata.nextLink'];
            const link = page['@odata.nextLink'] ?? page['@odata.deltaLink'];
            queue.push({ upserts, deletes, ...(link ? { watermark: { [key]: link } } : {}) });
            notify();
          }
          return;
        } catch (err) {
          if (err instanceof GraphRequestError && err.needsResync && restart === 0) {
            // Outlook sync state expired: read this mailbox again from the start.
            delete wm[key];
            if (!full) complete = false;
            continue;
          }
          if (err instanceof GraphRequestError && (err.status === 404 || err.status === 403)) {
            // No mailbox (unlicensed, on-premises) or no access: nothing to read, nothing to trust.
            delete wm[key];
            if (err.status === 403) complete = false;
            return;
          }
          throw err;
        }
      }
    };
    const pump = () => {
      while (active < this.#mailboxConcurrency && next < owners.length && !failure) {
        const owner = owners[next++];
        active++;
        readMailbox(owner)
          .catch((err) => {
            failure ??= err;
          })
          .finally(() => {
            active--;
            pump();
            notify();
          });
      }
    };
    pump();
    for (;;) {
      const batch = queue.shift();
      if (batch) {
        // Mailbox links merge into the whole watermark so each commit carries every stream.
        if (batch.watermark) Object.assign(wm, batch.watermark);
        yield { upserts: batch.upserts, deletes: batch.deletes, watermark: this.#watermark(wm) };
        continue;
      }
      if (failure) throw failure;
      if (active === 0 && next >= owners.length) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    return { total, complete };
  }

  /** Managers of changed users when the delta round left `manager@delta` out (unchanged relation). */
  async #missingManagers(users: GraphUser[], signal: AbortSignal): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    const need = users.filter((u) => !u['@removed'] && !u['manager@delta']);
    if (need.length === 0) return out;
    const res = await this.#api.batch(
      need.map((u) => ({ id: u.id, method: 'GET' as const, url: `/users/${encodeURIComponent(u.id)}/manager?$select=id` })),
      { signal },
    );
    for (const [id, r] of res) {
      if (r.status === 200) out.set(id, (r.body as { id?: string })?.id ?? null);
      else if (r.status === 404) out.set(id, null);
      // Anything else: leave the manager as the entry says (unknown); the next change retries.
    }
    return out;
  }

  #get<T>(url: string, signal: AbortSignal): Promise<T> {
    return this.#api.get<T>(url, { headers: { Prefer: `odata.maxpagesize=${this.#pageSize}` }, signal });
  }

  #watermark(wm: Record<string, string>): Watermark {
    return Object.freeze({ ...wm });
  }
}
