import { isUtf8 } from 'node:buffer';
import { CloseCode } from './close-codes.js';

/** What a ClientFrameReader hands on. */
export interface ClientFrameSink {
  /** A whole data message: its text, or null for a binary one. */
  message(text: string | null): void;
  /** A whole control frame (close, ping, pong) as it came, still masked: for ws to handle. */
  control(frame: Buffer): void;
  /** The client broke the protocol or a limit: close with this code; nothing more is read. */
  failed(code: number): void;
}

/** Unmasked payloads are decoded from here: one buffer for every socket, never held past a call. */
let scratch = Buffer.allocUnsafeSlow(16 * 1024);

const PROTOCOL_ERROR = 1002;
const INVALID_DATA = 1007;
/**
 * Fragments one message may come in. Browsers send each message whole; without a bound, empty
 * continuation frames (6 bytes each, nothing counted against the size limit) would pile up
 * objects without end.
 */
export const MAX_FRAGMENTS = 64;

/**
 * Reads the frames a client sends (RFC 6455 5.2: masked, unextended since this server never
 * negotiates compression) straight from its TCP chunks, and decodes each data message without
 * keeping any part of the chunk.
 *
 * Why not ws's own receiver: it keeps views of each chunk Node read (a Buffer over malloc'd
 * memory) in its long-lived per-socket objects (the chunk list, the message's fragment array).
 * Under the documents load (20,000 frames/s) those reads were promoted to the old generation and
 * freed only by the next full GC: two thirds of what a sampling heap profile saw promoted and then
 * dying there was ws's reader and Node's read buffers, and ~100 MB of malloc'd memory piled up
 * between two full GCs, which glibc then kept resident (RSS +10-35 % over a 30 s run, JS heap
 * flat). test/realtime/read-buffers shows it: with a full GC's incremental marking under way (most
 * of the time under that load), every read survived young GCs. Here a chunk is referenced only
 * while it is read: a complete frame is unmasked into a shared scratch buffer and decoded to a
 * string at once. Bytes of a frame split across chunks, and fragments of a fragmented message, are
 * copied.
 */
export class ClientFrameReader {
  /**
   * Bytes of a frame not complete yet: a buffer of its own (never a view of a chunk), grown by
   * doubling, so a frame trickling in many small reads is copied a bounded number of times.
   */
  #partial: Buffer | null = null;
  #partialLength = 0;
  /** Unmasked fragments of a message that has not ended yet, with their total length and type. */
  #fragments: Buffer[] | null = null;
  #fragmentsLength = 0;
  #fragmentsBinary = false;
  #done = false;

  constructor(
    /** Largest message a client may send, in bytes (larger: 1009). */
    readonly maxPayload: number,
    readonly sink: ClientFrameSink,
  ) {}

