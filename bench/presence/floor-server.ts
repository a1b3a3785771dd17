// The floor for bench/presence.bench.ts: a bare `ws` server that sends the same kind of presence
// frames to the same subscribers at the same change rate, with no auth, store, engine or
// coalescing. What the product achieves is compared with this.
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

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false }, () => {
  const address = wss.address() as { port: number };
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

process.on('message', (m: { type: string; rate?: number; seconds?: number; people?: number }) => {
  if (m.type === 'run') {
    const start = Date.now();
    const cpu0 = process.cpuUsage();
    const sched0 = mainThreadSched();
    const end = start + m.seconds! * 1000;
    let seq = 0;
    const tick = setInterval(() => {
      const now = Date.now();
      if (now >= end) {
        clearInterval(tick);
        const truth: Record<string, { version: number; availability: string }> = {};
        for (let p = 0; p < m.people!; p++) truth[emailOf(p)] = versions.get(p) ?? { version: 0, availability: 'Available' };
        const cpu = process.cpuUsage(cpu0);
        send({
          type: 'done',
          changes: seq,
          truth,
          cpuShare: (cpu.user + cpu.system) / 1000 / (Date.now() - start),
          sched: describeSched(sched0, mainThreadSched()),
        });
        return;
      }
      // Paced by the clock, not by tick count: a late tick sends what is due.
      for (const due = Math.floor(((now - start) * m.rate!) / 1000); seq < due;) {
        const p = Math.floor(Math.random() * m.people!);
        const availability = AVAILABILITIES[seq % AVAILABILITIES.length];
        const version = (versions.get(p)?.version ?? 0) + 1;
        versions.set(p, { version, availability });
        const json = frame(p, availability, changeNote(Date.now(), seq++), version);
        for (const ws of subscribers.get(p) ?? []) ws.send(json);
      }
    }, 10);
  } else if (m.type === 'close') {
    for (const ws of wss.clients) ws.terminate();
    wss.close(() => process.exit(0));
  }
});
