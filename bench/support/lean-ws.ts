// A minimal RFC 6455 client for the benchmarks' load generators. Thousands of `ws` clients in one
// process cost the generators most of a core (a stream, buffers and events per frame), and on this
// 2-core machine that core is taken from the server under test. This client parses the unmasked,
// unfragmented text frames a server sends straight from each TCP chunk, answers pings and closes,
// and sends masked frames. Load generation only: the product's panes use the browser's WebSocket.
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import net from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = { text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;

/**
 * One read buffer for every socket of the process: with `onread` Node reads straight into it and
 * calls back, with no stream, chunk copy or event per read. A frame cut by the end of a read is
 * copied out before the next read reuses the buffer.
 */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

export class LeanSocket {
  #onText: ((text: string) => void) | undefined;
  /** Text frames that arrived before anyone listened (a server greets right after the handshake). */
  #early: string[] = [];
  /** Called once: the close code the server sent, or 1006 when the connection just ended. */
  onClose: (code: number) => void = () => {};
  closeCode: number | undefined;
  #rest: Buffer | null = null;
  readonly #mask = Buffer.alloc(4);
  socket!: net.Socket;

  /** Called with the text of each text frame; frames that arrived before it was set are handed over first. */
  set onText(fn: (text: string) => void) {
    this.#onText = fn;
    for (const text of this.#early.splice(0)) fn(text);
  }

  get open(): boolean {
    return this.closeCode === undefined && !this.socket.destroyed;
  }

  /** Connects and completes the handshake; rejects with the HTTP status line when the upgrade is refused. */
  static connect(url: string, timeoutMs = 60_000): Promise<LeanSocket> {
    const u = new URL(url);
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    const ws = new LeanSocket();
    return new Promise((resolve, reject) => {
      let head: Buffer | null = Buffer.alloc(0);
      const fail = (err: Error) => {
        clearTimeout(timer);
        ws.socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`no handshake from ${u.host} within ${timeoutMs} ms`)), timeoutMs);
      const onHandshake = (chunk: Buffer) => {
        head = Buffer.concat([head!, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = head.toString('latin1', 0, end).split('\r\n');
        const rest = head.subarray(end + 4);
        head = null;
        if (!lines[0].startsWith('HTTP/1.1 101') || !lines.some((l) => l.toLowerCase() === `sec-websocket-accept: ${accept.toLowerCase()}`)) {
          fail(new Error(`upgrade refused: ${lines[0]}`));
          return;
        }
        clearTimeout(timer);
        ws.socket.off('error', fail);
        ws.socket.on('error', () => undefined);
        ws.socket.on('close', () => ws.#ended(1006));
        resolve(ws);
        if (rest.length) ws.#onData(rest);
      };
      ws.socket = net.connect({
        host: u.hostname,
        port: Number(u.port),
        noDelay: true,
        onread: {
          buffer: READ_BUFFER,
          callback: (n: number, buf: Uint8Array) => {
            const chunk = (buf as Buffer).subarray(0, n);
            if (head) onHandshake(chunk);
            else ws.#onData(chunk);
            return true;
          },
        },
      });
      ws.socket.once('error', fail);
      ws.socket.on('connect', () =>
        ws.socket.write(
          `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        ),
      );
    });
  }

  send(text: string): void {
    this.#frame(OP.text, Buffer.from(text, 'utf8'));
  }

  /** Ends the connection without a closing handshake (a crashed client). */
  terminate(): void {
    this.socket.destroy();
  }

  close(code = 1000): void {
    const body = Buffer.alloc(2);
    body.writeUInt16BE(code);
    this.#frame(OP.close, body);
    this.socket.end();
  }

  #frame(op: number, payload: Buffer): void {
    if (this.socket.destroyed) return;
    const n = payload.length;
    const h = n < 126 ? 2 : n < 65_536 ? 4 : 10;
    const out = Buffer.allocUnsafe(h + 4 + n);
    out[0] = 0x80 | op;
    if (h === 2) out[1] = 0x80 | n;
    else if (h === 4) {
      out[1] = 0x80 | 126;
      out.writeUInt16BE(n, 2);
    } else {
      out[1] = 0x80 | 127;
      out.writeUInt32BE(0, 2);
      out.writeUInt32BE(n, 6);
    }
    // Client frames must be masked (RFC 6455 5.3).
    randomFillSync(this.#mask);
    this.#mask.copy(out, h);
    for (let i = 0; i < n; i++) out[h + 4 + i] = payload[i] ^ this.#mask[i & 3];
    this.socket.write(out);
  }

  #onData(chunk: Buffer): void {
    const b = this.#rest ? Buffer.concat([this.#rest, chunk]) : chunk;
    let i = 0;
    while (b.length - i >= 2) {
      const first = b[i];
      let n = b[i + 1] & 0x7f;
      let h = 2;
      if (n === 126) {
        if (b.length - i < 4) break;
        n = b.readUInt16BE(i + 2);
        h = 4;
      } else if (n === 127) {
        if (b.length - i < 10) break;
        n = b.readUInt32BE(i + 6);
        h = 10;
      }
      if (b.length - i < h + n) break;
      const start = i + h;
      i = start + n;
      if ((first & 0x80) === 0) throw new Error('fragmented server frames are not expected here');
      const op = first & 0x0f;
      if (op === OP.text) {
        const text = b.toString('utf8', start, i);
        if (this.#onText) this.#onText(text);
        else this.#early.push(text);
      } else if (op === OP.ping) this.#frame(OP.pong, b.subarray(start, i));
      else if (op === OP.close) {
        this.#ended(n >= 2 ? b.readUInt16BE(start) : 1005);
        this.close(1000);
        return;
      }
    }
    this.#rest = i < b.length ? Buffer.from(b.subarray(i)) : null;
  }

  #ended(code: number): void {
    if (this.closeCode !== undefined) return;
    this.closeCode = code;
    this.onClose(code);
  }
}
