import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { z } from 'zod';
import type { Logger } from '../../core/log/index.js';
import type { Principal } from '../auth/index.js';
import { RateLimiter } from '../http/index.js';
import { zodDetails } from '../http/validate.js';
import { CloseCode } from './close-codes.js';
import { Connection } from './connection.js';
import { prepareFrame } from './prepared-frame.js';
import type { SocketHost } from './socket-host.js';
import type { TicketStore } from './ticket-store.js';

export interface GatewayLimits {
  /** Largest frame a client may send, in bytes. */
  readonly maxFrameBytes: number;
  readonly framesPerSecond: number;
  readonly frameBurst: number;
  readonly connectionsPerUser: number;
  /** A socket with no frame and no pong for this long is an endpoint gone silent. */
  readonly heartbeatTimeoutMs: number;
  readonly pingIntervalMs: number;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = Object.freeze({
  maxFrameBytes: 64 * 1024,
  framesPerSecond: 20,
  frameBurst: 60,
  connectionsPerUser: 20,
  heartbeatTimeoutMs: 60_000,
  pingIntervalMs: 20_000,
});

type Handler<T> = (conn: Connection, frame: T) => void | Promise<void>;

/**
 * The WebSocket endpoint `/v1/realtime`: one socket per pane. Features register frame handlers
 * (validated with zod) and open/close hooks; the gateway owns tickets and limits. The sockets
 * themselves (handshake, heartbeats, writes) live in a SocketHost: this process or its socket process.
 */
export class RealtimeGateway {
  readonly #handlers = new Map<string, { schema: z.ZodType; handler: Handler<unknown> }>();
  readonly #openHooks: ((c: Connection) => void | Promise<void>)[] = [];
  readonly #closeHooks: ((c: Connection) => void | Promise<void>)[] = [];
  readonly #byPerson = new Map<string, Set<Connection>>();
  readonly #limiter: RateLimiter;
  #count = 0;

  constructor(
    readonly tickets: TicketStore,
    readonly host: SocketHost,
    readonly log: Logger,
    readonly limits: GatewayLimits = DEFAULT_GATEWAY_LIMITS,
  ) {
    this.#limiter = new RateLimiter(limits.framesPerSecond, limits.frameBurst);
    this.handle('ping', { safeParse: (v: unknown) => ({ success: true, data: v }) } as unknown as z.ZodType, (c) => {
      c.send({ type: 'pong', at: Date.now() });
    });
  }

