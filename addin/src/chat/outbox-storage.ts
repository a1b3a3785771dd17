import type { PendingMessage } from './chat-store.js';

/**
 * Where a pane keeps the messages it has not got through yet, so closing the pane (switching
 * messages in Outlook unloads it) or a crash does not lose what someone typed. The server folds a
 * resent clientMessageId into the message it already has, so a message kept here and also
 * delivered is never doubled.
 */
export interface OutboxStorage {
  load(): PendingMessage[];
  /**
   * Applies one pane's changes to what is stored now: `changed` replaced or added, `removed` (ids)
   * dropped. Not a whole-list write: another pane of the same person (Outlook and Word side by
   * side) keeps its own unsent messages in the same place.
   */
  update(changed: readonly PendingMessage[], removed: readonly string[]): void;
}

/** The stored list after one pane's changes (the newest OUTBOX_KEEP kept). */
const applied = (stored: readonly PendingMessage[], changed: readonly PendingMessage[], removed: readonly string[]): PendingMessage[] => {
  const gone = new Set([...removed, ...changed.map((p) => p.clientMessageId)]);
  return [...stored.filter((p) => !gone.has(p.clientMessageId)), ...changed].slice(-OUTBOX_KEEP);
};

/** At most this many unsent messages are kept (the oldest go first). */
export const OUTBOX_KEEP = 100;

/** The pane's localStorage, one key per signed-in person. Storage may be off (some webviews, private mode): then memory only. */
export function localOutboxStorage(personId: string, storage: Storage | undefined = globalThis.localStorage): OutboxStorage {
  const key = `op.chat.outbox.${personId}`;
  const load = (): PendingMessage[] => {
    try {
      const parsed: unknown = JSON.parse(storage?.getItem(key) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter(isPending) : [];
    } catch {
      return [];
    }
  };
  return {
    load,
    update(changed, removed) {
      try {
        const messages = applied(load(), changed, removed);
        if (messages.length) storage?.setItem(key, JSON.stringify(messages));
        else storage?.removeItem(key);
      } catch {
        // Full or refused: the messages stay in memory for as long as the pane is open.
      }
    },
  };
}

/** Keeps nothing across panes: for tests and hosts without storage. */
export function memoryOutboxStorage(): OutboxStorage & { saved: PendingMessage[] } {
  const o = {
    saved: [] as PendingMessage[],
    load: () => [...o.saved],
    update: (changed: readonly PendingMessage[], removed: readonly string[]) => void (o.saved = applied(o.saved, changed, removed)),
  };
  return o;
}

const isPending = (v: unknown): v is PendingMessage => {
  const p = v as Partial<PendingMessage> | null;
  return (
    typeof p?.clientMessageId === 'string' &&
    typeof p.conversationId === 'string' &&
    typeof p.text === 'string' &&
    (p.status === 'sending' || p.status === 'failed') &&
    typeof p.queuedAt === 'number'
  );
};
