import type { Bus } from '../../core/bus/index.js';
import type { Logger } from '../../core/log/index.js';
import type { DocParticipantDto, DocPositionDto } from '../contract/documents.js';
import type { Connection } from '../realtime/index.js';
import { participantsOf, type DocSession } from './participants.js';
import type { DocSessionStore } from './session-store.js';

export interface DocumentSessionsOptions {
  /** A session not renewed for this long disappears. */
  readonly ttlMs: number;
  /** Position updates of one connection are applied at most once per this interval (later ones coalesce). */
  readonly positionIntervalMs: number;
  /** Fan-out window per document: the first change after a quiet window goes out at once, later ones together at its end. */
  readonly fanoutMs: number;
  /** How often expired sessions are looked for. */
  readonly sweepMs: number;
}

/** One connection's place in a document. */
interface Joined {
  readonly conn: Connection;
  readonly docKey: string;
  since: number;
  position: DocPositionDto | null;
  positionAt: number;
  /** The participant list this window was last sent (ids and serialised entries, in order). */
  sentIds: readonly string[];
  sentEntries: readonly string[];
  /** Start of the last position slot used (one applied move per slot). */
  lastSlot: number;
  pending: DocPositionDto | undefined;
  timer: NodeJS.Timeout | undefined;
}

const CHANNEL = 'documents.changed';
/** True when two lists are the same once the viewer's own entry is left out of both. */
function sameForViewer(aIds: readonly string[], aEntries: readonly string[], bIds: readonly string[], bEntries: readonly string[], viewer: string): boolean {
  let i = 0;
  let k = 0;
  for (;;) {
    while (i < aIds.length && aIds[i] === viewer) i++;
    while (k < bIds.length && bIds[k] === viewer) k++;
    if (i >= aIds.length || k >= bIds.length) return i >= aIds.length && k >= bIds.length;
    if (aIds[i] !== bIds[k] || aEntries[i] !== bEntries[k]) return false;
    i++;
    k++;
  }
}

const samePosition = (a: DocPositionDto | null, b: DocPositionDto | null) => a === b || (!!a && !!b && a.paragraph === b.paragraph && a.heading === b.heading);

/**
 * Document sessions: who has which document open and where. Frames update the session store;
 * changed documents are announced on the bus in batches (all documents due at the same moment in
 * one message), and every process pushes the fresh participant list to its own sockets in them.
 */
export class DocumentSessions {
  readonly #joined = new Map<Connection, Joined>();
  readonly #local = new Map<string, Set<Connection>>();
  /** Documents to announce on the next tick, and documents waiting for the end of their fan-out window. */
  readonly #soon = new Set<string>();
  readonly #due = new Map<string, number>();
  readonly #lastAnnounced = new Map<string, number>();
  #soonScheduled = false;
  #ticker: NodeJS.Timeout | undefined;
  readonly #needsInitial = new Set<Connection>();
  readonly #refreshing = new Map<string, boolean>();
  #sweepTimer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  #stopped = false;
  /** Applied position changes since start (for metrics and the benchmark). */
  positionUpdates = 0;
  pushes = 0;

  constructor(
    readonly store: DocSessionStore,
    readonly bus: Bus,
    readonly log: Logger,
    readonly options: DocumentSessionsOptions,
  ) {}

  async start(): Promise<void> {
    this.#unsubscribe = await this.bus.subscribe(CHANNEL, (message) => {
      const keys = (message as { keys?: unknown }).keys;
      if (!Array.isArray(keys)) return;
      for (const k of keys) if (typeof k === 'string' && this.#local.has(k)) this.#refresh(k);
    });
    this.#sweepTimer = setInterval(() => void this.#sweep(), this.options.sweepMs);
    this.#sweepTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    clearInterval(this.#sweepTimer);
    // Leave cleanly so the other processes' co-authors see us go now, not after the TTL.
    const conns = [...this.#joined.keys()];
    await Promise.all(conns.map((c) => this.leave(c).catch(() => {})));
    this.#flushAll();
    this.#stopped = true;
    await this.#unsubscribe?.();
  }

