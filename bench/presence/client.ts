// A child process of bench/presence.bench.ts: holds a slice of the 10,000 WebSocket clients,
// subscribes each to its 50 people, and measures what arrives. Talks to the parent over IPC.
import http from 'node:http';
import { mintDevToken } from '../../api/auth/index.js';
import { profiled } from '../support/cpu-profile.js';
import { LeanSocket } from '../support/lean-ws.js';
import { emailOf, HIST_BUCKETS, sentAtOf, subscriptionsOf } from './shared.js';

interface Init {
  type: 'init';
  mode: 'product' | 'floor';
  url: string;
  secret: string;
  from: number;
  to: number;
  people: number;
  subscriptions: number;
}

interface Seen {
  version: number;
  availability: string;
}

let init: Init;
const sockets: LeanSocket[] = [];
/** Per client, per watched address: the last presence seen. */
const lastSeen: Map<string, Seen>[] = [];
let hist = new Uint32Array(HIST_BUCKETS);
let counting = false;
let closing = false;
let delivered = 0;
let frames = 0;
let lastFrameAt = 0;
let cpuAtStart = process.cpuUsage();
let wallAtStart = 0;
let stopProfile = () => {};
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const send = (m: unknown) => process.send?.(m);

function ticket(token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${init.url}/v1/realtime/ticket`, { method: 'POST', agent, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () =>
        res.statusCode === 200 ? resolve((JSON.parse(body) as { ticket: string }).ticket) : reject(new Error(`ticket ${res.statusCode} ${body}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The fields of a presence frame this client needs, read by position: JSON.parse and an object per
 * frame were most of a generator's CPU, and that CPU is taken from the server under test. Anything
 * that does not look exactly like a presence frame goes through JSON.parse instead.
 */
const PRESENCE_PREFIX = '{"type":"presence","email":"';
function fieldsOf(text: string): { email: string; version: number; availability: string; note: string | null } | null {
  if (!text.startsWith(PRESENCE_PREFIX)) return null;
  const emailEnd = text.indexOf('"', PRESENCE_PREFIX.length);
  const a = text.indexOf('"availability":"', emailEnd);
  const v = text.indexOf('"version":', emailEnd);
  const n = text.indexOf('"note":', emailEnd);
  if (emailEnd < 0 || a < 0 || v < 0 || n < 0 || text.includes('\\')) return null;
  const version = parseInt(text.slice(v + 10, v + 26), 10);
  const note = text.startsWith('null', n + 7) ? null : text.slice(n + 8, text.indexOf('"', n + 8));
  return { email: text.slice(PRESENCE_PREFIX.length, emailEnd), version, availability: text.slice(a + 16, text.indexOf('"', a + 16)), note };
}

function onFrame(slot: number, text: string): void {
  frames++;
  lastFrameAt = Date.now();
  let f = fieldsOf(text);
  if (!f) {
    const parsed = JSON.parse(text) as { type: string; email?: string; presence?: { version: number; availability: string; note: string | null } };
    if (parsed.type !== 'presence' || !parsed.email || !parsed.presence) return;
    f = { email: parsed.email, ...parsed.presence };
  }
  const seen = lastSeen[slot];
  const prev = seen.get(f.email);
  // Clients drop stale versions, as the panes do.
  if (!prev) seen.set(f.email, { version: f.version, availability: f.availability });
  else if (f.version >= prev.version) {
    prev.version = f.version;
    prev.availability = f.availability;
  }
  if (!counting) return;
  const sentAt = sentAtOf(f.note);
  if (sentAt === null) return;
  delivered++;
  hist[Math.min(HIST_BUCKETS - 1, Math.max(0, Date.now() - sentAt))]++;
}

async function connectOne(i: number): Promise<void> {
  const slot = i - init.from;
  lastSeen[slot] = new Map();
  const subs = subscriptionsOf(i, init.people, init.subscriptions);
  let url: string;
  if (init.mode === 'product') {
    const token = await mintDevToken(emailOf(i), new TextEncoder().encode(init.secret));
    url = `${init.url.replace(/^http/, 'ws')}/v1/realtime?ticket=${encodeURIComponent(await ticket(token))}`;
  } else url = `${init.url.replace(/^http/, 'ws')}/?id=${i}`;
  const ws = await LeanSocket.connect(url, 120_000);
  sockets[slot] = ws;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`client ${i}: no subscription ack within 120 s`)), 120_000);
    ws.onText = (text) => {
      if (text.startsWith('{"type":"hello"')) {
        ws.send(JSON.stringify({ type: 'presence.subscribe', emails: subs.map(emailOf) }));
        return;
      }
      if (text.startsWith('{"type":"presence.subscribed"')) {
        clearTimeout(timer);
        ws.onText = (t) => onFrame(slot, t);
        resolve();
        return;
      }
      onFrame(slot, text);
    };
    ws.onClose = (code) => {
      clearTimeout(timer);
      if (!closing) send({ type: 'closed', client: i, code });
      reject(new Error(`client ${i}: closed with ${code} before its subscription was acknowledged`));
    };
    if (init.mode === 'floor') ws.send(JSON.stringify({ type: 'presence.subscribe', ids: subs }));
  });
}

async function connectAll(): Promise<void> {
  let next = init.from;
  const worker = async () => {
    while (next < init.to) await connectOne(next++);
  };
  await Promise.all(Array.from({ length: 50 }, worker));
}

process.on('message', (m: { type: string; truth?: Record<string, Seen> }) => {
  void (async () => {
    try {
      if (m.type === 'init') {
        init = m as unknown as Init;
        await connectAll();
        send({ type: 'ready', clients: init.to - init.from, frames });
      } else if (m.type === 'start') {
        hist = new Uint32Array(HIST_BUCKETS);
        delivered = 0;
        counting = true;
        cpuAtStart = process.cpuUsage();
        wallAtStart = Date.now();
        // With BENCH_CPU_PROFILE set, each client process writes its own profile of the change phase too.
        void profiled(`presence-client-${process.pid}`, () => new Promise<void>((r) => (stopProfile = r)));
        send({ type: 'started' });
      } else if (m.type === 'stop') {
        stopProfile();
        const cpu = process.cpuUsage(cpuAtStart);
        const cpuShare = (cpu.user + cpu.system) / 1000 / (Date.now() - wallAtStart);
        // Drain: whatever is still in flight counts (late, with its real latency).
        const until = Date.now() + 60_000;
        while (Date.now() - lastFrameAt < 1000 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
        counting = false;
        send({ type: 'stats', delivered, hist: Array.from(hist), cpuShare });
      } else if (m.type === 'verify') {
        let checked = 0;
        let mismatches = 0;
        const examples: string[] = [];
        for (let i = init.from; i < init.to; i++) {
          for (const p of subscriptionsOf(i, init.people, init.subscriptions)) {
            const email = emailOf(p);
            const want = m.truth![email];
            const got = lastSeen[i - init.from].get(email);
            checked++;
            if (!want || !got || got.version !== want.version || got.availability !== want.availability) {
              mismatches++;
              if (examples.length < 3) examples.push(`${i} sees ${email} ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
            }
          }
        }
        send({ type: 'verified', checked, mismatches, examples });
      } else if (m.type === 'close') {
        closing = true;
        for (const ws of sockets) ws?.terminate();
        agent.destroy();
        send({ type: 'closed-all' });
        setTimeout(() => process.exit(0), 50);
      }
    } catch (err) {
      send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});
