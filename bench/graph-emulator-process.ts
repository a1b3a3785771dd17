// Child process of bench/graph.bench.ts: a Graph emulator seeded with N users, so the benchmark
// process measures only the product's memory. Prints its GRAPH_* environment as one JSON line.
import { graphUser, startGraphEmulator } from '../test/support/graph-emulator/index.js';

const count = Number(process.argv[2] ?? 100_000);
const em = await startGraphEmulator();
for (let i = 0; i < count; i++) {
  const n = String(i).padStart(6, '0');
  em.state.users.put(graphUser(`user.${n}`, { managerId: i >= 100 ? graphUser(`user.${String(i % 100).padStart(6, '0')}`).id : undefined }));
}
process.stdout.write(`${JSON.stringify(em.env())}\n`);
process.on('SIGTERM', () => {
  void em.close().then(() => process.exit(0));
});
