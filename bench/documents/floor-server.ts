// The floor of the documents benchmark: a bare `ws` server that does only the fan-out the product
// does — moves of a document gathered over the same window and sent as one frame of the same shape
// to its other sockets — with no auth, validation, rate limit, session store or expiry. The same
// generators drive it, so the product's figures can be read against what bare Node + ws manage on
// this machine. Talks to the parent over IPC.
import { WebSocketServer, type WebSocket } from 'ws';
import { describeSched, mainThreadSched, type SchedTimes } from '../support/sched.js';

const FANOUT_MS = Number(process.env.FANOUT_MS ?? 100);

interface Doc {
  readonly key: string;
  readonly peers: Set<Peer>;
  /** The latest position of each person who moved in the open window, as JSON. */
  readonly moves: Map<string, string>;
  timer?: NodeJS.Timeout;
}
interface Peer {
  readonly ws: WebSocket;
  readonly personId: string;
  doc?: Doc;
}

const docs = new Map<string, Doc>();
let moves = 0;
let frames = 0;
let cpu0 = process.cpuUsage();
let sched0: SchedTimes | null = null;
let started = Date.now();

function flush(doc: Doc): void {
  doc.timer = undefined;
  const movers = [...doc.moves.keys()];
  const entries = [...doc.moves].map(([personId, position]) => `{"personId":${JSON.stringify(personId)},"position":${position}}`);
  doc.moves.clear();
  const frame = `{"type":"doc.participants","docKey":${JSON.stringify(doc.key)},"moved":[${entries.join(',')}]}`;
  for (const peer of doc.peers) {
    // As in the product, a window whose own person is the only mover is not sent anything.
    if (movers.length === 1 && movers[0] === peer.personId) continue;
    peer.ws.send(frame);
    frames++;
  }
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const peer: Peer = { ws, personId: new URL(req.url ?? '/', 'http://floor').searchParams.get('person') ?? '' };
  ws.on('message', (data) => {
    const f = JSON.parse(String(data)) as { type: string; docKey?: string; position?: unknown };
    if (f.type === 'doc.join' && !peer.doc && f.docKey) {
      let doc = docs.get(f.docKey);
      if (!doc) docs.set(f.docKey, (doc = { key: f.docKey, peers: new Set(), moves: new Map() }));
      doc.peers.add(peer);
      peer.doc = doc;
    } else if (f.type === 'doc.position' && peer.doc) {
      const doc = peer.doc;
      moves++;
      doc.moves.set(peer.personId, JSON.stringify(f.position));
      doc.timer ??= setTimeout(() => flush(doc), FANOUT_MS);
    }
  });
  ws.on('close', () => peer.doc?.peers.delete(peer));
});

wss.on('listening', () => {
  const { port } = wss.address() as { port: number };
  process.send!({ type: 'listening', url: `http://127.0.0.1:${port}` });
});

process.on('message', (m: { type: string }) => {
  if (m.type === 'run') {
    moves = 0;
    frames = 0;
    cpu0 = process.cpuUsage();
    sched0 = mainThreadSched();
    started = Date.now();
    process.send!({ type: 'running' });
  } else if (m.type === 'stop') {
    const cpu = process.cpuUsage(cpu0);
    const seconds = (Date.now() - started) / 1000;
    process.send!({
      type: 'floor-stats',
      movesPerSecond: moves / seconds,
      framesPerSecond: frames / seconds,
      cpuShare: (cpu.user + cpu.system) / 1e6 / seconds,
      sched: describeSched(sched0, mainThreadSched()),
    });
  } else if (m.type === 'close') {
    for (const c of wss.clients) c.terminate();
    wss.close(() => process.exit(0));
  }
});
