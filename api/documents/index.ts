import { Counter, Gauge } from 'prom-client';
import { RedisBus } from '../../core/bus/index.js';
import { DOC_POSITION_MIN_INTERVAL_MS, docLeaveFrame, docWatchFrame } from '../contract/documents.js';
import type { Feature, FeatureDeps } from '../feature.js';
import { notFound } from '../http/index.js';
import { StoreDocumentRegistry, type DocumentRegistry } from './document-registry.js';
import { documentRoutes, findLinkedDocument } from './document-routes.js';
import { DocumentSessions } from './document-sessions.js';
import { fastJoinFrame, fastPositionFrame } from './frames.js';
import { RedisSessionStore } from './redis-session-store.js';
import { MemorySessionStore, type DocSessionStore } from './session-store.js';

export { documentsMigrations, type DocumentTables } from './migrations.js';
export { classifyDocumentUrl, documentUrlKeys, type DocumentLink } from './document-url.js';
export { participantsOf, type DocSession } from './participants.js';
export { DocumentSessions } from './document-sessions.js';
export { StoreDocumentRegistry, type DocumentRegistry } from './document-registry.js';
export { MemorySessionStore, type DocSessionStore } from './session-store.js';
export { RedisSessionStore } from './redis-session-store.js';

/** Longest a move waits for its document's fan-out window (the moves of a window leave in one frame). */
const DOC_FANOUT_MS = 100;

export interface DocumentsFeature extends Feature {
  readonly registry: DocumentRegistry;
  readonly sessions: DocumentSessions;
}

/**
 * Co-authoring indicators: document identity (stamp + URL → docKey), sessions over the realtime
 * gateway (doc.join / doc.position / doc.leave → doc.participants; doc.watch → doc.watching for the
 * documents a mail links to), shared through Redis when
 * REDIS_URL is set. Tuning keys (tests, benchmark): docSessionTtlMs, docPositionIntervalMs,
 * docFanoutMs, docSweepMs.
 */
export function createDocumentsFeature(deps: FeatureDeps): DocumentsFeature {
  const { config, bus, gateway, tuning } = deps;
  const log = deps.log.child({ mod: 'documents' });
  const ttlMs = tuning.docSessionTtlMs ?? Math.max(1, config.env.DOC_SESSION_TTL_SECONDS) * 1000;
  const store: DocSessionStore =
    bus instanceof RedisBus ? new RedisSessionStore(bus.redis, bus.prefix, bus.nodeId, ttlMs, Math.max(1000, Math.floor(ttlMs / 2))) : new MemorySessionStore();
  const sessions = new DocumentSessions(store, bus, log, {
    ttlMs,
    positionIntervalMs: tuning.docPositionIntervalMs ?? DOC_POSITION_MIN_INTERVAL_MS,
    fanoutMs: tuning.docFanoutMs ?? DOC_FANOUT_MS,
    backlogged: () => gateway.backlogged,
    sweepMs: tuning.docSweepMs ?? Math.min(5000, Math.max(250, Math.floor(ttlMs / 6))),
  });
  const registry = new StoreDocumentRegistry(deps.store);

  // Moves and heartbeats are most of the traffic: checked by hand, with zod's answer on refusal.
  gateway.handle('doc.join', fastJoinFrame, async (conn, frame) => {
    const known = conn.state.get('documents.key');
    if (known !== frame.docKey) {
      // Holding the key is the permission, but only keys the registry gave out name documents.
      if (!(await registry.find(frame.docKey))) throw notFound('Unknown document');
      conn.state.set('documents.key', frame.docKey);
    }
    await sessions.join(conn, frame.docKey, frame.position);
  });
  gateway.handle('doc.position', fastPositionFrame, (conn, frame) => {
    if (!sessions.move(conn, frame.position)) conn.send({ type: 'error', code: 'not_joined', frameType: 'doc.position', message: 'Send doc.join first' });
  });
  gateway.handle('doc.leave', docLeaveFrame, async (conn) => {
    conn.state.delete('documents.key');
    await sessions.leave(conn);
  });
  gateway.handle('doc.watch', docWatchFrame, async (conn, frame) => {
    // Frames are handled concurrently: a long lookup for an earlier message must not finish after
    // (and replace) the watch the pane sent for the message it shows now.
    const seq = ((conn.state.get('documents.watchSeq') as number | undefined) ?? 0) + 1;
    conn.state.set('documents.watchSeq', seq);
    // The links the pane holds are the permission: the same lookup as POST /v1/documents/participants.
    const results: { url: string; docKey: string | null }[] = [];
    for (const url of frame.urls) results.push({ url, docKey: await findLinkedDocument(registry, url) });
    if (conn.closed || conn.state.get('documents.watchSeq') !== seq) return;
    conn.send({ type: 'doc.watching', results });
    sessions.watch(
      conn,
      results.flatMap((r) => (r.docKey ? [r.docKey] : [])),
    );
  });
  gateway.onClose((conn) => {
    sessions.unwatch(conn);
    return sessions.leave(conn);
  });

  new Gauge({
    name: 'doc_sessions',
    help: 'Document sessions (open windows) on this process',
    registers: [deps.metrics],
    collect() {
      this.set(sessions.localSessions);
    },
  });
  new Gauge({
    name: 'doc_documents_open',
    help: 'Documents with a window open on this process',
    registers: [deps.metrics],
    collect() {
      this.set(sessions.localDocuments.size);
    },
  });
  new Counter({
    name: 'doc_position_updates_total',
    help: 'Position changes applied',
    registers: [deps.metrics],
    collect() {
      this.reset();
      this.inc(sessions.positionUpdates);
    },
  });

  return {
    name: 'documents',
    router: documentRoutes(registry, sessions),
    registry,
    sessions,
    start: () => sessions.start(),
    async stop() {
      await sessions.stop();
      await store.close();
    },
  };
}
