import type { Logger } from '../../core/log/index.js';
import type { DirectoryReader } from '../../directory-sync/directory/index.js';
import type { EndpointActivity, ManualAvailability } from '../contract/presence.js';
import {
  aggregate,
  DEFAULT_TIMERS,
  defaultManualExpiry,
  liveExternal,
  samePresence,
  unknownPresence,
  viewFor,
  type EndpointInput,
  type IdleTimers,
  type ManualInput,
  type ViewerRelation,
} from './aggregate.js';
import { BlockLists } from './block-lists.js';
import type { InputKind, PresenceCluster } from './cluster.js';
import type { Activity, Availability, CalendarEvent, PresenceService, PresenceView } from './presence-api.js';
import type { PresenceStore, StoredInputs } from './presence-store.js';

export interface PresenceEngineOptions {
  readonly store: PresenceStore;
  readonly cluster: PresenceCluster;
  readonly directory: DirectoryReader;
  readonly log: Logger;
  readonly now?: () => number;
  readonly timers?: IdleTimers;
  /** How often due timers (idle, expiry, calendar edges) are checked. */
  readonly sweepMs?: number;
}

const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

export type ViewListener = (personId: string, view: PresenceView) => void;

/**
 * The presence engine of one process: keeps the inputs (store = truth, memory = cache), recomputes
 * a person whenever an input changes or a timer falls due, and publishes through the cluster only
 * when the result visibly changes. Work on one person is serialised so endpoint opens and closes
 * cannot overtake each other.
 */
