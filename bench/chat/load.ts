import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { clusterToken } from '../../test/chat/support/chat-cluster.js';

export interface LoadOptions {
  /** One URL per server process; user i connects to urls[i % urls.length] (pairs straddle processes). */
  readonly urls: readonly string[];
  readonly users: number;
  readonly seconds: number;
  /** Offered load, messages per second across all users (open loop). */
  readonly rate: number;
  readonly email: (i: number) => string;
  /** Server process ids, to report their CPU time per message. */
  readonly pids?: readonly number[];
}

/** user+system CPU seconds of a process so far (Linux /proc). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

export interface LoadResult {
  readonly sent: number;
  readonly acked: number;
  readonly rejected: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Server CPU milliseconds per delivered message (all server processes). */
  readonly serverCpuMsPerMessage: number;
  /** The load driver's own CPU per message (it shares the machine with the server). */
  readonly driverCpuMsPerMessage: number;
}

interface User {
  ws: WebSocket;
  conversationId: string;
  partner: number;
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * 1 user ↔ 1 partner conversations; each tick (10 ms) sends rate/100 messages from users in
 * turn and measures send → `chat.message` at the partner's socket. Every acknowledged message
 * must reach the partner exactly once.
 */
export async function runChatLoad(o: LoadOptions): Promise<LoadResult> {
  const tokens = await Promise.all(Array.from({ length: o.users }, (_, i) => clusterToken(o.email(i))));
  const base = (i: number) => o.urls[i % o.urls.length];
  const api = (i: number, method: string, p: string, body?: unknown) =>
    fetch(base(i) + p, {
      method,
      headers: { Authorization: `Bearer ${tokens[i]}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const conversations: string[] = [];
  for (let i = 0; i < o.users; i += 2) {
    const c = await json<{ id: string }>(await api(i, 'POST', '/v1/conversations', { participants: [o.email(i + 1)] }));
    conversations[i] = conversations[i + 1] = c.id;
  }

  const sentAt = new Map<string, number>();
  const deliveries = new Map<string, number>();
  const acked = new Set<string>();
  let rejected = 0;
  const latencies: number[] = [];
  let measuring = true;

  const users: User[] = [];
  const batch = 50;
  for (let i = 0; i < o.users; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, o.users - i) }, async (_, k) => {
        const idx = i + k;
        const { ticket } = await json<{ ticket: string }>(await api(idx, 'POST', '/v1/realtime/ticket'));
        const ws = new WebSocket(`${base(idx).replace(/^http/, 'ws')}/v1/realtime?ticket=${encodeURIComponent(ticket)}`, { perMessageDeflate: false });
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        });
        ws.on('message', (data) => {
          const f = JSON.parse(String(data)) as {
            type: string;
            ok?: boolean;
            clientMessageId?: string;
            message?: { clientMessageId: string; senderId: string };
          };
          if (f.type === 'chat.message' && f.message) {
            const id = f.message.clientMessageId;
            const at = sentAt.get(id);
            // Only the partner's deliveries count (the sender's own other panes would also get it).
            if (at === undefined || !id.startsWith(`u${users[idx].partner}-`)) return;
            deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
            if (measuring && deliveries.get(id) === 1) latencies.push(performance.now() - at);
          } else if (f.type === 'chat.ack' && f.clientMessageId) {
            if (f.ok) acked.add(f.clientMessageId);
            else rejected++;
          }
        });
        users[idx] = { ws, conversationId: conversations[idx], partner: idx % 2 === 0 ? idx + 1 : idx - 1 };
      }),
    );
  }

  const perTick = o.rate / 100;
  let credit = 0;
  let next = 0;
  let sent = 0;
  const cpu0 = (o.pids ?? []).map(cpuSeconds);
  const driver0 = process.cpuUsage();
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (performance.now() - started >= o.seconds * 1000) {
        clearInterval(timer);
        resolve();
        return;
      }
      credit += perTick;
      for (; credit >= 1; credit--) {
        const u = next;
        next = (next + 1) % o.users;
        const id = `u${u}-${sent++}`;
        sentAt.set(id, performance.now());
        users[u].ws.send(
          JSON.stringify({ type: 'chat.send', conversationId: users[u].conversationId, clientMessageId: id, text: `message ${id} from the chat benchmark` }),
        );
      }
    }, 10);
  });
  const elapsed = (performance.now() - started) / 1000;
  const cpu = (o.pids ?? []).reduce((sum, pid, i) => sum + cpuSeconds(pid) - cpu0[i], 0);
  const driver = process.cpuUsage(driver0);
  const deliveredInWindow = deliveries.size;
  // Let in-flight messages land before counting losses.
  const drainUntil = Date.now() + 10_000;
  while (Date.now() < drainUntil && [...acked].some((id) => !deliveries.has(id))) await new Promise((r) => setTimeout(r, 100));
  measuring = false;
  for (const u of users) u.ws.close();

  let lost = 0;
  let duplicated = 0;
  for (const id of acked) if (!deliveries.has(id)) lost++;
  for (const n of deliveries.values()) if (n > 1) duplicated += n - 1;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : NaN);
  return {
    sent,
    acked: acked.size,
    rejected,
    delivered: deliveries.size,
    lost,
    duplicated,
    seconds: elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
    max: latencies[latencies.length - 1] ?? NaN,
    serverCpuMsPerMessage: (cpu * 1000) / Math.max(1, deliveredInWindow),
    driverCpuMsPerMessage: (driver.user + driver.system) / 1000 / Math.max(1, deliveredInWindow),
  };
}
