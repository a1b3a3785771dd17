import type { Bus } from '../../core/bus/index.js';
import type { Logger } from '../../core/log/index.js';
import type { DocParticipantDto, DocPositionDto } from '../contract/documents.js';
import { prepareFrame, type Connection, type PreparedFrame } from '../realtime/index.js';
import { participantsOf, type DocSession } from './participants.js';
import type { DocSessionStore } from './session-store.js';

export interface DocumentSessionsOptions {
  /** A session not renewed for this long disappears. */
  readonly ttlMs: number;
  /** Position updates of one connection are applied at most once per this interval on average, in bursts of POSITION_BURST (later ones coalesce). */
  readonly positionIntervalMs: number;
  /** Fan-out window per document: a move goes out at most this long after it was applied, with every other move of the window. */
  readonly fanoutMs: number;
  /** While true, fan-out windows stay open (the sockets' host has a backlog). */
  readonly backlogged?: () => boolean;
  /** How often expired sessions are looked for. */
  readonly sweepMs: number;
}

type LiveSession = { -readonly [K in keyof DocSession]: DocSession[K] };

/** A document this process has sockets in (windows, or watchers of its links). */
interface LocalDoc {
  readonly key: string;
  readonly windows: Set<Joined>;
  /** Watching connections, and whether each still needs its first (whole) list. */
  readonly watchers: Map<Connection, boolean>;
  /** The list last pushed (what every recipient holds, each but its own entry). */
  sent: readonly DocParticipantDto[] | null;
  /** When the pending fan-out window of this document ends (0: none pending). */
  dueAt: number;
}

/** One connection's place in a document. */
interface Joined {
  readonly conn: Connection;
  readonly doc: LocalDoc;
  /** Owned here and updated in place; the store is handed the same object. */
  readonly session: LiveSession;
  /** Moves this window may apply now (a token bucket refilled one per positionIntervalMs), as of tokensAt. */
  tokens: number;
  tokensAt: number;
  pending: DocPositionDto | undefined;
  /** In the slot wheel, waiting for its slot. */
  waiting: boolean;
  /** Has not had a whole list yet. */
  needsInitial: boolean;
}

const CHANNEL = 'documents.changed';
/**
 * Moves a window may make back to back. A pane moving at exactly the allowed rate arrives with
 * jitter (its timers, the network, our own event loop); with a strict spacing half its moves would
 * wait up to a whole interval. A bucket of two absorbs that and still bounds the average rate.
 */
const POSITION_BURST = 2;

const samePosition = (a: DocPositionDto | null, b: DocPositionDto | null) => a === b || (!!a && !!b && a.paragraph === b.paragraph && a.heading === b.heading);
const sameIdentity = (a: DocParticipantDto, b: DocParticipantDto) =>
  a.personId === b.personId && a.since === b.since && a.email === b.email && a.displayName === b.displayName;

/**
 * Document sessions: who has which document open and where.
 *
 * The hot path is a move (every co-author, twice a second): it changes the session object in place
 * (no store write in memory; shared stores batch them) and opens the document's fan-out window if
 * none is open. When the window ends, the document's list is read once, compared with the list last
 * pushed, and one frame is encoded for everyone: `moved` (only the positions that changed) or the
 * whole list on joins and leaves. A window is not sent its own person's moves. Timers are shared: one
 * ticker serves every waiting move and every open window.
 *
 * With a store shared by several processes the documents due are announced on the bus (all at once)
 * and every process with sockets in them reads and pushes; a private store is read directly.
 */
