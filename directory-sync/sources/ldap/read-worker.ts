// Runs one LdapSource pass in a worker thread and streams it to the parent page by page, packed
// (see batch-wire), at most `ahead` unacknowledged pages ahead (so memory stays at a few pages,
// however big the directory). Each page is packed as soon as it is mapped: its entries die young
// here instead of surviving collections while a big batch fills up.
import { parentPort, workerData } from 'node:worker_threads';
import type { SourceBatch } from '../source.js';
import { LdapError, createLdapConnection } from '../ldap-common/index.js';
import { packBatch } from './batch-wire.js';
import { LdapSource } from './ldap-source.js';
import type { WorkerMessage, WorkerPost, WorkerRequest, WorkerSpec } from './threaded-read.js';

const port = parentPort!;
const spec = workerData as WorkerSpec;
const abort = new AbortController();
let credits = 0;
let wake: (() => void) | undefined;
// The thread is started before its pass is known (its modules load meanwhile): the pass starts
// with the first message, then the parent acknowledges pages or aborts.
port.on('message', (m: WorkerRequest | 'ack' | 'abort') => {
  if (m === 'abort') abort.abort(new Error('aborted'));
  else if (m === 'ack') credits++;
  else {
    credits = m.ahead;
    main(spec, m).catch(fail);
  }
  wake?.();
});

const send = (m: WorkerMessage) => port.postMessage(m);
port.postMessage({ t: 'loaded' } satisfies WorkerPost);

async function main(s: WorkerSpec, { full, watermark }: WorkerRequest) {
  const source = new LdapSource({ ...s, connection: createLdapConnection(s.connectionOptions), threaded: false, batchSize: 1 });
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
      const { message, transfer } = packBatch(next.value as SourceBatch);
      port.postMessage({ t: 'batch', batch: message } satisfies WorkerMessage, transfer);
    }
  } finally {
    await source.close();
  }
}

function fail(err: unknown) {
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
}
