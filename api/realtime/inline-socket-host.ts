import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ClientFrameReader } from './client-frames.js';
import { CloseCode, MAX_BUFFERED_BYTES } from './close-codes.js';
import type { PreparedFrame } from './prepared-frame.js';
import type { SocketEvents, SocketHost, SocketHostLimits, SocketPort } from './socket-host.js';

interface RawSocket {
  write(s: string, encoding: 'latin1'): boolean;
  cork(): void;
  uncork(): void;
}

/**
 * Control frames (pings, pongs) a client may send: per second, and in a burst. Browsers never ping
 * and only answer our pings, so these bound a misbehaving client only: every ping it sends makes us
 * write a pong, and it never reaches the gateway's frame limit.
 */
export const CONTROL_FRAMES_PER_SECOND = 20;
export const CONTROL_FRAME_BURST = 60;

/** A ws socket held in this process. */
export class WsPort implements SocketPort {
  lastSeenAt = Date.now();
  /** When this socket was last pinged (heartbeats go to quiet sockets only). */
  lastPingAt = Date.now();
  #closing = false;
  /** Token bucket of the client's control frames. */
  #controlTokens = CONTROL_FRAME_BURST;
  #controlAt = Date.now();
  readonly #raw: RawSocket | undefined;
  /** cork() depth, and the frames sent meanwhile, joined: they leave in one write at the last uncork(). */
  #corked = 0;
  #pending = '';

  constructor(readonly ws: WebSocket) {
    this.#raw = (ws as unknown as { _socket?: RawSocket })._socket;
  }

  get open(): boolean {
    return !this.#closing && this.ws.readyState === this.ws.OPEN;
  }

  send(frame: PreparedFrame): boolean {
    if (!this.open || !this.#raw) return false;
    if (this.ws.bufferedAmount + this.#pending.length > MAX_BUFFERED_BYTES) {
      this.close(CloseCode.resync, 'too far behind; reconnect and resync');
      return false;
    }
    // Straight to the TCP socket: the frame's bytes are already complete (no per-socket encoding).
    if (this.#corked) this.#pending += frame.wire;
    else this.#raw.write(frame.wire, 'latin1');
    return true;
  }

  /** The client pinged: answered unless it pings too often or does not read what it is sent. */
  pinged(data: Buffer): void {
    if (!this.#control()) return;
    // Pongs queue like any frame: a client that pings without reading must not grow our buffers.
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) this.close(CloseCode.resync, 'too far behind; reconnect and resync');
    else this.ws.pong(data);
  }

  /** The client sent a pong (an answer to our ping, or unsolicited). */
  ponged(): void {
    if (this.#control()) this.lastSeenAt = Date.now();
  }

  /** Takes a control frame from the bucket; false (and closed with 4429) when the client sends too many. */
  #control(): boolean {
    if (!this.open) return false;
    const now = Date.now();
    this.#controlTokens = Math.min(CONTROL_FRAME_BURST, this.#controlTokens + ((now - this.#controlAt) * CONTROL_FRAMES_PER_SECOND) / 1000);
    this.#controlAt = now;
    if (this.#controlTokens < 1) {
      this.close(CloseCode.rateLimited, 'too many control frames');
      return false;
    }
    this.#controlTokens--;
    return true;
  }

  cork(): void {
    this.#corked++;
  }

  uncork(): void {
    if (this.#corked > 0 && --this.#corked === 0) this.#writePending();
  }

  /**
   * Our own cork rather than the socket's: a corked stream keeps each write as a queued entry and
   * hands them to writev at uncork. Under presence fan-out (a write per socket per flush, tens of
   * thousands a second) that took 26–27 µs per socket written against 18–22 µs for joining the
   * frames into one string and writing it (interleaved presence bench runs), and 8–10 points more
   * of a core; each flush held the event loop that much longer.
   */
  #writePending(): void {
    const wire = this.#pending;
    if (!wire) return;
    this.#pending = '';
    if (this.open && this.#raw) this.#raw.write(wire, 'latin1');
  }

  close(code: number, reason: string): void {
    if (this.#closing) return;
    // Frames sent before the close leave before it.
    this.#corked = 0;
    this.#writePending();
    this.#closing = true;
    try {
      this.ws.close(code, reason.slice(0, 120));
    } catch {
      this.ws.terminate();
    }
  }
}

/**
 * Takes the reading of a socket's data frames over from ws (see ClientFrameReader for why): the
 * socket's chunks go to a ClientFrameReader, which hands control frames (close, ping, pong) back to
 * ws's own reader, so ws still reports pings and pongs and does the closing handshake. Returns
 * false, leaving ws to read, if the socket is not as ws left it (one 'data' listener: ws's).
 */
function readFrames(ws: WebSocket, maxPayload: number, message: (text: string | null) => void): boolean {
  const socket = (ws as unknown as { _socket?: Duplex })._socket;
  const listeners = socket?.listeners('data');
  if (!socket || listeners?.length !== 1) return false;
  const wsOnData = listeners[0] as (this: Duplex, chunk: Buffer) => void;
  const reader = new ClientFrameReader(maxPayload, {
    message,
    control: (frame) => wsOnData.call(socket, frame),
    // As ws does with a frame it refuses (1002, 1007, 1009): close; the reader ignores what follows.
    failed: (code) => ws.close(code),
  });
  socket.removeListener('data', wsOnData);
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  return true;
}

/** The sockets held by this process itself: the host of `REALTIME_SOCKETS=inline`, and inside the socket process. */
export class InlineSocketHost implements SocketHost {
  readonly #wss: WebSocketServer;
  readonly #ports = new Set<WsPort>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(readonly limits: SocketHostLimits) {
    // Pings are answered by WsPort (counted and bounded), not by ws on its own.
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: limits.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      autoPong: false,
    });
    // Sweeps often and pings each socket on its own schedule: pinging every socket in one sweep
    // would be thousands of writes at once, a stall every client would feel.
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(50, Math.min(1000, limits.pingIntervalMs / 4, limits.heartbeatTimeoutMs / 6)));
    this.#sweeper.unref();
  }

