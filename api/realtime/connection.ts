import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/index.js';
import { prepareFrame, type PreparedFrame } from './prepared-frame.js';
import type { SocketPort } from './socket-host.js';

/** One open pane: an endpoint of its user. */
export class Connection {
  readonly id = randomUUID();
  readonly openedAt = Date.now();
  /** Per-feature state (subscriptions, joined document, …), keyed by feature name. */
  readonly state = new Map<string, unknown>();

  constructor(
    readonly port: SocketPort,
    readonly principal: Principal,
  ) {}

  get closed(): boolean {
    return !this.port.open;
  }

  /** Sends a frame; a consumer that cannot keep up is closed with `resync` rather than buffered forever. */
  send(frame: { type: string; [k: string]: unknown }): boolean {
    return this.port.send(prepareFrame(JSON.stringify(frame)));
  }

  sendRaw(json: string): boolean {
    return this.port.send(prepareFrame(json));
  }

  /** Sends a frame made once with prepareFrame() for many sockets. Same backpressure rule as send. */
  sendPrepared(frame: PreparedFrame): boolean {
    return this.port.send(frame);
  }

  /**
   * Runs `fn` with the socket corked, so the frames it sends leave in one write (e.g. the 50
   * presence frames answering a subscribe) instead of one syscall per frame.
   */
  batch<T>(fn: () => T): T {
    this.port.cork();
    try {
      return fn();
    } finally {
      this.port.uncork();
    }
  }

  close(code: number, reason: string): void {
    this.port.close(code, reason);
  }
}
