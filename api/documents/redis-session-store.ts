import type { Redis } from 'ioredis';
import type { DocSession } from './participants.js';
import type { DocSessionStore } from './session-store.js';

/**
 * Sessions shared by every API process: one Redis hash per document (field = connection id,
 * value = the session as JSON with its expiry), renewed on every write and expiring as a whole
 * when nobody renews it. Each process also keeps a short-lived liveness key; sweep() drops the
 * sessions of processes whose key is gone, so a process that dies takes its sessions with it.
 */
export class RedisSessionStore implements DocSessionStore {
  readonly #timer: NodeJS.Timeout;
  /** Sessions whose position changed since the last flush, by connection. */
  readonly #moved = new Map<string, DocSession>();
  #closed = false;

  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    readonly nodeId: string,
    readonly ttlMs: number,
    /** How long this process counts as alive without renewing its liveness key. */
    readonly nodeTtlMs: number,
  ) {
    const beat = () => {
      if (!this.#closed) void this.redis.set(this.#nodeKey(nodeId), '1', 'PX', nodeTtlMs).catch(() => {});
    };
    beat();
    this.#timer = setInterval(beat, Math.max(100, Math.floor(nodeTtlMs / 3)));
    this.#timer.unref();
  }

  #docKey(docKey: string): string {
    return `${this.prefix}docs:s:${docKey}`;
  }

  #nodeKey(nodeId: string): string {
    return `${this.prefix}docs:node:${nodeId}`;
  }

  async put(session: DocSession): Promise<void> {
    const key = this.#docKey(session.docKey);
    await this.redis
      .multi()
      .hset(key, session.connId, JSON.stringify(session))
      // Every live session expires by now + ttl at the latest, so the hash may go a little after that.
      .pexpire(key, this.ttlMs + 1000)
      .exec();
  }

  moved(session: DocSession): void {
    this.#moved.set(session.connId, session);
  }

  async flush(): Promise<void> {
    if (!this.#moved.size) return;
    const write = this.redis.pipeline();
    for (const s of this.#moved.values()) {
      const key = this.#docKey(s.docKey);
      write.hset(key, s.connId, JSON.stringify(s)).pexpire(key, this.ttlMs + 1000);
    }
    this.#moved.clear();
    await write.exec();
  }

  async remove(docKey: string, connId: string): Promise<boolean> {
    this.#moved.delete(connId);
    return (await this.redis.hdel(this.#docKey(docKey), connId)) > 0;
  }

  async list(docKey: string, now: number): Promise<DocSession[]> {
    return parseLive(await this.redis.hgetall(this.#docKey(docKey)), now);
  }

  async sweep(docKeys: Iterable<string>, now: number): Promise<string[]> {
    const keys = [...docKeys];
    if (!keys.length) return [];
    const read = this.redis.pipeline();
    for (const k of keys) read.hgetall(this.#docKey(k));
    const hashes = ((await read.exec()) ?? []).map(([, v]) => (v ?? {}) as Record<string, string>);
    const all = hashes.map((h) => parseAll(h));
    const nodes = [...new Set(all.flatMap((sessions) => sessions.map((s) => s.nodeId)))];
    const alive = new Set<string>();
    if (nodes.length) {
      const flags = await this.redis.mget(nodes.map((n) => this.#nodeKey(n)));
      nodes.forEach((n, i) => flags[i] !== null && alive.add(n));
    }
    const changed: string[] = [];
    const write = this.redis.pipeline();
    keys.forEach((docKey, i) => {
      const dead = all[i].filter((s) => s.expiresAt <= now || !alive.has(s.nodeId)).map((s) => s.connId);
      const garbage = Object.keys(hashes[i]).filter((f) => !all[i].some((s) => s.connId === f));
      if (dead.length || garbage.length) {
        write.hdel(this.#docKey(docKey), ...dead, ...garbage);
        if (dead.length) changed.push(docKey);
      }
    });
    if (write.length) await write.exec();
    return changed;
  }

  async count(docKeys: Iterable<string>, now: number): Promise<number> {
    const keys = [...docKeys];
    if (!keys.length) return 0;
    const read = this.redis.pipeline();
    for (const k of keys) read.hgetall(this.#docKey(k));
    return ((await read.exec()) ?? []).reduce((n, [, v]) => n + parseLive((v ?? {}) as Record<string, string>, now).length, 0);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    // A clean shutdown ends this process's liveness at once; its sessions were removed by the caller.
    await this.redis.del(this.#nodeKey(this.nodeId)).catch(() => {});
  }
}

function parseAll(hash: Record<string, string>): DocSession[] {
  const out: DocSession[] = [];
  for (const raw of Object.values(hash)) {
    try {
      const s = JSON.parse(raw) as DocSession;
      if (s && typeof s.connId === 'string' && typeof s.expiresAt === 'number') out.push(s);
    } catch {
      // A malformed field is garbage; sweep() removes it.
    }
  }
  return out;
}

function parseLive(hash: Record<string, string>, now: number): DocSession[] {
  return parseAll(hash).filter((s) => s.expiresAt > now);
}