  /** Reads one chunk of the socket's bytes. */
  push(chunk: Buffer): void {
    if (this.#done) return;
    let data = chunk;
    const owned = this.#partial;
    if (owned) {
      const length = this.#partialLength + chunk.length;
      let into = owned;
      if (length > owned.length) {
        into = Buffer.allocUnsafeSlow(Math.max(length, owned.length * 2));
        owned.copy(into, 0, 0, this.#partialLength);
      }
      chunk.copy(into, this.#partialLength);
      data = into.subarray(0, length);
      this.#partial = into;
      this.#partialLength = length;
    }
    let at = 0;
    while (at < data.length && !this.#done) {
      const used = this.#frame(data, at);
      if (used === 0) {
        // Incomplete. Still at the start of our own buffer: keep it as it is.
        if (this.#partial && at === 0) return;
        // Otherwise keep a copy of the rest (never a view of a chunk: that would keep the whole chunk).
        const rest = data.length - at;
        const keep = Buffer.allocUnsafeSlow(Math.max(rest, 1024));
        data.copy(keep, 0, at);
        this.#partial = keep;
        this.#partialLength = rest;
        return;
      }
      at += used;
    }
    this.#partial = null;
    this.#partialLength = 0;
  }

  /** Reads the frame at `at`; returns its length, or 0 when it is not all there yet. */
  #frame(data: Buffer, at: number): number {
    const available = data.length - at;
    if (available < 2) return 0;
    const b0 = data[at];
    const b1 = data[at + 1];
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0 || (b1 & 0x80) === 0) return this.#fail(PROTOCOL_ERROR);
    let length = b1 & 0x7f;
    let head = 2;
    if (length === 126) {
      if (available < 4) return 0;
      length = data.readUInt16BE(at + 2);
      head = 4;
    } else if (length === 127) {
      if (available < 10) return 0;
      const high = data.readUInt32BE(at + 2);
      if (high > 0x1fffff) return this.#fail(CloseCode.tooBig);
      length = high * 2 ** 32 + data.readUInt32BE(at + 6);
      head = 10;
    }
    const control = opcode >= 0x08;
    if (control) {
      if (opcode > 0x0a || !fin || length > 125) return this.#fail(PROTOCOL_ERROR);
    } else {
      if (opcode > 0x02 || (opcode === 0x00) !== (this.#fragments !== null)) return this.#fail(PROTOCOL_ERROR);
      // Refused on the header: a client may not make us buffer more than the limit.
      if (this.#fragmentsLength + length > this.maxPayload) return this.#fail(CloseCode.tooBig);
    }
    const size = head + 4 + length;
    if (available < size) return 0;

    if (control) {
      // ws reports pings and pongs (the host answers pings) and does the closing handshake; after a close nothing more is read.
      if (opcode === 0x08) this.#done = true;
      this.sink.control(Buffer.from(data.subarray(at, at + size)));
      return size;
    }
    const payload = unmask(data, at + head, length);
    if (!fin) {
      if (!this.#fragments) {
        this.#fragments = [];
        this.#fragmentsBinary = opcode === 0x02;
      }
      if (this.#fragments.length >= MAX_FRAGMENTS) return this.#fail(CloseCode.tooBig);
      this.#fragments.push(Buffer.from(payload));
      this.#fragmentsLength += length;
      return size;
    }
    let message = payload;
    let binary = opcode === 0x02;
    if (this.#fragments) {
      this.#fragments.push(payload);
      message = Buffer.concat(this.#fragments, this.#fragmentsLength + length);
      binary = this.#fragmentsBinary;
      this.#fragments = null;
      this.#fragmentsLength = 0;
    }
    if (binary) this.sink.message(null);
    else if (!isUtf8(message)) return this.#fail(INVALID_DATA);
    else this.sink.message(message.toString('utf8'));
    return size;
  }

  #fail(code: number): number {
    this.#done = true;
    this.#partial = null;
    this.#partialLength = 0;
    this.#fragments = null;
    this.sink.failed(code);
    // Whatever the caller's loop sees, it stops: #done is set.
    return 1;
  }
}

/** The payload at `from`, unmasked into the scratch buffer (valid until the next call). */
function unmask(data: Buffer, from: number, length: number): Buffer {
  if (scratch.length < length) scratch = Buffer.allocUnsafeSlow(Math.max(length, scratch.length * 2));
  const m0 = data[from];
  const m1 = data[from + 1];
  const m2 = data[from + 2];
  const m3 = data[from + 3];
  const start = from + 4;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    scratch[i] = data[start + i] ^ m0;
    scratch[i + 1] = data[start + i + 1] ^ m1;
    scratch[i + 2] = data[start + i + 2] ^ m2;
    scratch[i + 3] = data[start + i + 3] ^ m3;
  }
  for (; i < length; i++) scratch[i] = data[start + i] ^ (i % 4 === 0 ? m0 : i % 4 === 1 ? m1 : i % 4 === 2 ? m2 : m3);
  return scratch.subarray(0, length);
}