  /** Registers the handler of one client frame type. Frames that fail the schema get an error frame. */
  handle<S extends z.ZodType>(type: string, schema: S, handler: Handler<z.infer<S>>): void {
    if (this.#handlers.has(type)) throw new Error(`frame type ${type} already has a handler`);
    this.#handlers.set(type, { schema, handler: handler as Handler<unknown> });
  }

  onOpen(hook: (c: Connection) => void | Promise<void>): void {
    this.#openHooks.push(hook);
  }

  onClose(hook: (c: Connection) => void | Promise<void>): void {
    this.#closeHooks.push(hook);
  }

  /** This process's live connections of a person. */
  connectionsOf(personId: string): ReadonlySet<Connection> {
    return this.#byPerson.get(personId) ?? EMPTY;
  }

  /** The sockets' host has a backlog: fan-outs that can coalesce should hold their windows open. */
  get backlogged(): boolean {
    return this.host.backlogged;
  }

  get connectionCount(): number {
    return this.#count;
  }

  /** Sends a frame to every local connection of a person; returns how many got it. */
  sendToPerson(personId: string, frame: { type: string; [k: string]: unknown }): number {
    const conns = this.#byPerson.get(personId);
    if (!conns) return 0;
    // Encoded once for all of them.
    const prepared = prepareFrame(JSON.stringify(frame));
    let n = 0;
    for (const c of conns) if (c.sendPrepared(prepared)) n++;
    return n;
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Node takes its error listener off an upgraded socket: a client reset while the ticket is
      // redeemed would otherwise be an uncaught exception. The socket host adds its own on adopt.
      const onError = () => socket.destroy();
      socket.on('error', onError);
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
      } catch {
        socket.destroy(); // e.g. "GET //": not a URL this server has
        return;
      }
      if (url.pathname !== '/v1/realtime') {
        socket.destroy();
        return;
      }
      void this.#upgrade(req, socket, head, url.searchParams.get('ticket') ?? '', onError);
    });
  }

  /** Closes every socket (1001) and the host. */
  close(): Promise<void> {
    return this.host.close();
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ticket: string, onError: () => void): Promise<void> {
    let principal;
    try {
      principal = ticket ? await this.tickets.redeem(ticket) : null;
    } catch (err) {
      this.log.error({ err }, 'ticket store failed');
    }
    if (socket.destroyed) return;
    if (!principal) {
      socket.end(
        'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":{"code":"unauthorized","message":"Missing, used or expired ticket"}}',
      );
      return;
    }
    const who: Principal = principal;
    let conn: Connection | undefined;
    let accepted = false;
    socket.off('error', onError);
    this.host.adopt(req, socket, head, {
      opened: (port) => {
        conn = new Connection(port, who);
        accepted = this.#accept(conn);
      },
      message: (text) => {
        if (!accepted || !conn) return;
        try {
          this.#onMessage(conn, text);
        } catch (err) {
          // A bug on this path must cost one socket, never the process.
          this.log.error({ err }, 'realtime frame failed');
          conn.close(CloseCode.serverError, 'internal error');
        }
      },
      closed: () => {
        if (accepted && conn) this.#closed(conn);
      },
    });
  }

  /** Registers a new connection unless its user is at the cap; false when it was refused. */
  #accept(conn: Connection): boolean {
    const { principal } = conn;
    let set = this.#byPerson.get(principal.personId);
    if (set && set.size >= this.limits.connectionsPerUser) {
      conn.close(CloseCode.tooManyConnections, 'too many connections for this user');
      return false;
    }
    if (!set) this.#byPerson.set(principal.personId, (set = new Set()));
    set.add(conn);
    this.#count++;
    for (const hook of this.#openHooks) this.#run(() => hook(conn), 'open hook');
    conn.send({ type: 'hello', connectionId: conn.id, personId: principal.personId, email: principal.email, heartbeatMs: this.limits.pingIntervalMs });
    return true;
  }

  #closed(conn: Connection): void {
    const pid = conn.principal.personId;
    const set = this.#byPerson.get(pid);
    if (set?.delete(conn)) {
      this.#count--;
      if (set.size === 0) this.#byPerson.delete(pid);
    }
    for (const hook of this.#closeHooks) this.#run(() => hook(conn), 'close hook');
  }

  // Not async: most handlers finish synchronously, and a promise per frame is measurable at 20,000 frames/s.
  #onMessage(conn: Connection, text: string | null): void {
    if (this.#limiter.take(conn.id) > 0) {
      conn.close(CloseCode.rateLimited, 'too many frames');
      return;
    }
    let frame: unknown;
    try {
      frame = text === null ? undefined : JSON.parse(text);
    } catch {
      frame = undefined;
    }
    const type = (frame as { type?: unknown } | undefined)?.type;
    if (!frame || typeof frame !== 'object' || Array.isArray(frame) || typeof type !== 'string') {
      conn.send({ type: 'error', code: 'bad_frame', message: 'Frames are JSON objects with a string "type"' });
      return;
    }
    const entry = this.#handlers.get(type);
    if (!entry) {
      conn.send({ type: 'error', code: 'unknown_type', message: `Unknown frame type ${type.slice(0, 40)}` });
      return;
    }
    const parsed = entry.schema.safeParse(frame);
    if (!parsed.success) {
      conn.send({ type: 'error', code: 'bad_frame', frameType: type, message: 'Invalid frame', details: zodDetails(parsed.error) });
      return;
    }
    try {
      const done = entry.handler(conn, parsed.data);
      if (done) done.catch((err: unknown) => this.#handlerFailed(conn, type, err));
    } catch (err) {
      this.#handlerFailed(conn, type, err);
    }
  }

  #handlerFailed(conn: Connection, type: string, err: unknown): void {
    const e = err as { expose?: boolean; code?: string; message?: string; status?: number };
    if (e.expose) conn.send({ type: 'error', code: e.code ?? 'error', frameType: type, message: e.message ?? 'Error' });
    else {
      this.log.error({ err, type }, 'frame handler failed');
      conn.send({ type: 'error', code: 'internal_error', frameType: type, message: 'Internal error' });
    }
  }

  #run(fn: () => void | Promise<void>, what: string): void {
    Promise.resolve()
      .then(fn)
      .catch((err: unknown) => this.log.error({ err }, `${what} failed`));
  }
}

const EMPTY: ReadonlySet<Connection> = new Set();
