import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { z } from 'zod';
import type { Logger } from '../../core/log/index.js';
import { RateLimiter } from '../http/index.js';
import { zodDetails } from '../http/validate.js';
import { CloseCode, Connection } from './connection.js';
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
 * (validated with zod) and open/close hooks; the gateway owns limits and liveness.
 */
export class RealtimeGateway {
  readonly #wss: WebSocketServer;
  readonly #handlers = new Map<string, { schema: z.ZodType; handler: Handler<unknown> }>();
  readonly #openHooks: ((c: Connection) => void | Promise<void>)[] = [];
  readonly #closeHooks: ((c: Connection) => void | Promise<void>)[] = [];
  readonly #byPerson = new Map<string, Set<Connection>>();
  readonly #limiter: RateLimiter;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly tickets: TicketStore,
    readonly log: Logger,
    readonly limits: GatewayLimits = DEFAULT_GATEWAY_LIMITS,
  ) {
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes, perMessageDeflate: false });
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

  get connectionCount(): number {
    return this.#wss.clients.size;
  }

  /** Sends a frame to every local connection of a person; returns how many got it. */
  sendToPerson(personId: string, frame: { type: string; [k: string]: unknown }): number {
    const conns = this.#byPerson.get(personId);
    if (!conns) return 0;
    const json = JSON.stringify(frame);
    let n = 0;
    for (const c of conns) if (c.sendRaw(json)) n++;
    return n;
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/v1/realtime') {
        socket.destroy();
        return;
      }
      void this.#upgrade(req, socket, head, url.searchParams.get('ticket') ?? '');
    });
    // Sweeps often and pings each socket on its own schedule: pinging every socket in one sweep
    // would be thousands of writes at once, a stall every client would feel.
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(50, Math.min(1000, this.limits.pingIntervalMs / 4, this.limits.heartbeatTimeoutMs / 6)));
    this.#sweeper.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    for (const ws of this.#wss.clients) ws.close(CloseCode.goingAway, 'server shutting down');
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ticket: string): Promise<void> {
    let principal;
    try {
      principal = ticket ? await this.tickets.redeem(ticket) : null;
    } catch (err) {
      this.log.error({ err }, 'ticket store failed');
    }
    if (!principal) {
      socket.end(
        'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":{"code":"unauthorized","message":"Missing, used or expired ticket"}}',
      );
      return;
    }
    const p = principal;
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, p));
  }

  #accept(ws: WebSocket, principal: Connection['principal']): void {
    const conn = new Connection(ws, principal);
    let set = this.#byPerson.get(principal.personId);
    if (set && set.size >= this.limits.connectionsPerUser) {
      conn.close(CloseCode.tooManyConnections, 'too many connections for this user');
      return;
    }
    if (!set) this.#byPerson.set(principal.personId, (set = new Set()));
    set.add(conn);
    ws.on('pong', () => {
      conn.lastSeenAt = Date.now();
    });
    ws.on('message', (data, isBinary) => {
      try {
        this.#onMessage(conn, data as Buffer, isBinary);
      } catch (err) {
        // A bug on this path must cost one socket, never the process.
        this.log.error({ err }, 'realtime frame failed');
        conn.close(CloseCode.serverError, 'internal error');
      }
    });
    ws.on('error', (err) => this.log.debug({ err, conn: conn.id }, 'socket error'));
    ws.on('close', () => {
      set.delete(conn);
      if (set.size === 0 && this.#byPerson.get(principal.personId) === set) this.#byPerson.delete(principal.personId);
      for (const hook of this.#closeHooks) this.#run(() => hook(conn), 'close hook');
    });
    for (const hook of this.#openHooks) this.#run(() => hook(conn), 'open hook');
    conn.send({ type: 'hello', connectionId: conn.id, personId: principal.personId, email: principal.email, heartbeatMs: this.limits.pingIntervalMs });
  }

  // Not async: most handlers finish synchronously, and a promise per frame is measurable at 20,000 frames/s.
  #onMessage(conn: Connection, data: Buffer, isBinary: boolean): void {
    conn.lastSeenAt = Date.now();
    if (this.#limiter.take(conn.id) > 0) {
      conn.close(CloseCode.rateLimited, 'too many frames');
      return;
    }
    let frame: unknown;
    try {
      frame = isBinary ? undefined : JSON.parse(data.toString('utf8'));
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

  #sweep(): void {
    const now = Date.now();
    const { heartbeatTimeoutMs, pingIntervalMs } = this.limits;
    for (const set of this.#byPerson.values()) {
      for (const conn of set) {
        if (now - conn.lastSeenAt > heartbeatTimeoutMs) {
          conn.socket.terminate();
        } else if (!conn.closed && now - conn.lastSeenAt >= pingIntervalMs && now - conn.lastPingAt >= pingIntervalMs) {
          // A socket that sent anything lately is alive: only quiet ones are asked.
          conn.lastPingAt = now;
          conn.socket.ping();
        }
      }
    }
  }

  #run(fn: () => void | Promise<void>, what: string): void {
    Promise.resolve()
      .then(fn)
      .catch((err: unknown) => this.log.error({ err }, `${what} failed`));
  }
}

const EMPTY: ReadonlySet<Connection> = new Set();
