import type { Redis } from 'ioredis';
import type { Bus } from '../../core/bus/index.js';
import type { Logger } from '../../core/log/index.js';
import type { Aggregated, EndpointInput } from './aggregate.js';
import type { ClusterEvents, InputKind, PresenceCluster } from './cluster.js';
import type { PresenceView } from './presence-api.js';

const CHANGED = 'presence.changed';
const INPUTS = 'presence.inputs';

/**
 * Allocates the next version (max(now in µs, last + 1), so it never goes backwards on any process),
 * stores the view and publishes it, atomically: subscribers get versions in order.
 * KEYS: version key, view key, epoch key. ARGV: now µs, view JSON without the closing `"version":N}`, channel,
 * person id JSON, the epoch the view was computed at ('' = no check; a moved epoch refuses the publish).
 */
const PUBLISH_LUA = `
if ARGV[5] ~= '' and (redis.call('GET', KEYS[3]) or '0') ~= ARGV[5] then return false end
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local v = math.max(tonumber(ARGV[1]), last + 1)
local vs = string.format('%.0f', v)
redis.call('SET', KEYS[1], vs)
local view = ARGV[2] .. vs .. '}'
redis.call('SET', KEYS[2], view)
redis.call('PUBLISH', ARGV[3], '{"personId":' .. ARGV[4] .. ',"view":' .. view .. '}')
return vs
`;

/**
 * Removes a dead process's endpoints, atomically with the check that it is still dead: a process
 * that was only cut off from Redis for longer than its TTL re-registers (liveness key first, then
 * its endpoints), and a reap interleaved with that would delete what it just put back.
 * KEYS: its liveness key, its people set, the set of processes. ARGV: key prefix, its field prefix
 * (`<node>|`), its id. Returns its people, or false when it is alive.
 */
