// One benchmark client process: opens its share of co-author sockets, joins, heartbeats every 15 s
// as the panes do, moves twice a second on command, measures fan-out latency of the others' moves, then goes silent or dies
// (without a goodbye) as the parent says. Talks to the parent over IPC.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { profiled } from '../support/cpu-profile.js';
import { LeanSocket } from '../support/lean-ws.js';

interface Assignment {
  readonly token: string;
  readonly docKey: string;
  readonly personId: string;
}
interface Setup {
  readonly type: 'setup';
  /** The product (a ticket, then /v1/realtime) or the bare-ws floor (straight in, saying who it is). */
  readonly mode: 'product' | 'floor';
  readonly url: string;
  readonly assignments: readonly Assignment[];
  readonly moveIntervalMs: number;
}

const MAX_MS = 10_000;
const HEARTBEAT_MS = 15_000;
const histogram = new Uint32Array(MAX_MS + 1);
let sent = 0;
let received = 0;
let measured = 0;
let moving = false;
let silent = false;
let moveIntervalMs = 500;
// The generator's own CPU and event-loop delay while moving: a busy generator reads frames late and
// its lateness would count as fan-out latency, so the parent prints these next to the figures.
const loop = monitorEventLoopDelay({ resolution: 10 });
let cpu0: NodeJS.CpuUsage | undefined;
let movedAt = 0;
let stopProfile = () => {};
const sockets: { ws: LeanSocket; a: Assignment; timer?: NodeJS.Timeout; seen: Map<string, string> }[] = [];

const send = (m: unknown) => process.send!(m);

async function ticket(url: string, token: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${url}/v1/realtime/ticket`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
      if (res.ok) return ((await res.json()) as { ticket: string }).ticket;
      if (attempt > 5) throw new Error(`ticket ${res.status}`);
    } catch (err) {
      if (attempt > 5) throw err;
    }
    await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
  }
}

async function open(mode: Setup['mode'], url: string, a: Assignment): Promise<void> {
  const target =
    mode === 'floor'
      ? `${url.replace(/^http/, 'ws')}/?person=${encodeURIComponent(a.personId)}`
      : `${url.replace(/^http/, 'ws')}/v1/realtime?ticket=${encodeURIComponent(await ticket(url, a.token))}`;
  const ws = await LeanSocket.connect(target);
  const entry = { ws, a, seen: new Map<string, string>() };
  sockets.push(entry);
  ws.onText = (data) => {
    received++;
    if (!moving) return;
    // A whole list (joins) or only the moves of the last fan-out window: both carry positions.
    type Entry = { personId: string; position: { heading: string | null } | null };
    const f = JSON.parse(data) as { type: string; participants?: Entry[]; moved?: Entry[] };
    const entries = f.type === 'doc.participants' ? (f.moved ?? f.participants) : undefined;
    if (!entries) return;
    const now = Date.now();
    for (const p of entries) {
      if (p.personId === a.personId || !p.position?.heading) continue;
      const h = p.position.heading;
      if (entry.seen.get(p.personId) === h) continue;
      entry.seen.set(p.personId, h);
      const at = Number(h.slice(1));
      if (!Number.isFinite(at)) continue;
      histogram[Math.min(MAX_MS, Math.max(0, now - at))]++;
      measured++;
    }
  };
  ws.send(JSON.stringify({ type: 'doc.join', docKey: a.docKey, position: { paragraph: 0, heading: null } }));
  // The pane's heartbeat: the join again every 15 s (spread over the interval).
  const beat = () => {
    if (!silent && ws.open) ws.send(JSON.stringify({ type: 'doc.join', docKey: a.docKey }));
  };
  setTimeout(() => {
    beat();
    setInterval(beat, HEARTBEAT_MS).unref();
  }, Math.random() * HEARTBEAT_MS).unref();
}

function startMoving(intervalMs: number): void {
  moving = true;
  cpu0 = process.cpuUsage();
  movedAt = Date.now();
  loop.enable();
  for (const s of sockets) {
    // Spread the moves over the interval so the load is even, as real people are.
    setTimeout(() => {
      const move = () => {
        if (silent || !s.ws.open) return;
        s.ws.send(JSON.stringify({ type: 'doc.position', position: { paragraph: Math.floor(Math.random() * 500), heading: `t${Date.now()}` } }));
        sent++;
      };
      move();
      s.timer = setInterval(move, intervalMs);
    }, Math.random() * intervalMs);
  }
}

process.on('message', (m: { type: string } & Partial<Setup>) => {
  if (m.type === 'setup') {
    const { mode, url, assignments } = m as Setup;
    moveIntervalMs = (m as Setup).moveIntervalMs;
    void (async () => {
      const queue = [...assignments];
      const workers = Array.from({ length: 32 }, async () => {
        for (let a = queue.shift(); a; a = queue.shift()) await open(mode, url, a);
      });
      try {
        await Promise.all(workers);
        send({ type: 'ready', sockets: sockets.length });
      } catch (err) {
        send({ type: 'failed', error: String(err) });
      }
    })();
  } else if (m.type === 'move') {
    startMoving(moveIntervalMs);
    // With BENCH_CPU_PROFILE set, each generator writes its own profile of the moving phase too.
    void profiled(`documents-client-${process.pid}`, () => new Promise<void>((r) => (stopProfile = r)));
  } else if (m.type === 'reset') {
    // End of the warm-up: what was measured so far does not count.
    histogram.fill(0);
    sent = 0;
    received = 0;
    measured = 0;
    cpu0 = process.cpuUsage();
    movedAt = Date.now();
    loop.reset();
    send({ type: 'reset-done' });
  } else if (m.type === 'stop') {
    stopProfile();
    moving = false;
    for (const s of sockets) clearInterval(s.timer);
    const cpu = process.cpuUsage(cpu0);
    loop.disable();
    send({
      type: 'stats',
      sent,
      received,
      measured,
      histogram: Array.from(histogram),
      cpuShare: (cpu.user + cpu.system) / 1000 / Math.max(1, Date.now() - movedAt),
      loopP99Ms: loop.percentile(99) / 1e6,
    });
  } else if (m.type === 'silence') {
    // A hung Word: sockets stay open (pings are still answered by LeanSocket) but nothing is sent any more.
    silent = true;
    moving = false;
    for (const s of sockets) clearInterval(s.timer);
    send({ type: 'silent' });
  }
});
send({ type: 'hello' });
