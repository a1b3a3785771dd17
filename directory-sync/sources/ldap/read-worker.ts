// Runs one LdapSource pass in a worker thread and streams its batches to the parent, at most
// two unacknowledged batches ahead (so memory stays at a few pages, however big the directory).
import { parentPort, workerData } from 'node:worker_threads';
import type { SourceBatch } from '../source.js';
import { LdapError, createLdapConnection } from '../ldap-common/index.js';
import { LdapSource } from './ldap-source.js';
import type { WorkerMessage, WorkerRequest, WorkerSpec } from './threaded-read.js';

const port = parentPort!;
const { spec, full, watermark } = workerData as WorkerRequest;
const abort = new AbortController();
let credits = 2;
let wake: (() => void) | undefined;
port.on('message', (m: 'ack' | 'abort') => {
  if (m === 'abort') abort.abort(new Error('aborted'));
  else credits++;
  wake?.();
});

const send = (m: WorkerMessage) => port.postMessage(m);

async function main(s: WorkerSpec) {
  const source = new LdapSource({ ...s, connection: createLdapConnection(s.connectionOptions), threaded: false });
  try {
    const gen = source.read({ full, watermark, signal: abort.signal });
    for (;;) {
      const next = await gen.next();
      if (next.done) {
        send({ t: 'done', summary: next.value });
        return;
      }
      while (credits <= 0 && !abort.signal.aborted) await new Promise<void>((r) => (wake = r));
      credits--;
      send({ t: 'batch', batch: next.value as SourceBatch });
    }
  } finally {
    await source.close();
  }
}

main(spec).catch((err: unknown) => {
  const e = err as Error & { kind?: string; code?: unknown };
  send({
    t: 'error',
    error: {
      name: e?.name ?? 'Error',
      message: e?.message ?? String(err),
      kind: err instanceof LdapError ? err.kind : undefined,
      code: typeof e?.code === 'number' ? e.code : undefined,
    },
  });
});
