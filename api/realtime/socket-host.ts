import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { PreparedFrame } from './prepared-frame.js';

/** One client WebSocket as the gateway sees it, wherever the socket itself is held. */
export interface SocketPort {
  /** False once the socket is closing or closed. */
  readonly open: boolean;
  /** Sends one frame; false when the socket is gone or fell too far behind (it is then closed with resync). */
  send(frame: PreparedFrame): boolean;
  /** Frames sent between cork() and uncork() leave in one write. */
  cork(): void;
  uncork(): void;
  close(code: number, reason: string): void;
}

/** What a host reports about one socket it was given. Called in this order, each at most once but `message`. */
export interface SocketEvents {
  /** The handshake is done. Not called when it failed (then only `closed` is). */
  opened(port: SocketPort): void;
  /** A text frame's text, or null for a binary frame. */
  message(text: string | null): void;
  /** The socket is gone: closed by either side, silent too long, or lost with its host. */
  closed(code: number): void;
}

/** The socket-level rules a host enforces by itself. */
export interface SocketHostLimits {
  /** Largest frame a client may send, in bytes (larger: closed with 1009). */
  readonly maxFrameBytes: number;
  /** A socket with no frame and no pong for this long is an endpoint gone silent: it is dropped. */
  readonly heartbeatTimeoutMs: number;
  /** Quiet sockets are pinged this often. */
  readonly pingIntervalMs: number;
}

export interface SocketHostUsage {
  readonly rss: number;
  readonly cpu: NodeJS.CpuUsage;
}

/**
 * Where the realtime sockets live: their handshake, heartbeats, write queues and backpressure. The
 * gateway decides who may connect and what frames mean; a host only moves bytes.
 */
export interface SocketHost {
  /**
   * True while the host has more queued for its sockets than it should take on: fan-outs that can
   * coalesce (presence, document positions) hold their windows open meanwhile instead of queueing more.
   */
  readonly backlogged: boolean;
  /** Completes the WebSocket handshake of an upgraded HTTP request and reports through `events`. */
  adopt(req: IncomingMessage, socket: Duplex, head: Buffer, events: SocketEvents): void;
  /** What a process of its own costs for the sockets, for capacity figures (after a full GC there if asked and possible); null in-process. */
  usage(options?: { gc?: boolean }): Promise<SocketHostUsage | null>;
  close(): Promise<void>;
}
