// Users delta of 100,000 users in pages of 999 from the Graph emulator (HTTPS, a child process)
// into SQLite through the real graph source and sync engine. Targets: < 20 s and < 400 MB RSS.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../core/config/index.js';
import { openStore, runMigrations } from '../core/store/index.js';
import { directoryMigrations } from '../directory-sync/directory/index.js';
import { runSync, syncMigrations } from '../directory-sync/index.js';
import { createGraphSourceFromConfig } from '../directory-sync/sources/graph/index.js';

const USERS = Number(process.env.GRAPH_BENCH_USERS ?? 100_000);
const TARGET_S = 20;
const TARGET_MB = 400;
const here = path.dirname(fileURLToPath(import.meta.url));

const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'graph-emulator-process.ts'), String(USERS)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const env = await new Promise<Record<string, string>>((resolve, reject) => {
  createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l) as Record<string, string>));
  child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
});

const dir = mkdtempSync(path.join(tmpdir(), 'graph-bench-'));
try {
  const store = await openStore({ kind: 'sqlite', file: path.join(dir, 'bench.sqlite') });
  await runMigrations(store, [...directoryMigrations, ...syncMigrations]);
  const config = loadConfig({ ...env, AUTH_MODE: 'dev', LOG_LEVEL: 'silent' }, { dotEnvFile: false });
  const source = createGraphSourceFromConfig(config)!;
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const t0 = performance.now();
  const report = await runSync(source, { store, limits: { graceSeconds: 0 } });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  await source.close();
  await store.close();
  const mb = peak / 1024 / 1024;
  const ok = report.status === 'ok' && report.added === USERS;
  console.log(`graph users delta: ${USERS} users in pages of 999, status ${report.status}, added ${report.added}`);
  console.log(`  time      ${seconds.toFixed(2)} s   (target < ${TARGET_S} s)  ${seconds < TARGET_S ? 'OK' : 'MISSED'}`);
  console.log(`  users/s   ${Math.round(USERS / seconds)}   (target > ${Math.round(USERS / TARGET_S)})`);
  console.log(`  peak RSS  ${mb.toFixed(0)} MB   (target < ${TARGET_MB} MB)  ${mb < TARGET_MB ? 'OK' : 'MISSED'}`);
  if (!ok) process.exitCode = 1;
} finally {
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
