import type { PendingMessage } from './chat-store.js';

/**
 * Where a pane keeps the messages it has not got through yet, so closing the pane (switching
 * messages in Outlook unloads it) or a crash does not lose what someone typed. The server folds a
 * resent clientMessageId into the message it already has, so a message kept here and also
 * delivered is never doubled.
 */
export interface OutboxStorage {
  load(): PendingMessage[];
  save(messages: readonly PendingMessage[]): void;
}

/** At most this many unsent messages are kept (the oldest go first). */
export const OUTBOX_KEEP = 100;

/** The pane's localStorage, one key per signed-in person. Storage may be off (some webviews, private mode): then memory only. */
export function localOutboxStorage(personId: string, storage: Storage | undefined = globalThis.localStorage): OutboxStorage {
  const key = `op.chat.outbox.${personId}`;
  return {
    load() {
      try {
        const parsed: unknown = JSON.parse(storage?.getItem(key) ?? '[]');
        return Array.isArray(parsed) ? parsed.filter(isPending) : [];
      } catch {
        return [];
      }
    },
    save(messages) {
      try {
        if (messages.length) storage?.setItem(key, JSON.stringify(messages.slice(-OUTBOX_KEEP)));
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
    save: (messages: readonly PendingMessage[]) => void (o.saved = messages.slice(-OUTBOX_KEEP)),
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
