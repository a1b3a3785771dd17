// The messages between the API process and its socket process (JSON over the IPC channel). Both
// directions are batched: one message per event-loop turn, however many sockets it concerns.

/** Kinds of the events in an `events` message, each followed by the port id and one value. */
export const EventKind = Object.freeze({ opened: 0, message: 1, closed: 2 });

export type ToSocketProcess =
  /** Sent with the TCP socket's handle: finish the WebSocket handshake of this upgrade request. */
  | { t: 'adopt'; id: number; method: string; url: string; headers: Record<string, string | string[] | undefined>; head: string }
  /**
   * Writes and closes, in order: `o` holds pairs (port id, n); n ≥ 0 writes frame `f[n]` (JSON
   * text, each distinct frame once however many sockets get it), n < 0 closes with `c[-n - 1]`.
   */
  | { t: 'out'; seq: number; f: string[]; o: number[]; c: [code: number, reason: string][] }
  /** Resident memory and CPU so far; after a full GC first when `gc` (and the process may collect). */
  | { t: 'usage'; gc: boolean }
  | { t: 'shutdown' };

export type FromSocketProcess =
  | { t: 'ready' }
  /** Every `out` up to `seq` has been written (sent once per turn of its event loop that wrote any). */
  | { t: 'done'; seq: number }
  /** Triples (kind, port id, value): opened → null, message → text or null for binary, closed → close code. */
  | { t: 'events'; e: (number | string | null)[] }
  | { t: 'usage'; rss: number; cpu: NodeJS.CpuUsage };
