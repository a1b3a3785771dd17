import WebSocket from 'ws';
import type { ChatMessageDto } from '../../../api/contract/index.js';

import { seededRandom as seeded } from '../../../core/random/seeded-random.js';
import { settleWithin } from '../../support/settle-within.js';

export { seeded };

interface Outgoing {
  readonly clientMessageId: string;
  readonly conversationId: string;
  readonly text: string;
}

/**
 * A chat client that behaves the way the panes must: at-least-once sends (resend every
 * unacknowledged message after reconnecting, same clientMessageId), a history keyed by seq
 * (duplicates fold), gap detection, and resume with chat.sync from the last contiguous seq.
 */
export class ResilientChatClient {
  readonly history = new Map<string, Map<number, ChatMessageDto>>();
  /** clientMessageId → seq, from acks. */
  readonly acked = new Map<string, number>();
  readonly #unacked = new Map<string, Outgoing>();
  readonly #queue: Outgoing[] = [];
  #ws: WebSocket | undefined;
  #urlIndex = 0;
  #stopped = false;
  #syncing = false;
  #syncAgain = false;
  connects = 0;
  disconnects = 0;
  resends = 0;
  errors: string[] = [];

  constructor(
    readonly name: string,
    readonly urls: () => readonly string[],
    readonly token: string,
    readonly conversations: readonly string[],
    readonly options: { window: number; disconnectProbability: number; random: () => number; startIndex?: number },
  ) {
    this.#urlIndex = options.startIndex ?? 0;
    for (const c of conversations) this.history.set(c, new Map());
  }

  enqueue(conversationId: string, clientMessageId: string, text: string): void {
    this.#queue.push({ conversationId, clientMessageId, text });
    this.#pump();
  }

  get pending(): number {
    return this.#queue.length + this.#unacked.size;
  }

  /** The highest seq up to which this client holds every message of the conversation. */
  contiguous(conversationId: string): number {
    const h = this.history.get(conversationId)!;
    let s = 0;
    while (h.has(s + 1)) s++;
    return s;
  }

