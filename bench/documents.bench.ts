// Co-authoring sessions under load: 2,000 open documents x 5 co-authors (10,000 sockets over
// loopback, clients spread over child processes), every co-author moving twice a second for 30 s.
// Prints position updates/s, p50/p99 fan-out latency (move sent -> co-author received), RSS of
// the API process over the run, and ghost sessions after every client vanished without a goodbye.
//
//   npm run bench -- documents
//   DOCS=200 SECONDS=10 npm run bench -- documents     (a quick run; WARMUP_SECONDS=5 of moves before measuring)
//   BENCH_REDIS_URL=redis://127.0.0.1:6379 npm run bench -- documents   (sessions in Redis, as with REDIS_URL)
//   CLIENT_PROCESSES=2 FANOUT_MS=150 npm run bench -- documents      (other generator split / fan-out window)
//   REALTIME_SOCKETS=process npm run bench -- documents  (sockets in a socket process beside the API)
//   BENCH_HEAP_PROFILE=/tmp/docs npm run bench -- documents  (what the run promoted to the old generation and a full GC then freed)
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { constants as perf, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { loadavg, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { DocumentsFeature } from '../api/documents/index.js';
import { documentUrlKeys } from '../api/documents/index.js';
import { person } from '../test/support/entries.js';
import { cleanRedisPrefix } from '../test/support/redis.js';
import { startTestServer } from '../test/support/test-server.js';
import { profiled } from './support/cpu-profile.js';
import { heapProfiled } from './support/heap-profile.js';
import { describeSched, mainThreadSched } from './support/sched.js';

const DOCS = Number(process.env.DOCS ?? 2000);
const COAUTHORS = 5;
const SECONDS = Number(process.env.SECONDS ?? 30);
const MOVE_INTERVAL_MS = 500;
const TTL_SECONDS = Number(process.env.DOC_SESSION_TTL_SECONDS ?? 30);
const CHILDREN = Number(process.env.CLIENT_PROCESSES ?? 4);
const PEOPLE = Math.max(COAUTHORS, Math.min(DOCS, 2000));
const TARGET_P99_MS = 200;
/** Moves before measuring: sockets, buffers and the JIT warm up, and the baseline memory sample's full GC stays out of the figures. */
const WARMUP_MS = Number(process.env.WARMUP_SECONDS ?? 5) * 1000;
const TARGET_RSS_GROWTH = 0.1;

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (...a: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const mb = (b: number) => Math.round(b / 1024 / 1024);

function percentile(hist: number[], total: number, p: number): number {
  let acc = 0;
  const want = Math.ceil(total * p);
  for (let ms = 0; ms < hist.length; ms++) {
    acc += hist[ms];
    if (acc >= want) return ms;
  }
  return hist.length - 1;
}

function waitFor<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`client did not answer ${type} within ${timeoutMs} ms`)), timeoutMs);
    const on = (m: { type: string; error?: string }) => {
      if (m.type === 'failed') {
        clearTimeout(timer);
        child.off('message', on);
        reject(new Error(m.error));
      } else if (m.type === type) {
        clearTimeout(timer);
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
  });
}

interface GeneratorStats {
  sent: number;
  received: number;
  measured: number;
  histogram: number[];
  cpuShare: number;
  loopP99Ms: number;
}

