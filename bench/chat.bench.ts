// Chat end to end: 1,000 connected users in 500 one-to-one conversations for 30 s.
// Send → delivery latency is measured at the other member's socket. Runs on SQLite (one
// process) and on PostgreSQL + Redis (two processes, every pair split across them).
// Environment: CHAT_BENCH_SECONDS (30), CHAT_BENCH_RATE (offered msg/s, 2500), CHAT_BENCH_USERS (1000),
// CHAT_BENCH_ONLY=sqlite|postgres, CHAT_BENCH_PG_PROCESSES (2).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { person } from '../test/support/entries.js';
import { createTempDatabase, REDIS_TEST_URL, redisTestPrefix } from '../test/support/postgres.js';
import { cleanRedisPrefix } from '../test/support/redis.js';
import { prepareStore, spawnServer, type ServerProcess } from '../test/chat/support/chat-cluster.js';
import { runChatLoad, type LoadResult } from './chat/load.js';

const SECONDS = Number(process.env.CHAT_BENCH_SECONDS ?? 30);
const RATE = Number(process.env.CHAT_BENCH_RATE ?? 2500);
const USERS = Number(process.env.CHAT_BENCH_USERS ?? 1000);
const ONLY = process.env.CHAT_BENCH_ONLY;
const PG_PROCESSES = Number(process.env.CHAT_BENCH_PG_PROCESSES ?? 2);
const TARGET_RATE = 2000;
const TARGET_P99 = 100;

const email = (i: number) => `bench.user${i}@contoso.test`;
const entries = Array.from({ length: USERS }, (_, i) => person(`bench.user${i}`));

function report(name: string, r: LoadResult, targets: boolean): boolean {
  const rate = r.delivered / r.seconds;
  const ok = r.lost === 0 && r.duplicated === 0 && (!targets || (rate >= TARGET_RATE && r.p99 <= TARGET_P99));
  console.log(
    [
      `${name}: ${USERS} users, ${USERS / 2} conversations, ${r.seconds.toFixed(1)} s, offered ${RATE} msg/s`,
      `  messages/s delivered  ${rate.toFixed(0).padStart(8)}${targets ? `   (target >= ${TARGET_RATE})` : ''}`,
      `  latency p50           ${r.p50.toFixed(1).padStart(8)} ms`,
      `  latency p99           ${r.p99.toFixed(1).padStart(8)} ms${targets ? `   (target <= ${TARGET_P99} ms)` : ''}`,
      `  latency max           ${r.max.toFixed(1).padStart(8)} ms`,
      `  server CPU/message    ${r.serverCpuMsPerMessage.toFixed(3).padStart(8)} ms   (machine load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`,
      `  driver CPU/message    ${r.driverCpuMsPerMessage.toFixed(3).padStart(8)} ms   (the load generator, same machine)`,
      `  sent/acked/rejected   ${r.sent}/${r.acked}/${r.rejected}`,
      `  lost                  ${String(r.lost).padStart(8)}   (target 0)`,
      `  duplicated            ${String(r.duplicated).padStart(8)}   (target 0)`,
      `  ${ok ? 'OK' : 'MISSED TARGET'}`,
    ].join('\n'),
  );
  return ok;
}

// Production defaults except the per-user send limit, which the offered load must not trip.
const tuning = JSON.stringify({ 'chat.sendPerSecond': 50, 'chat.sendBurst': 100 });

async function sqlite(): Promise<boolean> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-bench-'));
  const db = path.join(dir, 'bench.sqlite');
  let server: ServerProcess | undefined;
  try {
    await prepareStore(db, entries);
    server = await spawnServer({ DATABASE_URL: db, CHAT_TEST_TUNING: tuning });
    const r = await runChatLoad({ urls: [server.url], users: USERS, seconds: SECONDS, rate: RATE, email, pids: [server.child.pid!] });
    return report('SQLite, one process', r, true);
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(): Promise<boolean> {
  const temp = await createTempDatabase('chatbench');
  const prefix = redisTestPrefix('chatbench');
  const servers: ServerProcess[] = [];
  try {
    await prepareStore(temp.url, entries);
    const env = { DATABASE_URL: temp.url, REDIS_URL: REDIS_TEST_URL, REDIS_KEY_PREFIX: prefix, CHAT_TEST_TUNING: tuning };
    for (let i = 0; i < PG_PROCESSES; i++) servers.push(await spawnServer(env));
    const r = await runChatLoad({ urls: servers.map((s) => s.url), users: USERS, seconds: SECONDS, rate: RATE, email, pids: servers.map((s) => s.child.pid!) });
    return report(`PostgreSQL + Redis, ${PG_PROCESSES} process(es)${PG_PROCESSES > 1 ? ' (every pair split across them)' : ''}`, r, false);
  } finally {
    for (const s of servers) await s.stop();
    await temp.drop();
    await cleanRedisPrefix(prefix);
  }
}

let ok = true;
if (!ONLY || ONLY === 'sqlite') ok = (await sqlite()) && ok;
if (!ONLY || ONLY === 'postgres') ok = (await postgres()) && ok;
process.exit(ok ? 0 : 1);
