// `npm run bench`: runs every benchmark in bench/ one after another (never in parallel: they
// would measure each other). `npm run bench -- presence` runs the ones whose name contains "presence".
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !filter || f.includes(filter))
  .sort();
let failed = 0;
for (const b of benches) {
  console.log(`\n=== ${b} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', path.join(dir, b)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
// A benchmark exits non-zero when it misses a target of its issue, or fails outright (its output says which).
console.log(`\n${benches.length} benchmarks ran; ${failed} missed a target or failed (see above)`);
process.exit(failed ? 1 : 0);
