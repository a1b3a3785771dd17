import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { ReadOptions, ReadSummary, SourceBatch, Watermark } from '../source.js';
import {
  LdapConnectionError,
  LdapCredentialsError,
  LdapError,
  LdapOperationError,
  LdapTimeoutError,
  LdapTlsError,
  type LdapConnectionOptions,
  type LdapErrorKind,
} from '../ldap-common/index.js';
import type { AttributeMap } from './attribute-map.js';
import { unpackBatches, type WireBatch } from './batch-wire.js';

/**
 * The reader thread's heap. It holds a few pages and the group index (tens of MB for 100k
 * memberships): a bounded old generation keeps the process's peak RSS from growing with a second
 * heap. V8 sizes the young generation from the old one (a few MB here), too small for a page in
 * flight: every page would be promoted and swept again, so it is set as for a main thread.
 */
export const READER_RESOURCE_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 64 } as const;

/**
 * V8's allocation-site pretenuring, off while a reader thread runs. While the reader maps one page,
 * ldapts parses the next: its objects then survive a scavenge often enough that V8 starts
 * allocating them straight in the old generation, where they die a few milliseconds later; the
 * old generation then fills with garbage and is marked and compacted every half second (about 40
 * full collections for 100,000 entries instead of a few). The flag is process-wide (V8 has no
 * per-isolate switch); pretenuring is only an optimization, so the rest of the process loses
 * nothing but that while a pass runs, and it comes back when the last reader thread ends.
 */
let readersRunning = 0;
function readerStarted(): void {
  if (readersRunning++ === 0) setFlagsFromString('--no-allocation-site-pretenuring');
}
function readerEnded(): void {
  if (--readersRunning === 0) setFlagsFromString('--allocation-site-pretenuring');
}

/** What the worker needs to rebuild the source: plain data only (structured clone). */
export interface WorkerSpec {
  readonly connectionOptions: LdapConnectionOptions;
  readonly baseDn: string;
  readonly filter?: string;
  readonly map: AttributeMap;
  readonly name?: string;
  readonly overlapSeconds?: number;
  readonly pageSize?: number;
  /** Entries per batch handed to the engine (gathered from the worker's pages). */
  readonly batchSize: number;
}

/** The pass the thread is to read, its first message. */
export interface WorkerRequest {
  readonly full: boolean;
  readonly watermark: Watermark | null;
  /** Pages the worker may post before the first is acknowledged. */
  readonly ahead: number;
}

export type WorkerMessage =
  | { t: 'batch'; batch: WireBatch }
  | { t: 'done'; summary: ReadSummary }
  | { t: 'error'; error: { name: string; message: string; kind?: LdapErrorKind; code?: number } };

/** What the worker posts: the pass's messages, and once, when its modules have loaded, 'loaded'. */
export type WorkerPost = WorkerMessage | { t: 'loaded' };

function rebuild(e: { name: string; message: string; kind?: LdapErrorKind; code?: number }): Error {
  switch (e.kind) {
    case 'connection':
      return new LdapConnectionError(e.message);
    case 'timeout':
      return new LdapTimeoutError(e.message);
    case 'tls':
      return new LdapTlsError(e.message);
    case 'credentials':
      return new LdapCredentialsError(e.message, e.code);
    case 'operation':
      return new LdapOperationError(e.message, e.code);
    case 'config':
      return new LdapError('config', e.message);
    default:
      return Object.assign(new Error(e.message), { name: e.name });
  }
}

/**
 * A reader thread, started before its pass so that its modules load while the caller opens the
 * store and takes the lease (about 0.1 s of a thread's start here, on the pass's critical path
 * otherwise). Unreferenced until a pass takes it: an idle one never keeps the process alive.
 */
export class ReaderThread {
  readonly worker: Worker;
  readonly inbox: WorkerMessage[] = [];
  failure: Error | undefined;
  exited = false;
  /** Settles once the thread's modules are loaded (or it is gone). */
  readonly loaded: Promise<void>;
  #wake: (() => void) | undefined;
  #onLoaded!: () => void;

  constructor(readonly spec: WorkerSpec) {
    // execArgv: []: the entry registers the TypeScript loader it needs itself. Inherited, a loader
    // given by --import (tsx's, under `npm run sync`) would load into the thread a second time.
    this.worker = new Worker(new URL('./read-worker-entry.mjs', import.meta.url), { workerData: spec, resourceLimits: READER_RESOURCE_LIMITS, execArgv: [] });
    this.loaded = new Promise<void>((r) => (this.#onLoaded = r));
    this.worker.on('message', (m: WorkerPost) => {
      if (m.t === 'loaded') return this.#onLoaded();
      this.inbox.push(m);
      this.#poke();
    });
    this.worker.on('error', (err: Error) => {
      this.failure ??= new LdapOperationError(`ldap read worker failed: ${err.message}`);
      this.#onLoaded();
      this.#poke();
    });
    this.worker.on('exit', () => {
      this.exited = true;
      this.#onLoaded();
      this.#poke();
    });
    // After the listeners: adding a 'message' listener refs the worker again.
    this.worker.unref();
  }

  /** Resolves at the next message, error or exit. */
  next(): Promise<void> {
    return new Promise<void>((r) => (this.#wake = r));
  }

  #poke() {
    this.#wake?.();
    this.#wake = undefined;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Runs a pass of the ldap source in a worker thread: decoding BER and mapping entries there
 * while the engine writes the previous batch here, so a full pass uses both cores. The worker
 * posts packed pages; the first goes to the engine on its own (so writing starts at once), the
 * rest are gathered here into batches of `spec.batchSize` entries and unpacked only when a batch
 * is complete, right before the engine applies it. The worker stays
 * at most about two batches ahead. Errors arrive as the same typed LdapErrors.
 */
export async function* readInWorker(thread: ReaderThread, options: ReadOptions): AsyncGenerator<SourceBatch, ReadSummary, void> {
  const { spec, worker } = thread;
  const { batchSize } = spec;
  const ahead = 2 * Math.max(1, Math.ceil(batchSize / (spec.pageSize ?? spec.connectionOptions.pageSize)));
  readerStarted();
  const onAbort = () => worker.postMessage('abort');
  let parts: WireBatch[] = [];
  let gathered = 0;
  // The first page goes to the engine on its own: it starts writing while the next pages are read,
  // instead of idling until a whole batch is mapped.
  let handOver = 1;
  try {
    worker.ref();
    worker.postMessage({ full: options.full, watermark: options.watermark, ahead } satisfies WorkerRequest);
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();
    for (;;) {
      const m = thread.inbox.shift();
      if (!m) {
        if (thread.failure) throw thread.failure;
        if (thread.exited) throw new LdapOperationError('ldap read worker exited before the end of the pass');
        await thread.next();
        continue;
      }
      if (m.t === 'error') throw rebuild(m.error);
      if (m.t === 'done') {
        if (parts.length) yield unpackBatches(parts);
        return m.summary;
      }
      parts.push(m.batch);
      gathered += m.batch.photoLengths.length + (m.batch.warnings?.length ?? 0);
      worker.postMessage('ack');
      if (gathered >= handOver) {
        handOver = batchSize;
        const batch = unpackBatches(parts);
        parts = [];
        gathered = 0;
        yield batch;
      }
    }
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    await thread.terminate();
    readerEnded();
  }
}
