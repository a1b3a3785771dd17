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
  personalContactPrefix,
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

/**
 * Watermark keys: users and org contacts delta links, one per mailbox for its default Contacts
 * folder (`pc:<owner>`), and one per other contact folder (`pcf:<owner>|<folderId>`).
 */
const USERS = 'users';
const CONTACTS = 'contacts';
const PC = 'pc:';
const PCF = 'pcf:';
/** Bounds of the contact-folder tree walked per mailbox (Outlook allows deep trees; people rarely nest). */
const MAX_FOLDER_DEPTH = 5;
const MAX_FOLDERS_PER_MAILBOX = 500;

interface GraphContactFolder {
  id: string;
  displayName?: string;
}

const folderKey = (owner: string, folderId: string) => `${PCF}${owner}|${folderId}`;
const ownerOfKey = (key: string) => (key.startsWith(PCF) ? key.slice(PCF.length, key.indexOf('|')) : key.startsWith(PC) ? key.slice(PC.length) : undefined);
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
        .map(ownerOfKey)
        .filter((o): o is string => o !== undefined),
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
                  if (u.mail) {
                    mailboxes.add(u.id);
                    // Remembered with this page: a run killed before the mailbox is read finds it
                    // in the watermark ('' = from the start), since the users delta moves on.
                    if (this.#pc) wm[PC + u.id] ??= '';
                  }
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

    for (const k of Object.keys(wm)) if (goneMailboxes.has(ownerOfKey(k) ?? '')) delete wm[k];
    if (this.#pc) {
      const r = yield* this.#personalContacts([...mailboxes], wm, full, options.signal);
      total += r.total;
      if (!r.complete) complete = false;
    } else {
      for (const k of Object.keys(wm)) if (k.startsWith(PC) || k.startsWith(PCF)) delete wm[k];
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
    /** A mailbox (or part of it) that was not read: its stored contacts are kept as seen. */
    const keepOwner = (owner: string) => queue.push({ upserts: [], deletes: [], keep: [personalContactPrefix(owner)] });
    let wake: (() => void) | null = null;
    let active = 0;
    let next = 0;
    let failure: unknown = null;
    const notify = () => {
      wake?.();
      wake = null;
    };
    // Links of folders that vanished or failed: never merged back by a batch still in the queue.
    const dropped = new Set<string>();
    const drop = (key: string) => {
      dropped.add(key);
      delete wm[key];
    };
    /**
     * One contact folder's delta (the default folder when `folderId` is undefined). Returns false
     * when the mailbox itself cannot be read (no mailbox or no access), so its folders are skipped.
     */
    const readFolder = async (owner: string, folderId: string | undefined): Promise<boolean> => {
      const key = folderId === undefined ? PC + owner : folderKey(owner, folderId);
      const base = `/users/${encodeURIComponent(owner)}`;
      const start = `${folderId === undefined ? base : `${base}/contactFolders/${encodeURIComponent(folderId)}`}/contacts/delta?$select=${PERSONAL_CONTACT_SELECT.join(',')}`;
      for (let restart = 0; restart <= 1; restart++) {
        let url: string | undefined = (full ? undefined : wm[key] || undefined) ?? start;
        try {
          while (url) {
            const page: DeltaPage<GraphPersonalContact> = await this.#get(url, signal);
            const upserts: DirectoryEntry[] = [];
            const deletes: string[] = [];
            // Contact ids are unique per mailbox, whatever folder holds them.
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
          return true;
        } catch (err) {
          if (err instanceof GraphRequestError && err.needsResync && restart === 0) {
            // Outlook sync state expired: read this folder again from the start.
            delete wm[key];
            if (!full) complete = false;
            continue;
          }
          if (err instanceof GraphRequestError && (err.status === 404 || err.status === 403)) {
            drop(key);
            if (folderId === undefined) {
              // No access (an application access policy): this mailbox's contacts stay as they
              // are, and the rest of the pass still counts. No mailbox at all (404: unlicensed,
              // on-premises) has nothing to keep.
              if (err.status === 403) {
                keepOwner(owner);
                this.#log?.warn({ owner }, "graph: a mailbox's contacts could not be read (403); kept as they are");
              }
              return false;
            }
            // A folder deleted (or hidden) since it was listed: its contacts were not read, so
            // this pass proves nothing about this mailbox's contacts; a later full pass reconciles.
            keepOwner(owner);
            this.#log?.warn({ owner, status: err.status }, "graph: a contact folder could not be read; the mailbox's contacts are kept as they are");
            return true;
          }
          throw err;
        }
      }
      return true;
    };
    const readMailbox = async (owner: string) => {
      if (!(await readFolder(owner, undefined))) {
        for (const k of Object.keys(wm)) if (k.startsWith(folderKey(owner, ''))) drop(k);
        return;
      }
      const listed = await this.#contactFolders(owner, signal);
      // The folder list could not be read (keep the stored links, read only those), or not all of
      // it: the contacts of folders not read must not look deleted.
      if (listed === null || !listed.all) keepOwner(owner);
      const folders = new Set(listed?.ids ?? []);
      // Folders with a stored link but not listed now (deleted, or past the bounds) are read by
      // their link: a 404 then drops the link and marks the pass incomplete.
      if (!full) for (const k of Object.keys(wm)) if (k.startsWith(folderKey(owner, ''))) folders.add(k.slice(folderKey(owner, '').length));
      for (const folderId of folders) await readFolder(owner, folderId);
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
        if (batch.watermark) for (const [k, v] of Object.entries(batch.watermark)) if (!dropped.has(k) && typeof v === 'string') wm[k] = v;
        yield { upserts: batch.upserts, deletes: batch.deletes, ...(batch.keep ? { keep: batch.keep } : {}), watermark: this.#watermark(wm) };
        continue;
      }
      if (failure) throw failure;
      if (active === 0 && next >= owners.length) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    return { total, complete };
  }

  /**
   * A mailbox's contact folders below the default one: the top level, then child folders, breadth
   * first within the depth and count bounds. null when the mailbox's folder list cannot be read.
   */
  async #contactFolders(owner: string, signal: AbortSignal): Promise<{ ids: string[]; all: boolean } | null> {
    const base = `/users/${encodeURIComponent(owner)}/contactFolders`;
    const out: string[] = [];
    const seen = new Set<string>();
    let level: (string | undefined)[] = [undefined];
    try {
      for (let depth = 0; depth < MAX_FOLDER_DEPTH && level.length; depth++) {
        const nextLevel: string[] = [];
        for (const parent of level) {
          let url: string | undefined = `${parent === undefined ? base : `${base}/${encodeURIComponent(parent)}/childFolders`}?$select=id,displayName`;
          while (url) {
            const page: DeltaPage<GraphContactFolder> = await this.#get(url, signal);
            for (const f of page.value) {
              if (seen.has(f.id)) continue;
              if (out.length >= MAX_FOLDERS_PER_MAILBOX) {
                this.#log?.warn({ owner, max: MAX_FOLDERS_PER_MAILBOX }, 'graph: too many contact folders; the rest are not read');
                return { ids: out, all: false };
              }
              seen.add(f.id);
              out.push(f.id);
              nextLevel.push(f.id);
            }
            url = page['@odata.nextLink'];
          }
        }
        level = nextLevel;
      }
    } catch (err) {
      if (err instanceof GraphRequestError && (err.status === 404 || err.status === 403)) return null;
      throw err;
    }
    return { ids: out, all: level.length === 0 };
  }

  /**
   * Managers of changed users when the delta round left `manager@delta` out (unchanged relation).
   * A lookup that failed (403, 500, 429 past the retries) cannot stand for "no manager": an entry
   * carries no "unknown" manager, so the store would clear it. The incremental pass stops before
   * this page instead and asks for a full pass, whose delta rounds carry every manager themselves.
   */
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
    }
    const failed = need.filter((u) => !out.has(u.id));
    if (failed.length) {
      const statuses = [...new Set(failed.map((u) => res.get(u.id)?.status ?? 'no answer'))].join(', ');
      throw new ResyncNeeded(`the manager of ${failed.length} changed user(s) could not be read (${statuses})`);
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
