import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Principal } from '../auth/index.js';

export const TICKET_TTL_MS = 30_000;

/** Single-use, short-lived tickets that let a browser open a WebSocket without a token in the URL. */
export interface TicketStore {
  issue(principal: Principal): Promise<string>;
  /** Returns the principal once; a second redeem, or one after 30 s, returns null. */
  redeem(ticket: string): Promise<Principal | null>;
}

const newTicket = () => randomBytes(24).toString('base64url');

export class MemoryTicketStore implements TicketStore {
  readonly #tickets = new Map<string, { principal: Principal; until: number }>();
  constructor(readonly now: () => number = Date.now) {}
  async issue(principal: Principal): Promise<string> {
    const t = newTicket();
    const now = this.now();
    // Every ticket lives equally long, so the map (in insertion order) holds the expired ones first.
    for (const [k, v] of this.#tickets) {
      if (v.until >= now) break;
      this.#tickets.delete(k);
    }
    this.#tickets.set(t, { principal, until: now + TICKET_TTL_MS });
    return t;
  }
  async redeem(ticket: string): Promise<Principal | null> {
    const hit = this.#tickets.get(ticket);
    this.#tickets.delete(ticket);
    return hit && hit.until >= this.now() ? hit.principal : null;
  }
}

/** Tickets in Redis, so a ticket minted by one process can be redeemed by another behind the balancer. */
export class RedisTicketStore implements TicketStore {
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {}
  async issue(principal: Principal): Promise<string> {
    const t = newTicket();
    await this.redis.set(`${this.prefix}ticket:${t}`, JSON.stringify(principal), 'PX', TICKET_TTL_MS);
    return t;
  }
  async redeem(ticket: string): Promise<Principal | null> {
    const raw = await this.redis.getdel(`${this.prefix}ticket:${ticket}`);
    return raw ? (JSON.parse(raw) as Principal) : null;
  }
}
