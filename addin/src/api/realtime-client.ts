import type { ApiClient } from './http-client.js';
import { backoffDelay } from './backoff.js';

export type RealtimeStatus = 'connecting' | 'open' | 'offline' | 'closed';

/** A frame from the server: a JSON object with a `type`. */
export interface Frame {
  readonly type: string;
  readonly [key: string]: unknown;
}

/**
 * The pane's one WebSocket (`POST /v1/realtime/ticket`, then `/v1/realtime?ticket=`). Features
 * subscribe to frame types and re-send their state from `onOpen` (fires on the first connect and
 * after every reconnect), so a reconnect restores subscriptions, documents and chat resume.
 */
export interface RealtimeClient {
  readonly status: RealtimeStatus;
  /** Sends a frame now; false when the socket is not open (the frame is dropped, `onOpen` will resync). */
  send(frame: Frame): boolean;
  /** Listens to server frames of one type ('*' for all). Returns an unsubscribe function. */
  on<T extends Frame = Frame>(type: string, listener: (frame: T) => void): () => void;
  /** Runs on every successful (re)connect, and at once if already open. */
  onOpen(listener: () => void): () => void;
  /** Runs only on reconnects (not the first connect). */
  onReconnect(listener: () => void): () => void;
  onStatus(listener: (status: RealtimeStatus) => void): () => void;
  /** Drops the current socket and reconnects now (e.g. after the server asked to resync). */
  reconnect(): void;
  close(): void;
}

export interface RealtimeOptions {
  readonly baseUrl?: string;
  readonly heartbeatMs?: number;
  /** How long the ticket request, and then the socket's opening, may take before it is tried again. */
  readonly connectTimeoutMs?: number;
  readonly WebSocketImpl?: typeof WebSocket;
  /** Random source of the reconnect jitter (tests). */
  readonly random?: () => number;
}

/**
 * A connection that stays open this long counts as working: only then does the reconnect delay
 * start over. A server that accepts and at once closes (too many connections, rate limited) must
 * not get a reconnect every half second forever.
 */
export const STABLE_AFTER_MS = 10_000;
/** Close codes that mean "not now" (connections per user, rate limit, overload): wait at least this long. */
const BACK_OFF_CODES = new Set([4409, 4429, 1013]);
export const BACK_OFF_MIN_MS = 15_000;
/**
 * A path can die without a close (VPN drop, NAT timeout, a sleeping laptop): the socket then stays
 * "open" and every frame goes nowhere. The server answers each ping with a pong, so a socket that
 * heard nothing (no pong, no frame) while this many pings went out is treated as dead. Counted in
 * pings, not wall time, so a background pane whose timers the browser slows down is not misjudged.
 */
export const UNANSWERED_PINGS = 2;
/** The ticket request (a token included) and then the socket's opening each get this long, or are tried again. */
export const CONNECT_TIMEOUT_MS = 15_000;