export class DocumentSessions {
  readonly #joined = new Map<Connection, Joined>();
  readonly #docs = new Map<string, LocalDoc>();
  readonly #watching = new Map<Connection, LocalDoc[]>();
  /** Moves waiting for their slot, by tick number. */
  readonly #wheel = new Map<number, Joined[]>();
  /** Open fan-out windows in the order they end (they all last fanoutMs); `at` tells a stale entry from the current one. */
  #due: { doc: LocalDoc; at: number }[] = [];
  /** Keys to announce (shared store) or refresh on the next turn of the event loop: joins, leaves, expiries. */
  readonly #soon = new Set<string>();
  /** Documents to re-read for this process only (a new watcher). */
  readonly #soonLocal = new Set<LocalDoc>();
  #soonScheduled = false;
  #ticker: NodeJS.Timeout | undefined;
  readonly #tickMs: number;
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
  ) {
    this.#tickMs = Math.max(2, Math.min(20, Math.floor(Math.min(options.fanoutMs, options.positionIntervalMs || options.fanoutMs) / 10)));
  }

  async start(): Promise<void> {
    if (!this.store.listNow)
      this.#unsubscribe = await this.bus.subscribe(CHANNEL, (message) => {
        const keys = (message as { keys?: unknown }).keys;
        if (!Array.isArray(keys)) return;
        for (const k of keys) {
          const doc = typeof k === 'string' ? this.#docs.get(k) : undefined;
          if (doc) this.#refresh(doc);
        }
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
    this.#flushSoon();
    this.#stopped = true;
    clearInterval(this.#ticker);
    await this.#unsubscribe?.();
  }

  /** Documents with sockets on this process. */
  get localDocuments(): ReadonlySet<string> {
    return new Set(this.#docs.keys());
  }

  get localSessions(): number {
    return this.#joined.size;
  }

  /** Joins (or, for the same document, renews: the heartbeat) a connection's session. */
  async join(conn: Connection, docKey: string, position: DocPositionDto | null | undefined): Promise<void> {
    // A socket closed while its frame waited (a registry lookup, say): its close handler has left
    // already, and a session joined now would be a ghost.
    if (this.#stopped || conn.closed) return;
    const now = Date.now();
    const current = this.#joined.get(conn);
    if (current && current.doc.key === docKey) {
      if (position !== undefined && position !== null && !samePosition(position, current.session.position)) this.#queuePosition(current, position);
      const expired = current.session.expiresAt <= now;
      current.session.expiresAt = now + this.options.ttlMs;
      await this.store.put(current.session);
      // A renewal after a silence long enough to expire brings the person back.
      if (expired) this.#markSoon(docKey);
      return;
    }
    if (current) await this.leave(conn);
    // The socket may have closed while this waited: its close handler found nothing to leave then.
    if (conn.closed || this.#stopped) return;
    const p = conn.principal;
    const doc = this.#doc(docKey);
    const j: Joined = {
      conn,
      doc,
      session: {
        connId: conn.id,
        docKey,
        personId: p.personId,
        email: p.email,
        displayName: p.displayName,
        position: position ?? null,
        positionAt: now,
        since: now,
        expiresAt: now + this.options.ttlMs,
        nodeId: this.bus.nodeId,
      },
      tokens: POSITION_BURST,
      tokensAt: now,
      pending: undefined,
      waiting: false,
      needsInitial: true,
    };
    this.#joined.set(conn, j);
    doc.windows.add(j);
    await this.store.put(j.session);
    this.#markSoon(docKey);
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
    this.#joined.delete(conn);
    j.doc.windows.delete(j);
    this.#dropIfUnused(j.doc);
    if (this.#stopped) return;
    await this.store.remove(j.doc.key, conn.id);
    this.#markSoon(j.doc.key);
  }

  /**
   * Keeps a connection told about these documents (replacing what it watched before): it gets the
   * whole list soon, then every change like the co-authors do. The caller checked the connection
   * may know the keys.
   */
  watch(conn: Connection, docKeys: readonly string[]): void {
    if (this.#stopped) return;
    this.unwatch(conn);
    if (!docKeys.length) return;
    const docs = [...new Set(docKeys)].map((k) => this.#doc(k));
    this.#watching.set(conn, docs);
    for (const doc of docs) {
      doc.watchers.set(conn, true);
      this.#soonLocal.add(doc);
    }
    this.#scheduleSoon();
  }

  unwatch(conn: Connection): void {
    const docs = this.#watching.get(conn);
    if (!docs) return;
    this.#watching.delete(conn);
    for (const doc of docs) {
      doc.watchers.delete(conn);
      this.#dropIfUnused(doc);
    }
  }

  /** Live participants of a document, one per person. */
  async participants(docKey: string): Promise<DocParticipantDto[]> {
    return participantsOf(await this.store.list(docKey, Date.now()));
  }

  #doc(docKey: string): LocalDoc {
    let doc = this.#docs.get(docKey);
    if (!doc) this.#docs.set(docKey, (doc = { key: docKey, windows: new Set(), watchers: new Map(), sent: null, dueAt: 0 }));
    return doc;
  }

  #dropIfUnused(doc: LocalDoc): void {
    if (doc.windows.size || doc.watchers.size || this.#docs.get(doc.key) !== doc) return;
    this.#docs.delete(doc.key);
    this.#soonLocal.delete(doc);
  }

  #queuePosition(j: Joined, position: DocPositionDto): void {
    j.pending = position;
    if (j.waiting) return;
    const now = Date.now();
    const wait = this.#takeToken(j, now);
    if (wait <= 0) {
      this.#applyPending(j, now);
      return;
    }
    j.waiting = true;
    const tick = Math.ceil((now + wait) / this.#tickMs);
    const bucket = this.#wheel.get(tick);
    if (bucket) bucket.push(j);
    else this.#wheel.set(tick, [j]);
    this.#startTicker();
  }

  /** Takes a move's token if there is one (returns 0), or returns how long until there is. */
  #takeToken(j: Joined, now: number): number {
    const interval = this.options.positionIntervalMs;
    if (interval <= 0) return 0;
    j.tokens = Math.min(POSITION_BURST, j.tokens + (now - j.tokensAt) / interval);
    j.tokensAt = now;
    if (j.tokens < 1) return (1 - j.tokens) * interval;
    j.tokens -= 1;
    return 0;
  }

  #applyPending(j: Joined, now: number): void {
    const p = j.pending;
    j.pending = undefined;
    if (!p || this.#joined.get(j.conn) !== j || samePosition(p, j.session.position)) return;
    const s = j.session;
    // A move is a sign of life like a heartbeat: it renews the session.
    const expired = s.expiresAt <= now;
    s.position = p;
    s.positionAt = now;
    s.expiresAt = now + this.options.ttlMs;
    this.positionUpdates++;
    if (expired) {
      // Swept meanwhile: it comes back as a join does.
      this.store.put(s).then(
        () => this.#markSoon(s.docKey),
        (err: unknown) => this.log.warn({ err }, 'document session write failed'),
      );
      return;
    }
    this.store.moved(s);
    const doc = j.doc;
    if (doc.dueAt === 0) {
      doc.dueAt = now + this.options.fanoutMs;
      this.#due.push({ doc, at: doc.dueAt });
      this.#startTicker();
    }
  }

  #startTicker(): void {
    if (this.#ticker || this.#stopped) return;
    this.#ticker = setInterval(() => this.#tick(), this.#tickMs);
    this.#ticker.unref?.();
  }

  #tick(): void {
    const now = Date.now();
    const upTo = Math.floor(now / this.#tickMs);
    for (const [tick, bucket] of this.#wheel) {
      if (tick > upTo) continue;
      this.#wheel.delete(tick);
      for (const j of bucket) {
        j.waiting = false;
        // Its token is due by now (ticks round up), whatever rounding says.
        if (this.#takeToken(j, now) > 0) j.tokens = 0;
        this.#applyPending(j, now);
      }
    }
    let n = 0;
    // While the sockets' host is behind, windows stay open and keep gathering moves.
    if (!this.options.backlogged?.()) while (n < this.#due.length && this.#due[n].at <= now) n++;
    if (n) {
      const ended = this.#due.slice(0, n);
      this.#due = this.#due.slice(n);
      this.#fanOut(ended);
    }
    if (!this.#wheel.size && !this.#due.length) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
  }

  /** Documents whose window ended: their lists go out now. */
  #fanOut(ended: { doc: LocalDoc; at: number }[]): void {
    const keys: string[] = [];
    for (const { doc, at } of ended) {
      // A document dropped meanwhile, or pushed early (a join) and re-opened under a new window, is not due here.
      if (doc.dueAt !== at || this.#docs.get(doc.key) !== doc) continue;
      doc.dueAt = 0;
      keys.push(doc.key);
    }
    this.#announce(keys);
  }

  #markSoon(docKey: string): void {
    if (this.#stopped) return;
    this.#soon.add(docKey);
    this.#scheduleSoon();
  }

  #scheduleSoon(): void {
    if (this.#soonScheduled) return;
    this.#soonScheduled = true;
    setImmediate(() => this.#flushSoon());
  }

  #flushSoon(): void {
    this.#soonScheduled = false;
    const keys = [...this.#soon];
    this.#soon.clear();
    const local = [...this.#soonLocal];
    this.#soonLocal.clear();
    for (const k of keys) {
      // Whatever was waiting for its window goes out with this list.
      const doc = this.#docs.get(k);
      if (doc) doc.dueAt = 0;
    }
    this.#announce(keys);
    for (const doc of local) if (this.#docs.get(doc.key) === doc) this.#refresh(doc);
  }

  /** Private store: push from it now. Shared store: write the queued moves, then one bus message for all these documents. */
  #announce(keys: string[]): void {
    if (!keys.length) return;
    if (this.store.listNow) {
      for (const k of keys) {
        const doc = this.#docs.get(k);
        if (doc) this.#refresh(doc);
      }
      return;
    }
    this.store
      .flush()
      .catch((err: unknown) => this.log.warn({ err }, 'document session write failed'))
      .then(() => this.bus.publish(CHANNEL, { keys }))
      .catch((err: unknown) => {
        // The bus is down: at least our own sockets hear about it; the sweep catches up the rest.
        this.log.warn({ err }, 'documents bus publish failed');
        for (const k of keys) {
          const doc = this.#docs.get(k);
          if (doc) this.#refresh(doc);
        }
      });
  }

  /** Reads a document's participants and pushes them; one read in flight per document. */
  #refresh(doc: LocalDoc): void {
    const listNow = this.store.listNow;
    if (listNow) {
      this.#push(doc, participantsOf(listNow(doc.key, Date.now())));
      return;
    }
    const docKey = doc.key;
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
          const current = this.#docs.get(docKey);
          if (current) this.#push(current, participants);
        } while (this.#refreshing.get(docKey));
      } catch (err) {
        this.log.warn({ err, docKey }, 'document participants read failed');
      } finally {
        this.#refreshing.delete(docKey);
      }
    })();
  }

  /** Sends what changed since the last push: one encoding per variant, not per socket. */
  #push(doc: LocalDoc, list: DocParticipantDto[]): void {
    const prev = doc.sent;
    doc.sent = list;
    const key = JSON.stringify(doc.key);
    let whole: PreparedFrame | undefined;
    const wholeFrame = () => (whole ??= prepareFrame(`{"type":"doc.participants","docKey":${key},"participants":${JSON.stringify(list)}}`));

    let sameMembers = prev !== null && prev.length === list.length;
    for (let i = 0; sameMembers && i < list.length; i++) sameMembers = sameIdentity(prev![i], list[i]);

    if (!sameMembers) {
      // People who differ between the lists: a window whose own person is the only one is not told.
      const changed = new Set<string>();
      const before = new Map((prev ?? []).map((p) => [p.personId, p]));
      for (const p of list) {
        const b = before.get(p.personId);
        if (!b || !sameIdentity(b, p) || !samePosition(b.position, p.position)) changed.add(p.personId);
        before.delete(p.personId);
      }
      for (const id of before.keys()) changed.add(id);
      for (const j of doc.windows) {
        if (!j.needsInitial && changed.size === 1 && changed.has(j.conn.principal.personId)) continue;
        j.needsInitial = false;
        if (j.conn.sendPrepared(wholeFrame())) this.pushes++;
      }
      for (const conn of doc.watchers.keys()) {
        doc.watchers.set(conn, false);
        if (conn.sendPrepared(wholeFrame())) this.pushes++;
      }
      return;
    }

    // Same people: only positions may have changed.
    const moved: string[] = [];
    const movedIds: string[] = [];
    for (let i = 0; i < list.length; i++)
      if (!samePosition(prev![i].position, list[i].position)) {
        movedIds.push(list[i].personId);
        moved.push(`{"personId":${JSON.stringify(list[i].personId)},"position":${JSON.stringify(list[i].position)}}`);
      }
    let all: PreparedFrame | undefined;
    const movesFrame = (entries: string[]) => prepareFrame(`{"type":"doc.participants","docKey":${key},"moved":[${entries.join(',')}]}`);
    // A mover's own windows get everyone else's moves (one encoding per moving person, when needed).
    const withoutSelf = new Map<string, PreparedFrame | null>();
    for (const j of doc.windows) {
      let frame: PreparedFrame | null;
      if (j.needsInitial) {
        j.needsInitial = false;
        frame = wholeFrame();
      } else if (!moved.length) continue;
      else {
        const self = j.conn.principal.personId;
        const at = movedIds.indexOf(self);
        if (at < 0) frame = all ??= movesFrame(moved);
        else {
          frame = withoutSelf.get(self) ?? null;
          if (!withoutSelf.has(self)) {
            frame = moved.length > 1 ? movesFrame(moved.filter((_, i) => i !== at)) : null;
            withoutSelf.set(self, frame);
          }
        }
      }
      if (frame && j.conn.sendPrepared(frame)) this.pushes++;
    }
    for (const [conn, needsInitial] of doc.watchers) {
      if (!needsInitial && !moved.length) continue;
      doc.watchers.set(conn, false);
      if (conn.sendPrepared(needsInitial ? wholeFrame() : (all ??= movesFrame(moved)))) this.pushes++;
    }
  }

  async #sweep(): Promise<void> {
    if (this.#stopped) return;
    try {
      const changed = await this.store.sweep(this.#docs.keys(), Date.now());
      for (const k of changed) this.#markSoon(k);
    } catch (err) {
      this.log.warn({ err }, 'document session sweep failed');
    }
  }
}