const REAP_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local pids = redis.call('SMEMBERS', KEYS[2])
local mine = ARGV[2]
for _, pid in ipairs(pids) do
  local ep = ARGV[1] .. 'ep:' .. pid
  local removed = 0
  for _, f in ipairs(redis.call('HKEYS', ep)) do
    if string.sub(f, 1, #mine) == mine then
      redis.call('HDEL', ep, f)
      removed = removed + 1
    end
  end
  if removed > 0 then redis.call('INCR', ARGV[1] .. 'epoch:' .. pid) end
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[3])
return pids
`;

export interface RedisClusterOptions {
  /** A process whose liveness key is older than this is dead: its endpoints are dropped. */
  readonly nodeTtlMs: number;
  readonly log: Logger;
  readonly now?: () => number;
}

/**
 * Presence shared by several API processes through Redis: endpoints in a hash per person (field
 * `<node>|<endpoint>`), a liveness key per process refreshed every third of its TTL, published views
 * with their version, and pub/sub notifications over the bus. When a process dies its liveness key
 * expires and the first survivor to notice removes its endpoints and recomputes those people.
 */
export class RedisCluster implements PresenceCluster {
  readonly nodeId: string;
  readonly #redis: Redis;
  readonly #p: string;
  readonly #local = new Map<string, Map<string, EndpointInput>>();
  readonly #unsubs: (() => Promise<void>)[] = [];
  readonly #now: () => number;
  #events: ClusterEvents | undefined;
  #timers: NodeJS.Timeout[] = [];
  #beats = 0;
  /**
   * People whose endpoint write failed (a Redis blip): what Redis holds for them may be a ghost
   * endpoint (a failed remove: online for good, since this process keeps beating) or a missing
   * one (a failed put). The next heartbeat rewrites them from this process's own records.
   */
  readonly #unsynced = new Set<string>();

  constructor(
    readonly bus: Bus & { readonly redis: Redis; readonly prefix: string },
    readonly options: RedisClusterOptions,
  ) {
    this.nodeId = bus.nodeId;
    this.#redis = bus.redis;
    this.#p = `${bus.prefix}presence:`;
    this.#now = options.now ?? Date.now;
  }

  #ep = (pid: string) => `${this.#p}ep:${pid}`;
  #node = (id: string) => `${this.#p}node:${id}`;
  #nodeEps = (id: string) => `${this.#p}nodeeps:${id}`;
  #nodes = () => `${this.#p}nodes`;
  #epoch = (pid: string) => `${this.#p}epoch:${pid}`;

  async start(events: ClusterEvents): Promise<void> {
    this.#events = events;
    this.#unsubs.push(
      await this.bus.subscribe(CHANGED, (m) => {
        const msg = m as { personId?: unknown; view?: PresenceView };
        if (typeof msg.personId === 'string' && msg.view && typeof msg.view.version === 'number') this.#events?.changed(msg.personId, msg.view);
      }),
      await this.bus.subscribe(INPUTS, (m) => {
        const msg = m as { personId?: unknown; kind?: InputKind; nodeId?: unknown };
        if (typeof msg.personId === 'string' && msg.kind && msg.nodeId !== this.nodeId) this.#events?.inputsChanged(msg.personId, msg.kind);
      }),
    );
    const stopReconnects = this.bus.onReconnect(() => this.#events?.resync());
    this.#unsubs.push(async () => stopReconnects());
    await this.#heartbeat();
    const every = Math.max(200, Math.floor(this.options.nodeTtlMs / 3));
    this.#timers = [
      setInterval(() => void this.#heartbeat().catch((err: unknown) => this.options.log.warn({ err }, 'presence heartbeat failed')), every),
      setInterval(() => void this.#reap().catch((err: unknown) => this.options.log.warn({ err }, 'presence reaper failed')), every),
    ];
    for (const t of this.#timers) t.unref();
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    for (const u of this.#unsubs.splice(0)) await u().catch(() => {});
    this.#events = undefined;
    // A clean stop: our endpoints were removed by the engine; forget this process at once.
    await this.#redis
      .multi()
      .del(this.#node(this.nodeId))
      .del(this.#nodeEps(this.nodeId))
      .srem(this.#nodes(), this.nodeId)
      .exec()
      .catch(() => {});
  }

  async putEndpoint(personId: string, endpoint: EndpointInput): Promise<void> {
    let eps = this.#local.get(personId);
    if (!eps) this.#local.set(personId, (eps = new Map()));
    eps.set(endpoint.id, endpoint);
    await this.#written(
      personId,
      this.#redis
        .multi()
        .hset(this.#ep(personId), `${this.nodeId}|${endpoint.id}`, JSON.stringify(endpoint))
        .sadd(this.#nodeEps(this.nodeId), personId)
        .incr(this.#epoch(personId))
        .exec(),
    );
  }

  async removeEndpoint(personId: string, endpointId: string): Promise<void> {
    const eps = this.#local.get(personId);
    eps?.delete(endpointId);
    const m = this.#redis.multi().hdel(this.#ep(personId), `${this.nodeId}|${endpointId}`).incr(this.#epoch(personId));
    if (eps && eps.size === 0) {
      this.#local.delete(personId);
      m.srem(this.#nodeEps(this.nodeId), personId);
    }
    await this.#written(personId, m.exec());
  }

  /** Awaits an endpoint write; a failed one leaves the person to be rewritten by the next heartbeat. */
  async #written(personId: string, write: Promise<unknown>): Promise<void> {
    try {
      await write;
    } catch (err) {
      this.#unsynced.add(personId);
      throw err;
    }
  }

  /** Makes Redis hold exactly this process's endpoints of these people, then has them recomputed. */
  async #rewrite(personIds: readonly string[], why: string): Promise<void> {
    const mine = `${this.nodeId}|`;
    const read = this.#redis.pipeline();
    for (const pid of personIds) read.hkeys(this.#ep(pid));
    const held = (await read.exec()) ?? [];
    const m = this.#redis.multi();
    personIds.forEach((pid, i) => {
      const local = this.#local.get(pid);
      const stale = ((held[i]?.[1] as string[] | undefined) ?? []).filter((f) => f.startsWith(mine) && !local?.has(f.slice(mine.length)));
      if (stale.length) m.hdel(this.#ep(pid), ...stale);
      for (const ep of local?.values() ?? []) m.hset(this.#ep(pid), mine + ep.id, JSON.stringify(ep));
      if (local) m.sadd(this.#nodeEps(this.nodeId), pid);
      else m.srem(this.#nodeEps(this.nodeId), pid);
      m.incr(this.#epoch(pid));
    });
    await m.exec();
    for (const pid of personIds) this.#unsynced.delete(pid);
    this.options.log.warn({ node: this.nodeId, people: personIds.length }, `presence endpoints rewritten to Redis: ${why}`);
    this.#events?.endpointsLost(personIds);
  }

  async endpointsOf(personId: string): Promise<EndpointInput[]> {
    return (await this.readEndpoints(personId)).endpoints;
  }

  async readEndpoints(personId: string): Promise<{ endpoints: EndpointInput[]; epoch: string }> {
    const res = await this.#redis.multi().hgetall(this.#ep(personId)).get(this.#epoch(personId)).exec();
    const all = (res?.[0]?.[1] ?? {}) as Record<string, string>;
    const epoch = (res?.[1]?.[1] as string | null) ?? '0';
    const out: EndpointInput[] = [];
    for (const v of Object.values(all)) {
      try {
        out.push(JSON.parse(v) as EndpointInput);
      } catch {
        // A corrupt field is ignored; the owner rewrites it on its next change.
      }
    }
    return { endpoints: out, epoch };
  }

  async published(personIds: readonly string[]): Promise<Map<string, PresenceView>> {
    const out = new Map<string, PresenceView>();
    if (personIds.length === 0) return out;
    const raw = await this.#redis.mget(personIds.map((id) => `${this.#p}view:${id}`));
    raw.forEach((r, i) => {
      if (r) out.set(personIds[i], JSON.parse(r) as PresenceView);
    });
    return out;
  }

  async publish(personId: string, presence: Aggregated, epoch = ''): Promise<PresenceView | null> {
    const json = JSON.stringify(presence);
    const head = `${json.slice(0, -1)},"version":`;
    const vs = (await this.#redis.eval(
      PUBLISH_LUA,
      3,
      `${this.#p}ver:${personId}`,
      `${this.#p}view:${personId}`,
      this.#epoch(personId),
      String(this.#now() * 1000),
      head,
      this.bus.prefix + CHANGED,
      JSON.stringify(personId),
      epoch,
    )) as string | null;
    return vs === null ? null : { ...presence, version: Number(vs) };
  }

  async announceInputs(personId: string, kind: InputKind): Promise<void> {
    if (kind !== 'blocks') await this.#redis.incr(this.#epoch(personId));
    await this.bus.publish(INPUTS, { personId, kind, nodeId: this.nodeId });
  }

  async #heartbeat(): Promise<void> {
    const first = this.#beats++ === 0;
    const prev = await this.#redis.set(this.#node(this.nodeId), String(this.#now()), 'PX', this.options.nodeTtlMs, 'GET');
    // Silent longer than the TTL (a stall or a Redis outage), this process may have been reaped:
    // all its endpoints go back. The expired key is seen only by this one beat, so its people join
    // the unsynced ones at once: a failed SADD or rewrite is then retried by the following beats.
    const reaped = prev === null && !first && this.#local.size > 0;
    if (reaped) for (const pid of this.#local.keys()) this.#unsynced.add(pid);
    await this.#redis.sadd(this.#nodes(), this.nodeId);
    if (this.#unsynced.size) await this.#rewrite([...this.#unsynced], reaped ? 'the liveness key had expired' : 'after failed writes');
  }

  async #reap(): Promise<void> {
    const nodes = await this.#redis.smembers(this.#nodes());
    for (const node of nodes) {
      if (node === this.nodeId) continue;
      if (await this.#redis.exists(this.#node(node))) continue;
      // One survivor reaps a dead process; the lock expires in case that survivor dies too.
      const locked = await this.#redis.set(`${this.#p}reap:${node}`, this.nodeId, 'PX', this.options.nodeTtlMs, 'NX');
      if (!locked) continue;
      const pids = (await this.#redis.eval(REAP_LUA, 3, this.#node(node), this.#nodeEps(node), this.#nodes(), this.#p, `${node}|`, node)) as string[] | null;
      if (!pids) continue; // it came back meanwhile
      this.options.log.info({ node, people: pids.length }, 'reaped the endpoints of a dead API process');
      if (pids.length) this.#events?.endpointsLost(pids);
    }
  }
}