/** Forks the load generators. */
async function generators(): Promise<ChildProcess[]> {
  const children: ChildProcess[] = [];
  for (let c = 0; c < CHILDREN; c++) {
    const child = fork(path.join(here, 'documents/client.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    // As in the presence benchmark, the load generators yield the CPU to the server under test
    // (their own lateness still counts: they stamp and read the moves).
    if (child.pid) setPriority(child.pid, 5);
    children.push(child);
    await waitFor(child, 'hello', 30_000);
  }
  return children;
}

type Assignments = { token: string; docKey: string; personId: string }[];

async function connect(children: ChildProcess[], mode: 'product' | 'floor', url: string, assignments: Assignments): Promise<void> {
  await Promise.all(
    children.map((child, c) => {
      child.send({ type: 'setup', mode, url, assignments: assignments.filter((_, i) => i % CHILDREN === c), moveIntervalMs: MOVE_INTERVAL_MS });
      return waitFor(child, 'ready', 300_000);
    }),
  );
}

/** Starts the moves, lets them warm up, runs `atWarm` (outside the measurement), then starts measuring afresh. */
async function startMoving(children: ChildProcess[], atWarm: () => unknown): Promise<void> {
  for (const child of children) child.send({ type: 'move' });
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  await atWarm();
  await Promise.all(children.map((child) => (child.send({ type: 'reset' }), waitFor(child, 'reset-done', 10_000))));
}

/** Stops the moves and merges what the generators measured. */
async function stopMoving(children: ChildProcess[]) {
  const stats = await Promise.all(
    children.map((child) => {
      child.send({ type: 'stop' });
      return waitFor<GeneratorStats>(child, 'stats', 120_000);
    }),
  );
  const hist = new Array<number>(stats[0].histogram.length).fill(0);
  let measured = 0;
  let sent = 0;
  for (const s of stats) {
    s.histogram.forEach((n, i) => (hist[i] += n));
    measured += s.measured;
    sent += s.sent;
  }
  return { stats, measured, sent, p50: percentile(hist, measured, 0.5), p99: percentile(hist, measured, 0.99) };
}

const generatorLine = (stats: GeneratorStats[]) =>
  `${stats.length} processes, CPU ${stats.map((s) => `${(s.cpuShare * 100).toFixed(0)} %`).join(' ')} of one core; event-loop delay p99 ${stats.map((s) => `${s.loopP99Ms.toFixed(0)}`).join(' ')} ms`;

/**
 * The floor: the same generators against a bare ws server doing the same fan-out (one process,
 * nothing else). Its figures show what this machine allows at this load.
 */
async function runFloor(assignments: Assignments): Promise<void> {
  const floor = fork(path.join(here, 'documents/floor-server.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const children: ChildProcess[] = [];
  try {
    const { url } = await waitFor<{ url: string }>(floor, 'listening', 30_000);
    children.push(...(await generators()));
    await connect(children, 'floor', url, assignments);
    await new Promise((r) => setTimeout(r, 2000));
    await startMoving(children, () => floor.send({ type: 'run' }));
    await waitFor(floor, 'running', 10_000);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    floor.send({ type: 'stop' });
    const server = await waitFor<{ movesPerSecond: number; framesPerSecond: number; cpuShare: number; sched: string }>(floor, 'floor-stats', 30_000);
    const { stats, p50, p99, measured } = await stopMoving(children);
    console.log(`\nfloor (bare ws server, same generators, same ${process.env.FANOUT_MS ?? 100} ms windows)`);
    console.log(`  moves received                   ${Math.round(server.movesPerSecond)}/s`);
    console.log(`  frames pushed                    ${Math.round(server.framesPerSecond)}/s`);
    console.log(`  fan-out latency (${measured} moves seen)`);
    console.log(`    p50 / p99                      ${p50} / ${p99} ms`);
    console.log(`  floor server CPU                 ${(server.cpuShare * 100).toFixed(0)} % of one core${server.sched ? `; ${server.sched}` : ''}`);
    console.log(`  load generators                  ${generatorLine(stats)}`);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    floor.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  log(
    `documents benchmark: ${DOCS} documents x ${COAUTHORS} co-authors = ${DOCS * COAUTHORS} sockets, ${CHILDREN} client processes, moves every ${MOVE_INTERVAL_MS} ms for ${SECONDS} s, TTL ${TTL_SECONDS} s`,
  );
  const redisPrefix = `opbench:docs:${process.pid}:`;
  const redis: Record<string, string> = process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL, REDIS_KEY_PREFIX: redisPrefix } : {};
  const server = await startTestServer({
    env: { DOC_SESSION_TTL_SECONDS: String(TTL_SECONDS), REALTIME_SOCKETS: process.env.REALTIME_SOCKETS ?? 'inline', ...redis },
    // The benchmark's people each hold up to five sockets; the frame limit stays the product's.
    gatewayLimits: { connectionsPerUser: 50 },
    // FANOUT_MS tries another fan-out window (the product's default otherwise).
    tuning: process.env.FANOUT_MS ? { docFanoutMs: Number(process.env.FANOUT_MS) } : {},
  });
  const children: ChildProcess[] = [];
  let closed = false;
  const closeServer = async () => {
    if (!closed) await server.close();
    closed = true;
  };
  try {
    const people = Array.from({ length: PEOPLE }, (_, i) => person(`bench.user${i}`));
    await server.seed(people);
    const ids = new Map<string, string>();
    const rows = (await server.deps.store.db.selectFrom('people').select(['id', 'primary_email']).execute()) as { id: string; primary_email: string }[];
    for (const r of rows) ids.set(r.primary_email, r.id);
    const tokens = await Promise.all(people.map((p) => server.token(p.primaryEmail!)));
    const documents = server.features.find((f) => f.name === 'documents') as DocumentsFeature;
    const docKeys: string[] = [];
    for (let d = 0; d < DOCS; d++)
      docKeys.push(
        (await documents.registry.resolve({ urlKeys: documentUrlKeys(`https://contoso.sharepoint.com/sites/bench/Shared%20Documents/Doc-${d}.docx`) })).docKey,
      );
    log(`seeded ${PEOPLE} people and ${DOCS} documents`);

    // Co-authors of one document are distinct people; each person is in several documents.
    const assignments: Assignments = [];
    for (let d = 0; d < DOCS; d++)
      for (let s = 0; s < COAUTHORS; s++) {
        const p = (d * COAUTHORS + s) % PEOPLE;
        assignments.push({ token: tokens[p], docKey: docKeys[d], personId: ids.get(people[p].primaryEmail!)! });
      }
    children.push(...(await generators()));
    const t0 = Date.now();
    await connect(children, 'product', server.url, assignments);
    log(
      `${server.deps.gateway.connectionCount} sockets connected and joined in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${documents.sessions.localSessions} sessions`,
    );
    await new Promise((r) => setTimeout(r, 2000));

    const rss: number[] = [];
    const rssAt: number[] = [];
    const heap: number[] = [];
    const buffers: number[] = [];
    const external: number[] = [];
    const heapCommitted: number[] = [];
    // The sockets live in the socket process by default: its RSS counts too.
    const socketRss: number[] = [];
    const host = server.deps.gateway.host;
    // A forced full GC stops this process for a while, so it runs only outside the measured moves.
    const sample = async (collect = false) => {
      rssAt.push(Date.now());
      if (collect) (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      heap.push(m.heapUsed);
      heapCommitted.push(m.heapTotal);
      buffers.push(m.arrayBuffers);
      external.push(m.external);
      const sockets = (await host.usage({ gc: collect }))?.rss ?? 0;
      socketRss.push(sockets);
      rss.push(m.rss + sockets);
    };
    await startMoving(children, () => sample(true));
    const socketCpu0 = (await host.usage())?.cpu;
    const updates0 = documents.sessions.positionUpdates;
    const pushes0 = documents.sessions.pushes;
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    // Full (mark-compact) collections during the run: they are what frees native memory held by dead objects.
    let majorGcs = 0;
    const gcs = new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === perf.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
    });
    gcs.observe({ entryTypes: ['gc'] });
    const cpu0 = process.cpuUsage();
    const sched0 = mainThreadSched();
    const load0 = loadavg()[0];
    const started = Date.now();
    const sampler = setInterval(() => void sample(), 3000);
    await profiled('documents-run', () => heapProfiled('documents-run', () => new Promise((r) => setTimeout(r, SECONDS * 1000))));
    clearInterval(sampler);
    await sample();
    const elapsed = (Date.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const socketCpu1 = (await host.usage())?.cpu;
    const socketCpuShare = socketCpu0 && socketCpu1 ? (socketCpu1.user + socketCpu1.system - socketCpu0.user - socketCpu0.system) / 1e6 / elapsed : NaN;
    gcs.disconnect();
    const sched = describeSched(sched0, mainThreadSched());
    loop.disable();
    const load1 = loadavg()[0];
    const updates = documents.sessions.positionUpdates - updates0;
    const pushes = documents.sessions.pushes - pushes0;
    const { stats, p50, p99, measured, sent } = await stopMoving(children);
    // The moves have stopped (the sockets and sessions are all still there): collect, then compare
    // with the collected sample taken at the end of the warm-up.
    await sample(true);
    const rssStart = rss[0];
    const rssEnd = rss[rss.length - 1];

    // Everyone vanishes without a goodbye: half the clients hang (sockets open, nothing sent), half are killed.
    const half = Math.ceil(children.length / 2);
    await Promise.all(children.slice(0, half).map((child) => (child.send({ type: 'silence' }), waitFor(child, 'silent', 10_000))));
    for (const child of children.slice(half)) child.kill('SIGKILL');
    const vanishedAt = Date.now();
    const ghostsAt = async () => {
      let n = 0;
      for (const k of docKeys) n += (await documents.sessions.participants(k)).length;
      return n;
    };
    await new Promise((r) => setTimeout(r, 1000));
    const ghostsSoon = await ghostsAt();
    await new Promise((r) => setTimeout(r, Math.max(0, TTL_SECONDS * 1000 + 6000 - (Date.now() - vanishedAt))));
    const ghosts = await ghostsAt();
    const waited = ((Date.now() - vanishedAt) / 1000).toFixed(0);

    const growth = (rssEnd - rssStart) / rssStart;
    console.log('\nresults');
    console.log(`  sockets                          ${DOCS * COAUTHORS} (${DOCS} documents x ${COAUTHORS})`);
    console.log(`  moves sent by clients            ${Math.round(sent / elapsed)}/s`);
    console.log(`  position updates applied         ${Math.round(updates / elapsed)}/s`);
    console.log(`  doc.participants frames pushed   ${Math.round(pushes / elapsed)}/s (a frame carries every move of its document's fan-out window)`);
    console.log(`  fan-out latency (${measured} moves seen by co-authors)`);
    console.log(`    p50                            ${p50} ms`);
    console.log(`    p99                            ${p99} ms   (target <= ${TARGET_P99_MS} ms: ${p99 <= TARGET_P99_MS ? 'met' : 'MISSED'})`);
    console.log(
      `  API process CPU                  ${(((cpu.user + cpu.system) / 1e6 / elapsed) * 100).toFixed(0)} % of one core${Number.isNaN(socketCpuShare) ? '' : `, socket process ${(socketCpuShare * 100).toFixed(0)} %`}; event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms${sched ? `; ${sched}` : ''}`,
    );
    console.log(
      `  API CPU per applied move         ${((cpu.user + cpu.system) / Math.max(1, updates)).toFixed(1)} µs, its fan-out included (${(pushes / Math.max(1, updates)).toFixed(2)} frames out per move)`,
    );
    console.log(`  load generators                  ${generatorLine(stats)}`);
    console.log(`  machine load average             ${load0.toFixed(1)} -> ${load1.toFixed(1)} (2 cores shared with other work: latency figures include that)`);
    console.log(
      `  RSS of the API + socket processes (MB@s from the end of the warm-up; first and last after a full GC) ${rss.map((b, i) => `${mb(b)}@${Math.round((rssAt[i] - started) / 1000)}`).join(' ')}`,
    );
    const growthText = `${(growth * 100).toFixed(1)} % (${mb(rssStart)} -> ${mb(rssEnd)} MB, each after a full GC)`;
    console.log(
      `    growth over the run            ${growthText}   (target: flat, < ${TARGET_RSS_GROWTH * 100} %: ${growth < TARGET_RSS_GROWTH ? 'met' : 'MISSED'})`,
    );
    console.log(`    JS heap in use after GC        ${mb(heap[0])} MB after the warm-up -> ${mb(heap[heap.length - 1])} MB at the end`);
    console.log(
      `    JS heap committed (heapTotal)  ${mb(heapCommitted[0])} MB after the warm-up -> ${mb(heapCommitted[heapCommitted.length - 1])} MB at the end`,
    );
    console.log(`    Buffers (ArrayBuffers)         ${mb(buffers[0])} MB after the warm-up -> ${mb(buffers[buffers.length - 1])} MB at the end`);
    console.log(`    JS heap / external / ArrayBuffers at each sample (MB) ${heap.map((h, i) => `${mb(h)}/${mb(external[i])}/${mb(buffers[i])}`).join(' ')}`);
    console.log(`    full GCs during the run        ${majorGcs} (API process)`);
    if (socketRss[0])
      console.log(`    socket process RSS             ${mb(socketRss[0])} MB after the warm-up -> ${mb(socketRss[socketRss.length - 1])} MB at the end`);
    console.log(`  ghost sessions 1 s after vanish  ${ghostsSoon}   (hung clients still within the TTL)`);
    console.log(`  ghost sessions ${waited} s after vanish ${ghosts}   (target 0 after the ${TTL_SECONDS} s TTL: ${ghosts === 0 ? 'met' : 'MISSED'})`);
    process.exitCode = p99 <= TARGET_P99_MS && ghosts === 0 && growth < TARGET_RSS_GROWTH ? 0 : 1;
    for (const child of children) child.kill('SIGKILL');
    await closeServer();
    // (BENCH_SKIP_FLOOR=1 skips it while iterating on the product.)
    if (process.env.BENCH_SKIP_FLOOR !== '1') await runFloor(assignments);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await closeServer();
    if (process.env.BENCH_REDIS_URL) await cleanRedisPrefix(redisPrefix);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
