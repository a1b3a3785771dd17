import { chatReadFrame, chatSendFrame, chatSyncFrame, chatTypingFrame } from '../contract/index.js';
import { HttpError } from '../http/index.js';
import type { Connection, RealtimeGateway } from '../realtime/index.js';
import type { ChatFanOut } from './chat-fan-out.js';
import type { ChatService } from './chat-service.js';

const CHAIN = 'chat.sendChain';

/**
 * The realtime face of chat: chat.send (answered by chat.ack), chat.read, chat.typing and
 * chat.sync (resume after the last seq seen per conversation).
 */
export function registerChatFrames(gateway: RealtimeGateway, chat: ChatService, fanOut: ChatFanOut): void {
  gateway.handle('chat.send', chatSendFrame, (conn, f) => {
    // Sends of one connection are checked and queued in arrival order; the commits overlap.
    const prev = (conn.state.get(CHAIN) as Promise<void> | undefined) ?? Promise.resolve();
    let queued!: () => void;
    const next = new Promise<void>((r) => (queued = r));
    conn.state.set(CHAIN, next);
    void prev.then(() => sendOne(conn, f, queued));
  });

  async function sendOne(conn: Connection, f: { conversationId: string; clientMessageId: string; text: string }, queued: () => void): Promise<void> {
    const base = { type: 'chat.ack', clientMessageId: f.clientMessageId, conversationId: f.conversationId };
    try {
      // The next send of this connection may start once this one is queued for commit.
      const r = await chat.send(conn.principal, f.conversationId, f.clientMessageId, f.text, conn.id, queued);
      conn.send({ ...base, ok: true, message: r.message, duplicate: r.duplicate, doNotDisturb: r.doNotDisturb });
    } catch (err) {
      queued();
      const e = err instanceof HttpError ? err : new HttpError(500, 'internal_error', 'Internal error', { cause: err, expose: false });
      if (!(err instanceof HttpError)) gateway.log.error({ err }, 'chat.send failed');
      conn.send({
        ...base,
        ok: false,
        error: { status: e.status, code: e.expose ? e.code : 'internal_error', message: e.expose ? e.message : 'Internal error' },
      });
    }
  }

  gateway.handle('chat.read', chatReadFrame, async (conn, f) => {
    await chat.markRead(conn.principal, f.conversationId, f.seq);
  });

  gateway.handle('chat.typing', chatTypingFrame, async (conn, f) => {
    await chat.typing(conn.principal, f.conversationId);
  });

  gateway.handle('chat.sync', chatSyncFrame, async (conn, f) => {
    // Subscribed to wake-ups before reading the store: nothing committed after the read is missed.
    await fanOut.ready(conn.principal.personId);
    await chat.sync(conn.principal.personId, f.conversations, (frame) => conn.send(frame));
  });
}