  /** Documents with sockets on this process. */
  get localDocuments(): ReadonlySet<string> {
    return new Set(this.#local.keys());
  }

  get localSessions(): number {
    return this.#joined.size;
  }

  /** Joins (or, for the same document, renews: the heartbeat) a connection's session. */
  async join(conn: Connection, docKey: string, position: DocPositionDto | null | undefined): Promise<void> {
    if (this.#stopped) return;
    const current = this.#joined.get(conn);
    if (current && current.docKey === docKey) {
      if (position !== undefined && position !== null && !samePosition(position, current.position)) this.#queuePosition(current, position);
      await this.#put(current);
      // A renewal after a silence long enough to expire brings the person back; unchanged lists are not re-sent.
      this.#markDirty(docKey);
      return;
    }
    if (current) await this.leave(conn);
    const now = Date.now();
    const j: Joined = {
      conn,
      docKey,
      since: now,
      position: position ?? null,
      positionAt: now,
      lastSlot: 0,
      pending: undefined,
      timer: undefined,
      sentIds: [],
      sentEntries: [],
    };
    this.#joined.set(conn, j);
    let set = this.#local.get(docKey);
    if (!set) this.#local.set(docKey, (set = new Set()));
    set.add(conn);
    this.#needsInitial.add(conn);
    await this.#put(j);
    this.#markDirty(docKey, true);
  }

  /** A move. Applied at most once per positionIntervalMs per connection; extra moves coalesce to the latest. */
  move(conn: Connection, position: DocPositionDto): boolean {
    const j = this.#joined.get(conn);
    if (!j || this.#stopped) return false;
    this.#queuePosition(j, position);
    return true;
  }

  async leave(conn: Connection): Promise<void> {
    const j = this.#joined.get(conn);
    if (!j) return;
    clearTimeout(j.timer);
    this.#joined.delete(conn);
    this.#needsInitial.delete(conn);
    const set = this.#local.get(j.docKey);
    set?.delete(conn);
    if (set && set.size === 0) this.#local.delete(j.docKey);
    if (this.#stopped) return;
    await this.store.remove(j.docKey, conn.id);
    this.#markDirty(j.docKey, true);
  }

  /** Live participants of a document, one per person. */
  async participants(docKey: string): Promise<DocParticipantDto[]> {
    return participantsOf(await this.store.list(docKey, Date.now()));
  }

  #queuePosition(j: Joined, position: DocPositionDto): void {
    j.pending = position;
    if (j.timer) return;
    const now = Date.now();
    const slot = j.lastSlot + this.options.positionIntervalMs;
    if (now >= slot) {
      j.lastSlot = now;
      this.#applyPending(j);
    } else {
      // The slot is the scheduled time, not when the timer really fired: a client moving at exactly
      // the allowed rate must not drift later and later behind a busy event loop.
      j.lastSlot = slot;
      j.timer = setTimeout(() => {
        j.timer = undefined;
        this.#applyPending(j);
      }, slot - now);
      j.timer.unref?.();
    }
  }

  #applyPending(j: Joined): void {
    const p = j.pending;
    j.pending = undefined;
    if (!p || this.#joined.get(j.conn) !== j) return;
    if (samePosition(p, j.position)) return;
    j.position = p;
    j.positionAt = Date.now();
    this.positionUpdates++;
    this.#put(j).then(
      () => this.#markDirty(j.docKey),
      (err: unknown) => this.log.warn({ err }, 'document session write failed'),
    );
  }

  #put(j: Joined): Promise<void> {
    const p = j.conn.principal;
    const session: DocSession = {
      connId: j.conn.id,
      docKey: j.docKey,
      personId: p.personId,
      email: p.email,
      displayName: p.displayName,
      position: j.position,
      positionAt: j.positionAt,
      since: j.since,
      expiresAt: Date.now() + this.options.ttlMs,
      nodeId: this.bus.nodeId,
    };
    return this.store.put(session);
  }

  /**
   * Schedules the announcement of a changed document. Per document: the first change after a quiet
   * fan-out window goes out on the next tick; later ones within the window wait for its end and
   * go out together (leading + trailing edge). Joins and leaves never wait.
   */
  #markDirty(docKey: string, urgent = false): void {
    if (this.#stopped || this.#soon.has(docKey)) return;
    const now = Date.now();
    const last = this.#lastAnnounced.get(docKey) ?? 0;
    if (urgent || now - last >= this.options.fanoutMs) {
      this.#due.delete(docKey);
      this.#soon.add(docKey);
      if (!this.#soonScheduled) {
        this.#soonScheduled = true;
        setImmediate(() => this.#flushSoon());
      }
    } else if (!this.#due.has(docKey)) {
      this.#due.set(docKey, last + this.options.fanoutMs);
      if (!this.#ticker) {
        this.#ticker = setInterval(() => this.#flushDue(), Math.max(5, Math.min(20, Math.floor(this.options.fanoutMs / 5))));
        this.#ticker.unref?.();
      }
    }
  }

  #flushSoon(): void {
    this.#soonScheduled = false;
    const keys = [...this.#soon];
    this.#soon.clear();
    this.#announce(keys);
  }

  #flushDue(): void {
    const now = Date.now();
    const keys: string[] = [];
    for (const [k, at] of this.#due) {
      if (at <= now) {
        keys.push(k);
        this.#due.delete(k);
      }
    }
    if (!this.#due.size) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
    this.#announce(keys);
  }

  #flushAll(): void {
    const keys = [...this.#soon, ...this.#due.keys()];
    this.#soon.clear();
    this.#due.clear();
    clearInterval(this.#ticker);
    this.#ticker = undefined;
    this.#announce(keys);
  }

  /** One bus message for every document announced at this moment. */
  #announce(keys: string[]): void {
    if (!keys.length) return;
    const now = Date.now();
    for (const k of keys) this.#lastAnnounced.set(k, now);
    this.bus.publish(CHANNEL, { keys }).catch((err: unknown) => {
      // The bus is down: at least our own sockets hear about it; the sweep catches up the rest.
      this.log.warn({ err }, 'documents bus publish failed');
      for (const k of keys) if (this.#local.has(k)) this.#refresh(k);
    });
  }

  /** Reads a document's participants and pushes them to local sockets; one read in flight per document. */
  #refresh(docKey: string): void {
    if (this.#refreshing.has(docKey)) {
      this.#refreshing.set(docKey, true);
      return;
    }
    this.#refreshing.set(docKey, false);
    void (async () => {
      try {
        do {
          this.#refreshing.set(docKey, false);
          const participants = participantsOf(await this.store.list(docKey, Date.now()));
          this.#push(docKey, participants);
        } while (this.#refreshing.get(docKey));
      } catch (err) {
        this.log.warn({ err, docKey }, 'document participants read failed');
      } finally {
        this.#refreshing.delete(docKey);
      }
    })();
  }

  #push(docKey: string, participants: DocParticipantDto[]): void {
    const conns = this.#local.get(docKey);
    if (!conns) return;
    // Serialised once per document, not once per socket.
    const ids = participants.map((p) => p.personId);
    const entries = participants.map((p) => JSON.stringify(p));
    let json: string | undefined;
    for (const c of conns) {
      const j = this.#joined.get(c);
      if (!j) continue;
      // A window is not re-sent a list in which only its own person changed: its pane knows where it is.
      if (!this.#needsInitial.has(c) && sameForViewer(j.sentIds, j.sentEntries, ids, entries, c.principal.personId)) continue;
      this.#needsInitial.delete(c);
      j.sentIds = ids;
      j.sentEntries = entries;
      json ??= `{"type":"doc.participants","docKey":${JSON.stringify(docKey)},"participants":[${entries.join(',')}]}`;
      if (c.sendRaw(json)) this.pushes++;
    }
  }

  async #sweep(): Promise<void> {
    if (this.#stopped) return;
    const quietSince = Date.now() - this.options.fanoutMs;
    for (const [k, at] of this.#lastAnnounced) if (at < quietSince && !this.#due.has(k)) this.#lastAnnounced.delete(k);
    try {
      const changed = await this.store.sweep(this.#local.keys(), Date.now());
      for (const k of changed) this.#markDirty(k);
    } catch (err) {
      this.log.warn({ err }, 'document session sweep failed');
    }
  }
}