  /** In-process writes never queue behind anything but this event loop, which is its own backpressure. */
  readonly backlogged = false;

  adopt(req: IncomingMessage, socket: Duplex, head: Buffer, events: SocketEvents): void {
    let opened = false;
    // ws destroys the socket of a failed handshake without a word: that is this socket's end.
    socket.once('close', () => opened || events.closed(CloseCode.abnormal));
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      opened = true;
      const port = new WsPort(ws);
      this.#ports.add(port);
      ws.on('pong', () => port.ponged());
      ws.on('ping', (data: Buffer) => port.pinged(data));
      const message = (text: string | null) => {
        port.lastSeenAt = Date.now();
        events.message(text);
      };
      // Data frames are read by readFrames; this listener serves when readFrames leaves reading to ws.
      ws.on('message', (data: Buffer, isBinary: boolean) => message(isBinary ? null : data.toString('utf8')));
      readFrames(ws, this.limits.maxFrameBytes, message);
      // ws closes the socket after an error (e.g. 1009 for an oversized frame); 'close' follows.
      ws.on('error', () => undefined);
      ws.on('close', (code: number) => {
        this.#ports.delete(port);
        events.closed(code);
      });
      events.opened(port);
    });
  }

  async usage(): Promise<null> {
    return null;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const closed = [...this.#ports].map((p) => new Promise((r) => p.ws.once('close', r)));
    for (const p of this.#ports) p.close(CloseCode.goingAway, 'server shutting down');
    // A client that never answers the close handshake must not hold the shutdown.
    const late = setTimeout(() => this.#ports.forEach((p) => p.ws.terminate()), 2000);
    await Promise.all(closed);
    clearTimeout(late);
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #sweep(): void {
    const now = Date.now();
    const { heartbeatTimeoutMs, pingIntervalMs } = this.limits;
    for (const port of this.#ports) {
      if (now - port.lastSeenAt > heartbeatTimeoutMs) port.ws.terminate();
      else if (port.open && now - port.lastSeenAt >= pingIntervalMs && now - port.lastPingAt >= pingIntervalMs) {
        // A socket that sent anything lately is alive: only quiet ones are asked.
        port.lastPingAt = now;
        port.ws.ping();
      }
    }
  }
}
