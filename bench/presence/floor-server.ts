// The floor for bench/presence.bench.ts: a bare `ws` server that sends the same kind of presence
// frames to the same subscribers at the same change rate, with no auth, store, engine or
// coalescing. What the product achieves is compared with this. The changes come from a timer in
// this process (the floor), or (input 'http') from the bench's driver as the same HTTP PUTs
// it sends the product, to `PUT /change/<person>`: the floor then carries the product's input too.
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { describeSched, mainThreadSched } from '../support/sched.js';
import { changeNote, emailOf } from './shared.js';

const AVAILABILITIES = ['Available', 'Busy', 'DoNotDisturb', 'BeRightBack', 'Away'];
const subscribers = new Map<number, Set<WebSocket>>();
const versions = new Map<number, { version: number; availability: string }>();
const send = (m: unknown) => process.send?.(m);

const frame = (p: number, availability: string, note: string | null, version: number) =>
  JSON.stringify({
    type: 'presence',
    email: emailOf(p),
    presence: { availability, activity: availability, note, outOfOffice: { active: false, message: null }, lastActive: Date.now(), version },
  });

let changes = 0;
/** One change: the person's next version, sent at once to every subscriber. */
function change(p: number, availability: string, note: string | null): void {
  const version = (versions.get(p)?.version ?? 0) + 1;
  versions.set(p, { version, availability });
  changes++;
  const json = frame(p, availability, note, version);
  for (const ws of subscribers.get(p) ?? []) ws.send(json);
}

const server = http.createServer((req, res) => {
  const m = /^\/change\/(\d+)$/.exec(req.url ?? '');
  if (req.method !== 'PUT' || !m) {
    res.writeHead(404).end();
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d: string) => (body += d));
  req.on('end', () => {
    const { availability, note } = JSON.parse(body) as { availability: string; note: string | null };
    change(Number(m[1]), availability, note);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  });
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  send({ type: 'listening', url: `http://127.0.0.1:${address.port}` });
});
wss.on('connection', (ws) => {
  ws.on('message', (raw) => {
    const m = JSON.parse(raw.toString()) as { type: string; ids?: number[] };
    if (m.type !== 'presence.subscribe' || !m.ids) return;
    for (const p of m.ids) {
      let set = subscribers.get(p);
      if (!set) subscribers.set(p, (set = new Set()));
      set.add(ws);
      const v = versions.get(p);
      ws.send(frame(p, v?.availability ?? 'Available', null, v?.version ?? 0));
    }
    ws.send('{"type":"presence.subscribed"}');
  });
  ws.on('close', () => {
    for (const set of subscribers.values()) set.delete(ws);
  });
});

/** The end of a run: what was applied, the final state the clients must have, this process's CPU. */
function finish(people: number, start: number, cpu0: NodeJS.CpuUsage, sched0: ReturnType<typeof mainThreadSched>): void {
  const truth: Record<string, { version: number; availability: string }> = {};
  for (let p = 0; p < people; p++) truth[emailOf(p)] = versions.get(p) ?? { version: 0, availability: 'Available' };
  const cpu = process.cpuUsage(cpu0);
  send({ type: 'done', changes, truth, cpuShare: (cpu.user + cpu.system) / 1000 / (Date.now() - start), sched: describeSched(sched0, mainThreadSched()) });
}

let stop: (() => void) | undefined;
process.on('message', (m: { type: string; rate?: number; seconds?: number; people?: number; input?: 'timer' | 'http' }) => {
  if (m.type === 'run') {
    const start = Date.now();
    const cpu0 = process.cpuUsage();
    const sched0 = mainThreadSched();
    changes = 0;
    // Fed over HTTP: the run ends when the bench says the driver is done (its last PUTs answered).
    if (m.input === 'http') {
      stop = () => finish(m.people!, start, cpu0, sched0);
      return;
    }
    const end = start + m.seconds! * 1000;
    let seq = 0;
    const tick = setInterval(() => {
      const now = Date.now();
      if (now >= end) {
        clearInterval(tick);
        finish(m.people!, start, cpu0, sched0);
        return;
      }
      // Paced by the clock, not by tick count: a late tick sends what is due.
      for (const due = Math.floor(((now - start) * m.rate!) / 1000); seq < due; seq++) {
        change(Math.floor(Math.random() * m.people!), AVAILABILITIES[seq % AVAILABILITIES.length]!, changeNote(Date.now(), seq));
      }
    }, 10);
  } else if (m.type === 'stop') {
    stop?.();
    stop = undefined;
  } else if (m.type === 'close') {
    for (const ws of wss.clients) ws.terminate();
    wss.close(() => server.close(() => process.exit(0)));
  }
});
