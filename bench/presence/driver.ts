// A child process of bench/presence.bench.ts: makes the presence changes (PUT /v1/me/presence as
// random people, at a fixed rate) and runs the POST /v1/presence/query load. Talks over IPC.
import http from 'node:http';
import { mintDevToken } from '../../api/auth/index.js';
import { changeNote, emailOf, HIST_BUCKETS, paced, percentile } from './shared.js';

const AVAILABILITIES = ['Available', 'Busy', 'DoNotDisturb', 'BeRightBack', 'Away'];
/** Changes not sent because this many were still unanswered: the server is saturated (reported). */
const MAX_IN_FLIGHT = 256;
const send = (m: unknown) => process.send?.(m);
// As many connections as changes may be in flight: each change stands for a different user's pane.
const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
let url = '';
let tokens: string[] = [];

function request(method: string, path: string, token: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      `${url}${path}`,
      { method, agent, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** `floor`: the changes go to the HTTP-fed floor server (`PUT /change/<person>`), not the product. */
async function changes(rate: number, seconds: number, people: number, floor = false): Promise<void> {
  const cpu0 = process.cpuUsage();
  let seq = 0;
  let ok = 0;
  let errors = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let shed = 0;
  const hist = new Uint32Array(HIST_BUCKETS);
  const started = Date.now();
  await paced(rate, seconds, () => {
    if (inFlight >= MAX_IN_FLIGHT) {
      shed++;
      return;
    }
    const p = Math.floor(Math.random() * people);
    const sentAt = Date.now();
    const body = { availability: AVAILABILITIES[seq % AVAILABILITIES.length], note: changeNote(sentAt, seq++) };
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    request('PUT', floor ? `/change/${p}` : '/v1/me/presence', tokens[p] ?? '', body).then(
      (r) => {
        inFlight--;
        if (r.status === 200) ok++;
        else errors++;
        hist[Math.min(HIST_BUCKETS - 1, Date.now() - sentAt)]++;
      },
      () => {
        inFlight--;
        errors++;
      },
    );
  });
  const sentFor = (Date.now() - started) / 1000;
  for (const until = Date.now() + 60_000; inFlight > 0 && Date.now() < until;) await new Promise((r) => setTimeout(r, 10));
  const cpu = process.cpuUsage(cpu0);
  const cpuShare = (cpu.user + cpu.system) / 1000 / (Date.now() - started);
  send({
    type: 'changes-done',
    sent: seq,
    shed,
    ok,
    errors,
    seconds: sentFor,
    maxInFlight,
    putP50: percentile(hist, 0.5),
    putP99: percentile(hist, 0.99),
    cpuShare,
  });
}

async function queries(seconds: number, concurrency: number, batch: number, people: number): Promise<void> {
  let done = 0;
  let errors = 0;
  const hist = new Uint32Array(HIST_BUCKETS);
  const end = Date.now() + seconds * 1000;
  const started = Date.now();
  const loop = async (w: number) => {
    let k = w;
    while (Date.now() < end) {
      const emails = Array.from({ length: batch }, (_, i) => (i % 10 === 9 ? `unknown${k}.${i}@nowhere.test` : emailOf((k * 131 + i * 7919) % people)));
      k += concurrency;
      const t = Date.now();
      const r = await request('POST', '/v1/presence/query', tokens[w % tokens.length], { emails }).catch(() => ({ status: 0, body: '' }));
      hist[Math.min(HIST_BUCKETS - 1, Date.now() - t)]++;
      if (r.status === 200) done++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => loop(w)));
  const elapsed = (Date.now() - started) / 1000;
  send({ type: 'queries-done', requests: done, errors, rps: done / elapsed, p50: percentile(hist, 0.5), p99: percentile(hist, 0.99) });
}

process.on(
  'message',
  (m: {
    type: string;
    url?: string;
    secret?: string;
    people?: number;
    rate?: number;
    seconds?: number;
    concurrency?: number;
    batch?: number;
    floor?: boolean;
  }) => {
    void (async () => {
      try {
        if (m.type === 'init') {
          url = m.url!;
          if (!m.secret) {
            send({ type: 'ready' });
            return;
          }
          const secret = new TextEncoder().encode(m.secret!);
          tokens = await Promise.all(Array.from({ length: m.people! }, (_, i) => mintDevToken(emailOf(i), secret)));
          send({ type: 'ready' });
        } else if (m.type === 'changes') await changes(m.rate!, m.seconds!, m.people!, m.floor);
        else if (m.type === 'queries') await queries(m.seconds!, m.concurrency!, m.batch!, m.people!);
        else if (m.type === 'close') {
          agent.destroy();
          process.exit(0);
        }
      } catch (err) {
        send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    })();
  },
);