/** Creates and starts the realtime client; reconnects with backoff + jitter until closed. */
export function createRealtimeClient(api: ApiClient, options: RealtimeOptions = {}): RealtimeClient {
  const WS = options.WebSocketImpl ?? WebSocket;
  const heartbeatMs = options.heartbeatMs ?? 20_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const listeners = new Map<string, Set<(frame: Frame) => void>>();
  const openListeners = new Set<() => void>();
  const reconnectListeners = new Set<() => void>();
  const statusListeners = new Set<(s: RealtimeStatus) => void>();
  let status: RealtimeStatus = 'connecting';
  let socket: WebSocket | null = null;
  let attempt = 0;
  let everOpened = false;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let stableTimer: ReturnType<typeof setTimeout> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Ticket request or socket opening that takes too long. */
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Pings sent on the current socket since it last heard anything. */
  let unanswered = 0;
  /** Bumped by every connect and close: a connect whose ticket arrives after a newer one started gives up. */
  let generation = 0;

  const setStatus = (s: RealtimeStatus) => {
    if (status === s) return;
    status = s;
    for (const l of [...statusListeners]) l(s);
  };
  const safely = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      console.error('realtime listener failed', err);
    }
  };

  function wsUrl(ticket: string): string {
    const base = new URL(options.baseUrl ?? window.location.href);
    const proto = base.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${base.host}/v1/realtime?ticket=${encodeURIComponent(ticket)}`;
  }

  function scheduleRetry(minMs = 0) {
    if (closed) return;
    clearInterval(heartbeat);
    clearTimeout(stableTimer);
    clearTimeout(connectTimer);
    clearTimeout(retryTimer);
    setStatus(typeof navigator !== 'undefined' && navigator.onLine === false ? 'offline' : 'connecting');
    const delay = Math.max(minMs, backoffDelay(attempt++, { random: options.random }));
    retryTimer = setTimeout(connect, delay);
  }

  async function connect() {
    if (closed) return;
    const mine = ++generation;
    clearTimeout(retryTimer);
    setStatus('connecting');
    let ticket: string;
    // A request that never answers (dead path, stalled proxy) must not hold the pane in 'connecting'.
    const abort = new AbortController();
    const timedOut = new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(new Error('ticket timed out'))));
    clearTimeout(connectTimer);
    connectTimer = setTimeout(() => abort.abort(), connectTimeoutMs);
    try {
      ticket = (await Promise.race([api.post<{ ticket: string }>('/v1/realtime/ticket', undefined, { signal: abort.signal }), timedOut])).ticket;
    } catch {
      if (mine === generation) scheduleRetry();
      return;
    } finally {
      if (mine === generation) clearTimeout(connectTimer);
    }
    if (closed || mine !== generation) return;
    const ws = new WS(wsUrl(ticket));
    socket = ws;
    connectTimer = setTimeout(() => dropDead(ws), connectTimeoutMs);
    ws.onopen = () => {
      if (socket !== ws) return;
      clearTimeout(connectTimer);
      clearTimeout(stableTimer);
      stableTimer = setTimeout(() => {
        if (socket === ws) attempt = 0;
      }, STABLE_AFTER_MS);
      setStatus('open');
      clearInterval(heartbeat);
      unanswered = 0;
      heartbeat = setInterval(() => {
        if (unanswered >= UNANSWERED_PINGS) return dropDead(ws);
        if (send({ type: 'ping' })) unanswered++;
      }, heartbeatMs);
      const reconnected = everOpened;
      everOpened = true;
      for (const l of [...openListeners]) safely(l);
      if (reconnected) for (const l of [...reconnectListeners]) safely(l);
    };
    ws.onmessage = (ev) => {
      if (socket !== ws) return;
      unanswered = 0;
      let frame: Frame;
      try {
        frame = JSON.parse(String(ev.data)) as Frame;
      } catch {
        return;
      }
      if (!frame || typeof frame.type !== 'string') return;
      for (const l of [...(listeners.get(frame.type) ?? [])]) safely(() => l(frame));
      for (const l of [...(listeners.get('*') ?? [])]) safely(() => l(frame));
    };
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      clearTimeout(connectTimer);
      socket = null;
      scheduleRetry(BACK_OFF_CODES.has(ev.code) ? BACK_OFF_MIN_MS : 0);
    };
    ws.onerror = () => {
      // onclose follows and schedules the retry.
    };
  }

  /** Gives up on a socket that never opened or went silent; its close may never come, so do not wait for it. */
  function dropDead(ws: WebSocket) {
    if (socket !== ws) return;
    socket = null;
    try {
      ws.close(1000, 'no answer');
    } catch {
      // Closing can throw on some engines while still connecting; the socket is abandoned either way.
    }
    scheduleRetry();
  }

  function send(frame: Frame): boolean {
    if (!socket || socket.readyState !== WS.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  const onOnline = () => {
    if (status !== 'open') reconnectNow();
  };
  const onOffline = () => setStatus('offline');
  function reconnectNow() {
    if (closed) return;
    const old = socket;
    socket = null;
    old?.close(1000, 'reconnect');
    clearInterval(heartbeat);
    clearTimeout(stableTimer);
    clearTimeout(connectTimer);
    void connect();
  }
  // Outside a browser (tests, tools) there are no online/offline events.
  const win = typeof window !== 'undefined' ? window : null;
  win?.addEventListener('online', onOnline);
  win?.addEventListener('offline', onOffline);
  void connect();

  return {
    get status() {
      return status;
    },
    send,
    on(type, listener) {
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      set.add(listener as (frame: Frame) => void);
      return () => set.delete(listener as (frame: Frame) => void);
    },
    onOpen(listener) {
      openListeners.add(listener);
      if (status === 'open') safely(listener);
      return () => openListeners.delete(listener);
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    reconnect: reconnectNow,
    close() {
      closed = true;
      generation++;
      clearTimeout(retryTimer);
      clearTimeout(stableTimer);
      clearTimeout(connectTimer);
      clearInterval(heartbeat);
      win?.removeEventListener('online', onOnline);
      win?.removeEventListener('offline', onOffline);
      socket?.close(1000, 'pane closed');
      socket = null;
      setStatus('closed');
    },
  };
}
