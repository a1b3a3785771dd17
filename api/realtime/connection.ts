import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/index.js';

/** Close codes the panes understand. 4xxx are ours (RFC 6455 leaves 4000–4999 to applications). */
export const CloseCode = Object.freeze({
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  serverError: 1011,
  tryAgainLater: 1013,
  badFrame: 4400,
  unauthorized: 4401,
  rateLimited: 4429,
  tooManyConnections: 4409,
  /** The client fell too far behind: reconnect and resync from the store. */
  resync: 4410,
  idle: 4408,
});

/** Bytes queued on a socket beyond which the client is told to resync instead of stalling the server. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/** A text frame encoded once for any number of sockets (see Connection.sendPrepared). */
export interface PreparedFrame {
  /**
   * The frame's bytes as a latin1 string, one character per byte. Written as a string, a frame that
   * the kernel takes at once needs no Buffer: Node encodes small strings on its stack for the write.
   * As Buffers, every flush's frames were native allocations that only a full GC gave back, and the
   * process grew by megabytes a second under fan-out load while its JS heap stayed flat.
   */
  readonly wire: string;
}

/**
 * Encodes a text message as one complete WebSocket frame (RFC 6455 5.2). Server frames are never
 * masked and this gateway never compresses, so the bytes are the same for every recipient.
 */
export function prepareFrame(json: string): PreparedFrame {
  // UTF-8 bytes as latin1 characters; ASCII text (most frames) is already that. 0x81: FIN + text.
  const payload = Buffer.byteLength(json) === json.length ? json : Buffer.from(json, 'utf8').toString('latin1');
  const n = payload.length;
  const head =
    n < 126
      ? String.fromCharCode(0x81, n)
      : n < 65_536
        ? String.fromCharCode(0x81, 126, n >>> 8, n & 0xff)
        : String.fromCharCode(0x81, 127, 0, 0, 0, 0, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  return { wire: head + payload };
}

/** One open pane: an endpoint of its user. */
export class Connection {
  readonly id = randomUUID();
  readonly openedAt = Date.now();
  lastSeenAt = Date.now();
  /** When the gateway last pinged this socket (heartbeats go to quiet sockets only). */
  lastPingAt = Date.now();
  /** Per-feature state (subscriptions, joined document, …), keyed by feature name. */
  readonly state = new Map<string, unknown>();
  #closed = false;

  constructor(
    readonly socket: WebSocket,
    readonly principal: Principal,
  ) {}

  get closed(): boolean {
    return this.#closed || this.socket.readyState !== this.socket.OPEN;
  }

  /** Sends a frame; a consumer that cannot keep up is closed with `resync` rather than buffered forever. */
  send(frame: { type: string; [k: string]: unknown }): boolean {
    return this.sendRaw(JSON.stringify(frame));
  }

  sendRaw(json: string): boolean {
    if (this.closed) return false;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(CloseCode.resync, 'too far behind; reconnect and resync');
      return false;
    }
    this.socket.send(json);
    return true;
  }

  /**
   * Sends a frame made once with prepareFrame() for many sockets: the bytes go straight to the TCP
   * socket (one write, no per-socket encoding). Same backpressure rule as sendRaw.
   */
  sendPrepared(frame: PreparedFrame): boolean {
    if (this.closed) return false;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(CloseCode.resync, 'too far behind; reconnect and resync');
      return false;
    }
    const raw = (this.socket as unknown as { _socket?: { write(s: string, encoding: 'latin1'): boolean } })._socket;
    if (!raw) return false;
    raw.write(frame.wire, 'latin1');
    return true;
  }

  /**
   * Runs `fn` with the TCP socket corked, so the frames it sends leave in one write (e.g. the 50
   * presence frames answering a subscribe) instead of one syscall per frame.
   */
  batch<T>(fn: () => T): T {
    const raw = (this.socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    raw?.cork();
    try {
      return fn();
    } finally {
      raw?.uncork();
    }
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.socket.close(code, reason.slice(0, 120));
    } catch {
      this.socket.terminate();
    }
  }
}
