import WebSocket from 'ws';

export interface Frame {
  type: string;
  [k: string]: unknown;
}

/** A realtime client for tests: records every frame and waits for the ones it expects. */
export class TestSocket {
  readonly frames: Frame[] = [];
  readonly #waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const f = JSON.parse(String(data)) as Frame;
      this.frames.push(f);
      for (const w of [...this.#waiters]) {
        if (w.match(f)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(f);
        }
      }
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
  }

  /** Gets a ticket with the token and opens the socket; resolves after the server's hello. */
  static async open(baseUrl: string, token: string): Promise<TestSocket> {
    const res = await fetch(`${baseUrl}/v1/realtime/ticket`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`ticket: ${res.status} ${await res.text()}`);
    const { ticket } = (await res.json()) as { ticket: string };
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/realtime?ticket=${encodeURIComponent(ticket)}`);
    const sock = new TestSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await sock.next('hello');
    return sock;
  }

  send(frame: Frame): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Resolves with the first frame (already received or future) of `type` that matches. */
  next(type: string, match: (f: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    const test = (f: Frame) => f.type === type && match(f);
    const seen = this.frames.find(test);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no ${type} frame within ${timeoutMs} ms; got: ${this.frames.map((f) => f.type).join(', ')}`));
      }, timeoutMs);
      const waiter = {
        match: test,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(f), 1);
          resolve(f);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  close(): Promise<number> {
    this.ws.close();
    return this.closed;
  }
}