export class PresenceEngine implements PresenceService {
  readonly #o: PresenceEngineOptions;
  readonly #now: () => number;
  readonly #timers: IdleTimers;
  readonly #inputs = new Map<string, StoredInputs>();
  /** Loads of stored inputs under way, per person: a change notice meanwhile makes them stale. */
  readonly #loads = new Map<string, Set<{ stale: boolean }>>();
  readonly #blocks = new BlockLists();
  /**
   * Per owner: reloads started and changes made here. Store reads answer in any order, and a
   * process ignores its own notices: a reload that started before a newer reload, or before a
   * change made here, must not overwrite what came after it.
   */
  readonly #blockEpochs = new Map<string, { reloads: number; local: number }>();
  readonly #kinds = new Map<string, 'person' | 'contact' | null>();
  /** One cell per person ever seen, replaced view by view: holders of a cell see the latest view without a lookup. */
  readonly #views = new Map<string, { view: PresenceView }>();
  readonly #due = new Map<string, number>();
  /** People whose last recompute failed, with how many times in a row: their retry backs off. */
  readonly #failures = new Map<string, number>();
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #listeners = new Set<ViewListener>();
  /** Endpoints whose socket is on this process: endpoint id → person id. */
  readonly #local = new Map<string, { personId: string; endpoint: EndpointInput }>();
  readonly #localCount = new Map<string, number>();
  #sweeper: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: PresenceEngineOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? DEFAULT_TIMERS;
  }

  get cluster(): PresenceCluster {
    return this.#o.cluster;
  }

  async start(): Promise<void> {
    await this.#loadAllBlocks();
    await this.#o.cluster.start({
      changed: (pid, view) => this.#accept(pid, view),
      inputsChanged: (pid, kind) => this.#invalidate(pid, kind),
      endpointsLost: (pids) => {
        for (const pid of pids) void this.recompute(pid).catch((err: unknown) => this.#o.log.error({ err }, 'presence recompute failed'));
      },
      resync: () => void this.#resync().catch((err: unknown) => this.#o.log.error({ err }, 'presence resync failed')),
    });
    this.#sweeper = setInterval(() => this.#sweep(), this.#o.sweepMs ?? 1000);
    this.#sweeper.unref();
  }

  /** Takes this process's endpoints offline (clean shutdown), then leaves the cluster. */
  async stop(): Promise<void> {
    clearInterval(this.#sweeper);
    const people = new Set<string>();
    for (const [id, { personId }] of this.#local) {
      people.add(personId);
      await this.#o.cluster.removeEndpoint(personId, id).catch(() => {});
    }
    this.#local.clear();
    this.#localCount.clear();
    await Promise.all([...people].map((pid) => this.recompute(pid).catch(() => {})));
    this.#stopped = true;
    await this.#o.cluster.stop();
  }

  /** Listens to every published view (local and remote), newest versions only. */
  onView(listener: ViewListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onChange(listener: (personId: string) => void): () => void {
    return this.onView((pid) => listener(pid));
  }

  // ---- endpoints (open panes) ----

  /** A pane connected. `isOpen` is checked in order, so a socket that already closed adds nothing. */
  openEndpoint(personId: string, endpointId: string, isOpen: () => boolean): Promise<void> {
    return this.#serial(personId, async () => {
      if (!isOpen() || this.#stopped) return;
      const now = this.#now();
      const endpoint: EndpointInput = { id: endpointId, state: 'active', stateAt: now, lastActiveAt: now };
      this.#local.set(endpointId, { personId, endpoint });
      this.#localCount.set(personId, (this.#localCount.get(personId) ?? 0) + 1);
      await this.#o.cluster.putEndpoint(personId, endpoint);
      await this.#recomputeNow(personId);
    });
  }

  /** An `activity` frame, timestamped here. */
  reportActivity(personId: string, endpointId: string, state: EndpointActivity): Promise<void> {
    return this.#serial(personId, async () => {
      const local = this.#local.get(endpointId);
      if (!local) return;
      const now = this.#now();
      const endpoint: EndpointInput = { id: endpointId, state, stateAt: now, lastActiveAt: state === 'active' ? now : local.endpoint.lastActiveAt };
      local.endpoint = endpoint;
      await this.#o.cluster.putEndpoint(personId, endpoint);
      await this.#recomputeNow(personId);
    });
  }

  closeEndpoint(personId: string, endpointId: string): Promise<void> {
    return this.#serial(personId, async () => {
      if (!this.#local.delete(endpointId)) return;
      const n = (this.#localCount.get(personId) ?? 1) - 1;
      if (n > 0) this.#localCount.set(personId, n);
      else this.#localCount.delete(personId);
      await this.#o.cluster.removeEndpoint(personId, endpointId);
      await this.#recomputeNow(personId);
    });
  }

  /** True when a pane of this person is connected to this process. */
  hasLocalEndpoint(personId: string): boolean {
    return this.#localCount.has(personId);
  }

  // ---- durable inputs ----

  async setManual(personId: string, state: { availability: ManualAvailability; note?: string | null; expiresAt?: number } | null): Promise<void> {
    const now = this.#now();
    const manual: ManualInput | null = state
      ? { availability: state.availability, note: state.note ?? null, expiresAt: state.expiresAt ?? defaultManualExpiry(state.availability, now), setAt: now }
      : null;
    await this.#o.store.setManual(personId, manual);
    await this.#changedInput(personId, 'manual', (i) => {
      i.manual = manual;
    });
  }

  async setOutOfOffice(personId: string, oof: { active: boolean; message: string | null; source: string }): Promise<void> {
    const entry = { source: oof.source, active: oof.active, message: oof.message, updatedAt: this.#now() };
    await this.#o.store.setOof(personId, entry);
    await this.#changedInput(personId, 'oof', (i) => {
      i.oof = [...i.oof.filter((o) => o.source !== oof.source), entry];
    });
  }

  async setCalendar(personId: string, source: string, events: readonly CalendarEvent[]): Promise<void> {
    await this.#o.store.setCalendar(personId, source, events, this.#now());
    await this.#changedInput(personId, 'calendar', (i) => {
      i.calendar.set(source, [...events]);
    });
  }

  async setExternalEndpoint(personId: string, source: string, state: { availability: Availability; activity: Activity } | null, ttlMs?: number): Promise<void> {
    const now = this.#now();
    const expiresAt = state && ttlMs !== undefined ? now + ttlMs : null;
    await this.#o.store.setExternal(personId, source, state, now, expiresAt);
    await this.#changedInput(personId, 'external', (i) => {
      if (state) i.external.set(source, { source, ...state, expiresAt });
      else i.external.delete(source);
    });
  }

  async storedInputs(personId: string): Promise<StoredInputs> {
    for (let attempt = 0; ; attempt++) {
      const cached = this.#inputs.get(personId);
      if (cached) return cached;
      // A notice that the inputs changed may arrive while they load (another process committed
      // after our read began): that load is stale and must not be cached, or this process would
      // publish an old state with a newer version and keep it.
      const load = { stale: false };
      let loads = this.#loads.get(personId);
      if (!loads) this.#loads.set(personId, (loads = new Set()));
      loads.add(load);
      let inputs: StoredInputs;
      try {
        inputs = await this.#o.store.load(personId);
      } finally {
        loads.delete(load);
        if (loads.size === 0 && this.#loads.get(personId) === loads) this.#loads.delete(personId);
      }
      // Another call may have loaded (and changed) it meanwhile: the first one wins.
      const again = this.#inputs.get(personId);
      if (again) return again;
      if (!load.stale) {
        this.#inputs.set(personId, inputs);
        return inputs;
      }
      // Stale: load again (bounded; the recompute that follows the notice corrects the rest).
      if (attempt >= 2) return inputs;
    }
  }

  /** Marks the loads of `personId` under way (all of them without an id) as stale. */
  #staleLoads(personId?: string): void {
    const sets = personId === undefined ? [...this.#loads.values()] : [this.#loads.get(personId)];
    for (const set of sets) for (const load of set ?? []) load.stale = true;
  }

  async #changedInput(personId: string, kind: InputKind, apply: (i: StoredInputs) => void): Promise<void> {
    await this.#serial(personId, async () => {
      apply(await this.storedInputs(personId));
      await this.#o.cluster.announceInputs(personId, kind);
      await this.#recomputeNow(personId);
    });
  }

  #invalidate(personId: string, kind: InputKind): void {
    if (kind === 'blocks') this.#reloadBlocks(personId);
    else {
      this.#inputs.delete(personId);
      this.#staleLoads(personId);
      // Closes the race where this process recomputed with the old inputs just before the notice and
      // published a stale result: recompute from the store now (publishes only if it differs).
      void this.recompute(personId).catch((err: unknown) => this.#o.log.error({ err }, 'presence recompute failed'));
    }
  }

  /**
   * After lost notifications: drop cached inputs (reloaded on demand), reload the block lists that
   * fan-out reads synchronously, and take every newer published presence (pushed to subscribers).
   */
  async #resync(): Promise<void> {
    this.#o.log.warn('presence notifications may have been lost (bus reconnected); re-reading shared state');
    this.#inputs.clear();
    this.#staleLoads();
    await this.#loadAllBlocks();
    const known = [...this.#views.keys()];
    for (let i = 0; i < known.length; i += 1000) {
      const published = await this.#o.cluster.published(known.slice(i, i + 1000));
      for (const [pid, view] of published) this.#accept(pid, view);
    }
  }

  // ---- blocks ----

  #blockEpoch(ownerId: string): { reloads: number; local: number } {
    let e = this.#blockEpochs.get(ownerId);
    if (!e) this.#blockEpochs.set(ownerId, (e = { reloads: 0, local: 0 }));
    return e;
  }

  /** Reloads an owner's list (another process changed it); fan-out reads block lists synchronously from this cache. */
  #reloadBlocks(ownerId: string): void {
    const epoch = this.#blockEpoch(ownerId);
    const reload = ++epoch.reloads;
    const local = epoch.local;
    void this.#o.store
      .blockedBy(ownerId)
      .then((list) => {
        if (epoch.reloads !== reload) return; // a newer reload answers for it
        // Changed here meanwhile: the read may predate that change, read again (it is in the store now).
        if (epoch.local !== local) return this.#reloadBlocks(ownerId);
        // Viewers' filtered views changed, not the presence: re-send it to subscribers.
        const view = this.#views.get(ownerId)?.view;
        if (this.#blocks.set(ownerId, list) && view) this.#emit(ownerId, view);
      })
      .catch((err: unknown) => this.#o.log.error({ err }, 'reloading blocks failed'));
  }

  /** Reads every block list; re-sends the presence of people whose list changed (their viewers' view changed). */
  async #loadAllBlocks(): Promise<void> {
    const before = new Map([...this.#blockEpochs].map(([owner, e]) => [owner, e.reloads + e.local]));
    const all = await this.#o.store.allBlocks();
    const owners = new Set([...this.#blocks.owners(), ...all.keys()]);
    for (const owner of owners) {
      const e = this.#blockEpochs.get(owner);
      // Reloaded or changed here during the read: that list is newer than this answer, or being read again.
      if (e && e.reloads + e.local !== (before.get(owner) ?? 0)) continue;
      const view = this.#views.get(owner)?.view;
      if (this.#blocks.set(owner, all.get(owner) ?? []) && view) this.#emit(owner, view);
    }
  }

  async block(ownerId: string, blockedId: string): Promise<void> {
    await this.#o.store.block(ownerId, blockedId, this.#now());
    this.#blockEpoch(ownerId).local++;
    this.#blocks.add(ownerId, blockedId);
    await this.#blocksChanged(ownerId);
  }

  async unblock(ownerId: string, blockedId: string): Promise<void> {
    await this.#o.store.unblock(ownerId, blockedId);
    this.#blockEpoch(ownerId).local++;
    this.#blocks.delete(ownerId, blockedId);
    await this.#blocksChanged(ownerId);
  }

  async blockedBy(ownerId: string): Promise<string[]> {
    return this.#blocks.of(ownerId);
  }

  async isBlocked(ownerId: string, otherId: string): Promise<boolean> {
    return this.#blocks.has(ownerId, otherId);
  }

  /** Synchronous (every block list is in memory): for fan-out and queries. */
  hasBlocked(ownerId: string, viewerId: string): boolean {
    return this.#blocks.has(ownerId, viewerId);
  }

  /** False for nearly every person: then nobody watching them needs a block check. */
  blocksAnyone(ownerId: string): boolean {
    return this.#blocks.blocksAnyone(ownerId);
  }

  /** False for nearly every viewer: then nobody shown to them needs a block check. */
  isBlockedByAnyone(viewerId: string): boolean {
    return this.#blocks.isBlockedByAnyone(viewerId);
  }

  async #blocksChanged(ownerId: string): Promise<void> {
    await this.#o.cluster.announceInputs(ownerId, 'blocks');
    const view = await this.current(ownerId);
    this.#emit(ownerId, view);
  }

  // ---- reading ----

  async presenceOf(personId: string, viewerId: string | null): Promise<PresenceView> {
    const [view, relation] = await Promise.all([this.current(personId), this.relation(personId, viewerId)]);
    return viewFor(view, relation);
  }

  async hasLiveEndpoint(personId: string): Promise<boolean> {
    const [eps, inputs] = await Promise.all([this.#o.cluster.endpointsOf(personId), this.storedInputs(personId)]);
    const now = this.#now();
    return eps.length > 0 || [...inputs.external.values()].some((x) => liveExternal(x, now));
  }

  async relation(personId: string, viewerId: string | null): Promise<ViewerRelation> {
    if (viewerId === personId) return 'self';
    if (viewerId === null) return 'external';
    if (await this.isBlocked(personId, viewerId)) return 'blocked';
    let kind = this.#kinds.get(viewerId);
    if (kind === undefined) {
      kind = (await this.#o.directory.getSummary(viewerId))?.kind ?? null;
      if (this.#kinds.size > 50_000) this.#kinds.clear();
      this.#kinds.set(viewerId, kind);
    }
    return kind === 'person' ? 'colleague' : 'external';
  }

  /** The latest published view from the cache (what fan-out sends); undefined if never seen here. */
  cached(personId: string): PresenceView | undefined {
    return this.#views.get(personId)?.view;
  }

  /**
   * The live cell behind `cached(personId)`: its `view` is always the latest. For callers that keep
   * something derived from a view and check it is still current many times a second.
   */
  cell(personId: string): { readonly view: PresenceView } | undefined {
    return this.#views.get(personId);
  }

  /** The current unfiltered presence of a person, computed if nobody published it yet. */
  async current(personId: string): Promise<PresenceView> {
    return (await this.currentMany([personId])).get(personId) ?? unknownPresence();
  }

  async currentMany(personIds: readonly string[]): Promise<Map<string, PresenceView>> {
    const out = new Map<string, PresenceView>();
    const missing: string[] = [];
    for (const id of personIds) {
      const v = this.#views.get(id)?.view;
      if (v) out.set(id, v);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    const published = await this.#o.cluster.published(missing);
    const unpublished: string[] = [];
    for (const id of missing) {
      const v = published.get(id);
      if (v) this.#accept(id, v);
      else unpublished.push(id);
    }
    // Never published (e.g. after a restart): the stored inputs still matter (OOF, note).
    for (let i = 0; i < unpublished.length; i += 50) await Promise.all(unpublished.slice(i, i + 50).map((id) => this.recompute(id)));
    for (const id of missing) out.set(id, this.#views.get(id)?.view ?? published.get(id) ?? unknownPresence());
    return out;
  }

  // ---- recomputing ----

  recompute(personId: string): Promise<void> {
    return this.#serial(personId, () => this.#recomputeNow(personId));
  }

  async #recomputeNow(personId: string): Promise<void> {
    try {
      await this.#aggregateAndPublish(personId);
    } catch (err) {
      // Every caller (sweep, reap, close, input change) has already consumed its trigger: without a
      // retry a Redis or database blip here would leave the person's presence wrong indefinitely.
      this.#retryLater(personId);
      throw err;
    }
    if (this.#failures.size > 0) this.#failures.delete(personId);
  }

  /** Puts the person on the sweep after a failed recompute: 1 s, doubling to 30 s while it keeps failing. */
  #retryLater(personId: string): void {
    const failures = (this.#failures.get(personId) ?? 0) + 1;
    this.#failures.set(personId, failures);
    const at = this.#now() + Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(failures - 1, 10));
    const due = this.#due.get(personId);
    if (due === undefined || due > at) this.#due.set(personId, at);
  }

  async #aggregateAndPublish(personId: string): Promise<void> {
    // Optimistic: another process may change this person's inputs meanwhile; then the publish is
    // refused and we compute again from the newer snapshot.
    for (let attempt = 0; ; attempt++) {
      const [inputs, { endpoints, epoch }, published] = await Promise.all([
        this.storedInputs(personId),
        this.#o.cluster.readEndpoints(personId),
        this.#o.cluster.published([personId]),
      ]);
      // The shared published view, not our cache: another process may have published since.
      const prev = published.get(personId) ?? this.#views.get(personId)?.view;
      const now = this.#now();
      const { presence, nextChangeAt } = aggregate(
        {
          endpoints,
          manual: inputs.manual,
          oof: inputs.oof,
          calendar: [...inputs.calendar.values()].flat(),
          external: [...inputs.external.values()],
          lastActive: prev?.lastActive ?? null,
        },
        now,
        this.#timers,
      );
      if (nextChangeAt === null) this.#due.delete(personId);
      else this.#due.set(personId, nextChangeAt);
      if (prev && samePresence(prev, presence)) {
        this.#accept(personId, prev);
        return;
      }
      const view = await this.#o.cluster.publish(personId, presence, attempt < 5 ? epoch : undefined);
      if (view) {
        this.#accept(personId, view);
        return;
      }
    }
  }

  #accept(personId: string, view: PresenceView): void {
    const known = this.#views.get(personId);
    if (known && known.view.version >= view.version) return;
    if (known) known.view = view;
    else this.#views.set(personId, { view });
    this.#emit(personId, view);
  }

  #emit(personId: string, view: PresenceView): void {
    for (const l of this.#listeners) {
      try {
        l(personId, view);
      } catch (err) {
        this.#o.log.error({ err }, 'presence listener failed');
      }
    }
  }

  #sweep(): void {
    const now = this.#now();
    for (const [pid, at] of this.#due) {
      if (at > now) continue;
      this.#due.delete(pid);
      void this.recompute(pid).catch((err: unknown) => this.#o.log.error({ err }, 'presence recompute failed'));
    }
  }

  /** Runs `fn` after everything already queued for this person. */
  #serial<T>(personId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#queues.get(personId) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    this.#queues.set(personId, tail);
    void tail.then(() => {
      if (this.#queues.get(personId) === tail) this.#queues.delete(personId);
    });
    return run;
  }
}
