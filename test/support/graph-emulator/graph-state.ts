import { DeltaCollection, type Json } from './delta-collection.js';

export interface CalendarItem {
  readonly start: string; // ISO, UTC
  readonly end: string;
  readonly showAs: 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere';
  readonly subject?: string;
  readonly attendees?: readonly string[];
}

export interface AutomaticReplies {
  status: 'disabled' | 'alwaysEnabled' | 'scheduled';
  internalReplyMessage?: string;
  externalReplyMessage?: string;
  scheduledStart?: string;
  scheduledEnd?: string;
}

export interface Fault {
  /** Matched against "METHOD /path" (path without the version prefix, query excluded). */
  readonly match: RegExp;
  /** HTTP status to answer; 0 drops the connection instead (outside $batch only). */
  status: number;
  retryAfter?: number;
  /** How many times it fires; decremented on each use. */
  times: number;
  /** true: only inside $batch; false: only outside; undefined: both. */
  readonly inBatch?: boolean;
  readonly body?: Json;
  /** Performs the request and then answers with this status (a lost response). */
  readonly afterApplying?: boolean;
}

/** An Outlook contact folder below a mailbox's default Contacts folder. */
export interface ContactFolder {
  readonly id: string;
  displayName: string;
  /** null: a top-level folder (listed by /contactFolders); else the parent folder's id. */
  readonly parentFolderId: string | null;
  readonly contacts: DeltaCollection;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly inBatch: boolean;
  readonly at: number;
  readonly status: number;
  readonly body?: unknown;
}

/** Everything the emulator knows; tests seed and mutate it between passes. */
export class GraphState {
  readonly users = new DeltaCollection('users');
  readonly orgContacts = new DeltaCollection('contacts');
  readonly personalContacts = new Map<string, DeltaCollection>();
  /** Contact folders per user id, in creation order. */
  readonly contactFolders = new Map<string, ContactFolder[]>();
  readonly photos = new Map<string, { bytes: Buffer; etag: string; contentType: string }>();
  readonly automaticReplies = new Map<string, AutomaticReplies>();
  readonly calendars = new Map<string, CalendarItem[]>();
  readonly teamsPresence = new Map<string, { availability: string; activity: string }>();
  readonly sentMail: { from: string; message: Json; saveToSentItems: unknown }[] = [];
  readonly mailFolders = new Map<string, { id: string; displayName: string }[]>();
  readonly folderMessages = new Map<string, Json[]>(); // key: user|folderId
  readonly faults: Fault[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly tokens = new Map<string, number>();
  tokensIssued = 0;
  tokenLifetimeSeconds = 3600;
  /** Page size when the client does not ask for one (Graph's default for users delta is 100). */
  pageSize = 100;
  /** Answer latency in ms for every Graph request (not the token endpoint). */
  latencyMs = 0;
  /** Highest number of requests in flight at once against one mailbox. */
  readonly maxConcurrentPerMailbox = new Map<string, number>();
  readonly inFlight = new Map<string, number>();
  #photoSeq = 0;
  #folderSeq = 0;

  contactsOf(userId: string): DeltaCollection {
    let c = this.personalContacts.get(userId);
    if (!c) this.personalContacts.set(userId, (c = new DeltaCollection(`pc:${userId}`)));
    return c;
  }

  /** Creates a contact folder (top level, or a child of `parentFolderId`) and returns its id. */
  addContactFolder(userId: string, displayName: string, parentFolderId: string | null = null): string {
    const list = this.contactFolders.get(userId) ?? [];
    this.contactFolders.set(userId, list);
    if (parentFolderId !== null && !list.some((f) => f.id === parentFolderId)) throw new Error(`no contact folder ${parentFolderId}`);
    const id = `AAMkADcf${++this.#folderSeq}-${userId.slice(0, 8)}=`;
    list.push({ id, displayName, parentFolderId, contacts: new DeltaCollection(`pcf:${userId}:${id}`) });
    return id;
  }

  contactFolder(userId: string, folderId: string): ContactFolder | undefined {
    return this.contactFolders.get(userId)?.find((f) => f.id === folderId);
  }

  /** The contacts of one folder (throws for an unknown folder: a test bug). */
  folderContactsOf(userId: string, folderId: string): DeltaCollection {
    const f = this.contactFolder(userId, folderId);
    if (!f) throw new Error(`no contact folder ${folderId} for ${userId}`);
    return f.contacts;
  }

  /** Deletes a folder with its child folders (and their contacts), as Outlook does. */
  removeContactFolder(userId: string, folderId: string): void {
    const list = this.contactFolders.get(userId) ?? [];
    const doomed = new Set([folderId]);
    for (let grew = true; grew;) {
      grew = false;
      for (const f of list) {
        if (f.parentFolderId !== null && doomed.has(f.parentFolderId) && !doomed.has(f.id)) {
          doomed.add(f.id);
          grew = true;
        }
      }
    }
    this.contactFolders.set(
      userId,
      list.filter((f) => !doomed.has(f.id)),
    );
  }

  setPhoto(userId: string, bytes: Buffer | null, contentType = 'image/jpeg'): void {
    if (!bytes) this.photos.delete(userId);
    else this.photos.set(userId, { bytes, contentType, etag: `W/"photo-${++this.#photoSeq}"` });
  }

  /** Adds a fault; `times` defaults to 1. */
  fault(f: Omit<Fault, 'times'> & { times?: number }): void {
    this.faults.push({ times: 1, ...f });
  }

  /** Invalidates all delta tokens of users and org contacts: their next use answers 410 Gone. */
  expireDeltaTokens(): void {
    this.users.epoch++;
    this.orgContacts.epoch++;
    for (const c of this.personalContacts.values()) c.epoch++;
    for (const list of this.contactFolders.values()) for (const f of list) f.contacts.epoch++;
  }

  expireAccessTokens(): void {
    this.tokens.clear();
  }

  userByKey(key: string): Json | undefined {
    const k = key.toLowerCase();
    const direct = this.users.items.get(key);
    if (direct) return direct;
    for (const u of this.users.items.values()) {
      if (String(u.userPrincipalName ?? '').toLowerCase() === k || String(u.mail ?? '').toLowerCase() === k) return u;
    }
    return undefined;
  }
}
