// The socket process: holds the realtime WebSockets for the API process that forked it, so the
// system calls of thousands of socket writes run beside the API's event loop instead of inside it.
// It knows nothing of users or frames' meaning: it completes handshakes, writes what it is told,
// reports what clients send, and keeps heartbeats, size limits and backpressure.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { CloseCode } from './close-codes.js';
import { InlineSocketHost } from './inline-socket-host.js';
import { prepareFrame } from './prepared-frame.js';
import type { SocketHostLimits, SocketPort } from './socket-host.js';
import { EventKind, type FromSocketProcess, type ToSocketProcess } from './socket-process-protocol.js';

const limits = JSON.parse(process.argv[2] ?? '{}') as SocketHostLimits;
const host = new InlineSocketHost(limits);
/** Open sockets by port id, with the one way to report their end (at most once). */
const ports = new Map<number, { port: SocketPort; end(code: number): void }>();
const send = (m: FromSocketProcess) => process.send?.(m);

let events: (number | string | null)[] = [];
let flushing = false;
function report(kind: number, id: number, value: number | string | null): void {
  events.push(kind, id, value);
  if (flushing) return;
  flushing = true;
  setImmediate(() => {
    flushing = false;
    const e = events;
    events = [];
    send({ t: 'events', e });
  });
}

function adopt(m: Extract<ToSocketProcess, { t: 'adopt' }>, socket: Socket | undefined): void {
  if (!socket) {
    report(EventKind.closed, m.id, CloseCode.abnormal);
    return;
  }
  const req = { method: m.method, url: m.url, headers: m.headers, socket } as unknown as IncomingMessage;
  let ended = false;
  const end = (code: number) => {
    if (ended) return;
    ended = true;
    ports.delete(m.id);
    report(EventKind.closed, m.id, code);
  };
  host.adopt(req, socket, Buffer.from(m.head, 'base64'), {
    opened: (port) => {
      ports.set(m.id, { port, end });
      report(EventKind.opened, m.id, null);
    },
    message: (text) => ended || report(EventKind.message, m.id, text),
    closed: end,
  });
}

/**
 * Sockets written to since the last turn of the event loop stay corked until its end: when this
 * process falls behind and several batches are read at once, each socket still gets one write.
 */
const corked = new Set<SocketPort>();
let written = 0;
let endOfTurn = false;
function turnEnded(): void {
  endOfTurn = false;
  for (const port of corked) port.uncork();
  corked.clear();
  // How far this process has got: the API process holds coalescing windows open while it lags.
  send({ t: 'done', seq: written });
}

function write({ seq, f, o, c }: Extract<ToSocketProcess, { t: 'out' }>): void {
  written = seq;
  if (!endOfTurn) {
    endOfTurn = true;
    setImmediate(turnEnded);
  }
  const frames = f.map(prepareFrame);
  for (let i = 0; i < o.length; i += 2) {
    const entry = ports.get(o[i]);
    if (!entry) continue;
    const { port } = entry;
    const n = o[i + 1];
    if (n >= 0) {
      if (!corked.has(port)) {
        port.cork();
        corked.add(port);
      }
      // A reader too far behind is closed with resync here: the API process must know now, not
      // when (or if) the stuck client answers the closing handshake.
      if (!port.send(frames[n]) && !port.open) entry.end(CloseCode.resync);
    } else {
      const [code, reason] = c[-n - 1];
      port.close(code, reason);
    }
  }
}

process.on('message', (m: ToSocketProcess, handle?: Socket) => {
  switch (m.t) {
    case 'adopt':
      return adopt(m, handle);
    case 'out':
      return write(m);
    case 'usage':
      if (m.gc) (globalThis as { gc?: () => void }).gc?.();
      return send({ t: 'usage', rss: process.memoryUsage().rss, cpu: process.cpuUsage() });
    case 'shutdown':
      void host.close().finally(() => process.exit(0));
  }
});
// The API process is gone: nobody is left to serve these sockets; the OS closes them with us.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