  start(): void {
    void this.#connectLoop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws && ws.readyState === WebSocket.OPEN) {
      const closed = new Promise((r) => ws.once('close', r));
      ws.close();
      await settleWithin(closed, 1000);
    }
    ws?.terminate();
  }

  /** Resolves after a full sync round trip completed on the current connection. */
  async syncNow(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ws = this.#ws;
      if (ws && ws.readyState === WebSocket.OPEN) {
        const done = new Promise<boolean>((resolve) => {
          const finish = (ok: boolean) => {
            clearTimeout(timer);
            ws.off('message', onMessage);
            ws.off('close', onClose);
            resolve(ok);
          };
          const onMessage = (data: WebSocket.RawData) => {
            const f = JSON.parse(String(data)) as { type: string; complete?: boolean };
            if (f.type === 'chat.synced') finish(f.complete === true);
          };
          const onClose = () => finish(false);
          ws.on('message', onMessage);
          ws.once('close', onClose);
          const timer = setTimeout(() => finish(false), Math.max(0, deadline - Date.now()));
        });
        this.#sendSync(ws);
        if ((await done) && this.#gapless()) return;
      } else await sleep(50);
      if (Date.now() > deadline) throw new Error(`${this.name}: could not complete a sync`);
    }
  }

  #gapless(): boolean {
    for (const [, h] of this.history) if (h.size && Math.max(...h.keys()) !== h.size) return false;
    return true;
  }

  async #connectLoop(): Promise<void> {
    let attempt = 0;
    while (!this.#stopped) {
      const urls = this.urls();
      const url = urls[this.#urlIndex % urls.length];
      try {
        await this.#connect(url);
        return;
      } catch {
        attempt++;
        // A dead process: try the next one; back off a little, bounded.
        this.#urlIndex++;
        await sleep(Math.min(500, 50 * attempt));
      }
    }
  }

  async #connect(url: string): Promise<void> {
    const res = await fetch(`${url}/v1/realtime/ticket`, { method: 'POST', headers: { Authorization: `Bearer ${this.token}` } });
    if (!res.ok) throw new Error(`ticket ${res.status}`);
    const { ticket } = (await res.json()) as { ticket: string };
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/realtime?ticket=${encodeURIComponent(ticket)}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (this.#stopped) {
      ws.terminate();
      return;
    }
    this.connects++;
    this.#ws = ws;
    ws.on('error', () => {});
    ws.on('message', (data) => this.#onFrame(ws, JSON.parse(String(data)) as Frame));
    ws.once('close', () => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      if (!this.#stopped) setTimeout(() => void this.#connectLoop(), Math.floor(this.options.random() * 100));
    });
    // Resume: what came after the last contiguous seq; then everything not acknowledged goes again.
    this.#syncing = false;
    this.#syncAgain = false;
    this.#sendSync(ws);
    for (const o of this.#unacked.values()) {
      this.resends++;
      ws.send(JSON.stringify({ type: 'chat.send', ...o }));
    }
    this.#pump();
  }

  #sendSync(ws: WebSocket): void {
    if (this.#syncing) {
      this.#syncAgain = true;
      return;
    }
    this.#syncing = true;
    ws.send(JSON.stringify({ type: 'chat.sync', conversations: this.conversations.map((id) => ({ id, afterSeq: this.contiguous(id) })) }));
  }

  #pump(): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    while (this.#unacked.size < this.options.window && this.#queue.length) {
      const o = this.#queue.shift()!;
      this.#unacked.set(o.clientMessageId, o);
      ws.send(JSON.stringify({ type: 'chat.send', ...o }));
    }
  }

  #onFrame(ws: WebSocket, f: Frame): void {
    if (f.type === 'chat.message') {
      const m = f.message as ChatMessageDto;
      const h = this.history.get(m.conversationId);
      if (!h) return;
      const had = h.get(m.seq);
      if (had && (had.clientMessageId !== m.clientMessageId || had.text !== m.text)) this.errors.push(`seq ${m.seq} changed content`);
      h.set(m.seq, m);
      // A hole below this seq: a push was missed (dropped wake-up, dead process): backfill.
      if (m.seq > this.contiguous(m.conversationId) + 1) this.#sendSync(ws);
    } else if (f.type === 'chat.synced') {
      this.#syncing = false;
      if (this.#syncAgain || f.complete !== true) {
        this.#syncAgain = false;
        this.#sendSync(ws);
      }
    } else if (f.type === 'chat.ack') {
      const id = f.clientMessageId as string;
      if (!this.#unacked.has(id)) return;
      if (f.ok) {
        const m = f.message as ChatMessageDto;
        const prior = this.acked.get(id);
        if (prior !== undefined && prior !== m.seq) this.errors.push(`${id} acked with two seqs ${prior} and ${m.seq}`);
        this.acked.set(id, m.seq);
        this.history.get(m.conversationId)?.set(m.seq, m);
        this.#unacked.delete(id);
        if (this.options.random() < this.options.disconnectProbability) {
          // Drop the socket abruptly, with sends in flight.
          this.disconnects++;
          ws.terminate();
          return;
        }
        this.#pump();
      } else {
        const error = f.error as { status: number; code: string };
        // Rate limited or the process is going away: the message stays unacknowledged and is resent.
        if (error.status !== 429 && error.status < 500) {
          this.errors.push(`${id}: ${error.status} ${error.code}`);
          this.#unacked.delete(id);
          this.#pump();
        } else {
          setTimeout(() => {
            const o = this.#unacked.get(id);
            if (o && this.#ws === ws && ws.readyState === WebSocket.OPEN) {
              this.resends++;
              ws.send(JSON.stringify({ type: 'chat.send', ...o }));
            }
          }, 200);
        }
      }
    }
  }
}

type Frame = { type: string; [k: string]: unknown };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
