import { fork, type ChildProcess } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../core/log/index.js';
import { CloseCode } from './close-codes.js';
import type { PreparedFrame } from './prepared-frame.js';
import type { SocketEvents, SocketHost, SocketHostLimits, SocketHostUsage, SocketPort } from './socket-host.js';
import { EventKind, type FromSocketProcess, type ToSocketProcess } from './socket-process-protocol.js';

const ENTRY = fileURLToPath(new URL('./socket-process-entry.mjs', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;
/** Bytes written to the socket process and not yet read by it, beyond which the host is backlogged. */
const BACKLOG_BYTES = 512 * 1024;
/**
 * Socket writes posted and not yet acknowledged beyond which the host is backlogged: about 0.3 s of
 * the socket process's work at ~12 µs a write. Counted in writes, not in time: the age of a batch as
 * seen from the API includes the API's own busy spells (a timer runs before the acknowledgement
 * waiting in the pipe is read), and holding windows for that only added latency.
 */
export const BACKLOG_WRITES = 25_000;

/**
 * Node keeps a socket handed to a child on its server's books, and the server's close() then waits
 * for that child; once the child has exited, close() never calls back (it polls no child and ends
 * nothing). The socket is taken off the books here instead: from now on it is the child's.
 */
function detachFromServer(socket: Duplex): void {
  const s = socket as unknown as { server?: { _connections: number } | null; _server?: unknown };
  if (!s.server) return;
  s.server._connections--;
  s.server = null;
  s._server = null;
}

/** A socket held by the socket process: writes and closes are queued for its next batch. */
class RemotePort implements SocketPort {
  #open = true;

  constructor(
    readonly id: number,
    readonly events: SocketEvents,
    private readonly outbox: Outbox,
  ) {}

  get open(): boolean {
    return this.#open;
  }

  send(frame: PreparedFrame): boolean {
    if (!this.#open) return false;
    this.outbox.write(this.id, frame);
    return true;
  }

  // The socket process corks every socket for the length of a batch: nothing to do per call.
  cork(): void {}
  uncork(): void {}

  close(code: number, reason: string): void {
    if (!this.#open) return;
    this.#open = false;
    this.outbox.close(this.id, code, reason.slice(0, 120));
  }

  /** The socket is gone on the other side. */
  gone(): void {
    this.#open = false;
  }
}

/** What this turn of the event loop sends to the socket process, as one message. */
class Outbox {
  /** Sequence number of the last batch posted, and the writes of each batch not yet acknowledged. */
  #seq = 0;
  readonly #inFlight: { seq: number; writes: number }[] = [];
  #writesInFlight = 0;
  #frames: string[] = [];
  #index = new Map<PreparedFrame, number>();
  #ops: number[] = [];
  #closes: [number, string][] = [];
  #scheduled = false;

  /** `post` answers false when there is no socket process to take the message (it is starting again). */
  constructor(
    private readonly post: (m: ToSocketProcess) => boolean,
    private readonly backlogWrites: number,
  ) {}

  write(id: number, frame: PreparedFrame): void {
    // A fan-out sends one frame to many sockets: it crosses once.
    let n = this.#index.get(frame);
    if (n === undefined) {
      n = this.#frames.push(frame.json) - 1;
      this.#index.set(frame, n);
    }
    this.#ops.push(id, n);
    this.#schedule();
  }

  close(id: number, code: number, reason: string): void {
    this.#ops.push(id, -this.#closes.push([code, reason]));
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#ops.length === 0) return;
    const seq = ++this.#seq;
    const m: ToSocketProcess = { t: 'out', seq, f: this.#frames, o: this.#ops, c: this.#closes };
    this.#frames = [];
    this.#index = new Map();
    this.#ops = [];
    this.#closes = [];
    // Only a batch that went out can be waited for: one dropped with a dead process must not hold windows.
    if (this.post(m)) {
      const writes = m.o.length / 2;
      this.#inFlight.push({ seq, writes });
      this.#writesInFlight += writes;
    }
  }

  /** The socket process has written every batch up to `seq`. */
  done(seq: number): void {
    let n = 0;
    while (n < this.#inFlight.length && this.#inFlight[n].seq <= seq) this.#writesInFlight -= this.#inFlight[n++].writes;
    if (n) this.#inFlight.splice(0, n);
  }

  /** More writes posted than the socket process has acknowledged, by over `backlogWrites`. */
  get lagging(): boolean {
    return this.#writesInFlight > this.backlogWrites;
  }

  /** A new socket process starts with nothing in flight. */
  reset(): void {
    this.#inFlight.length = 0;
    this.#writesInFlight = 0;
  }
}

/**
 * Holds the realtime sockets in a child process (socket-process.ts): each upgraded TCP socket is
 * handed over with its handle, and frames cross the IPC channel in batches, so the system calls
 * of a fan-out to thousands of sockets run on the other core instead of delaying the API. If the
 * child dies its sockets are reported closed (clients reconnect) and a new one is started.
 */
export class ProcessSocketHost implements SocketHost {
  #child: ChildProcess | undefined;
  #ready = false;
  #onReady: (() => void) | undefined;
  #closing = false;
  #restarts = 0;
  readonly #pending = new Map<number, SocketEvents>();
  readonly #ports = new Map<number, RemotePort>();
  readonly #usageWaiters: ((u: SocketHostUsage | null) => void)[] = [];
  readonly #outbox: Outbox;
  #nextId = 1;

  private constructor(
    readonly limits: SocketHostLimits,
    readonly log: Logger,
    backlogWrites: number,
  ) {
    this.#outbox = new Outbox((m) => this.#post(m), backlogWrites);
  }

  /** Starts the socket process and waits until it listens for sockets. */
  static async start(limits: SocketHostLimits, log: Logger, options: { backlogWrites?: number } = {}): Promise<ProcessSocketHost> {
    const host = new ProcessSocketHost(limits, log, options.backlogWrites ?? BACKLOG_WRITES);
    await host.#spawn();
    return host;
  }

  get backlogged(): boolean {
    const channel = this.#child?.channel as { writeQueueSize?: number } | null | undefined;
    return this.#outbox.lagging || (channel?.writeQueueSize ?? 0) > BACKLOG_BYTES;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  adopt(req: IncomingMessage, socket: Duplex, head: Buffer, events: SocketEvents): void {
    const child = this.#child;
    if (!this.#ready || !child?.connected) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const id = this.#nextId++;
    this.#pending.set(id, events);
    // Writes queued before this socket existed must not wait behind the handle's acknowledgement.
    this.#outbox.flush();
    const m: ToSocketProcess = {
      t: 'adopt',
      id,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      head: head.length ? head.toString('base64') : '',
    };
    detachFromServer(socket);
    child.send(m, socket as Socket, { keepOpen: false }, (err) => {
      if (!err) return;
      this.log.warn({ err }, 'handing a socket to the socket process failed');
      socket.destroy();
      if (this.#pending.delete(id)) events.closed(CloseCode.abnormal);
    });
  }

  usage(options: { gc?: boolean } = {}): Promise<SocketHostUsage | null> {
    if (!this.#child?.connected) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#usageWaiters.push(resolve);
      this.#post({ t: 'usage', gc: options.gc ?? false });
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.#outbox.flush();
    const exited = new Promise((r) => child.once('exit', r));
    this.#post({ t: 'shutdown' });
    const kill = setTimeout(() => child.kill('SIGKILL'), SHUTDOWN_TIMEOUT_MS);
    await exited;
    clearTimeout(kill);
  }

  #post(m: ToSocketProcess): boolean {
    const child = this.#child;
    if (!child?.connected) return false;
    child.send(m);
    return true;
  }

  #spawn(): Promise<void> {
    const execArgv = process.execArgv.includes('--expose-gc') ? ['--expose-gc'] : [];
    // Structured clone, not JSON: frames are strings full of quotes that JSON would escape and unescape.
    const child = fork(ENTRY, [JSON.stringify(this.limits)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    this.#child = child;
    this.#ready = false;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the socket process did not start within 30 s'));
      }, READY_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the socket process exited with ${code} while starting`));
      });
      this.#onReady = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    child.on('message', (m: FromSocketProcess) => this.#onMessage(m));
    child.on('error', (err) => this.log.error({ err }, 'socket process error'));
    child.on('exit', (code, signal) => this.#onExit(child, code, signal));
    return ready;
  }

  #onMessage(m: FromSocketProcess): void {
    if (m.t === 'events') this.#onEvents(m.e);
    else if (m.t === 'ready') {
      this.#ready = true;
      this.#onReady?.();
    } else if (m.t === 'done') this.#outbox.done(m.seq);
    else if (m.t === 'usage') this.#usageWaiters.shift()?.({ rss: m.rss, cpu: m.cpu });
  }

  #onEvents(e: (number | string | null)[]): void {
    for (let i = 0; i < e.length; i += 3) {
      const kind = e[i] as number;
      const id = e[i + 1] as number;
      try {
        if (kind === EventKind.message) this.#ports.get(id)?.events.message(e[i + 2] as string | null);
        else if (kind === EventKind.opened) {
          const events = this.#pending.get(id);
          if (!events) continue;
          this.#pending.delete(id);
          const port = new RemotePort(id, events, this.#outbox);
          this.#ports.set(id, port);
          events.opened(port);
        } else if (kind === EventKind.closed) this.#closed(id, e[i + 2] as number);
      } catch (err) {
        // One socket's handler failing must not drop the rest of the batch.
        this.log.error({ err }, 'realtime socket event failed');
      }
    }
  }

  #closed(id: number, code: number): void {
    const port = this.#ports.get(id);
    if (port) {
      this.#ports.delete(id);
      port.gone();
      port.events.closed(code);
      return;
    }
    const events = this.#pending.get(id);
    if (events) {
      this.#pending.delete(id);
      events.closed(code);
    }
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.#child) return;
    this.#ready = false;
    this.#outbox.reset();
    for (const waiter of this.#usageWaiters.splice(0)) waiter(null);
    for (const id of [...this.#ports.keys(), ...this.#pending.keys()]) this.#closed(id, CloseCode.abnormal);
    if (this.#closing) return;
    // Its clients' sockets died with it; they reconnect once a new one is up.
    this.log.error({ code, signal }, 'the socket process exited; starting a new one');
    const delay = Math.min(10_000, 250 * 2 ** Math.min(this.#restarts++, 6));
    setTimeout(() => {
      if (this.#closing) return;
      this.#spawn().then(
        () => (this.#restarts = 0),
        (err: unknown) => this.log.error({ err }, 'the socket process failed to start'),
      );
    }, delay).unref();
  }
}
