import { describe, expect, it } from '@jest/globals';
import { ClientFrameReader, MAX_FRAGMENTS } from './client-frames.js';

/** A client frame as a browser sends it: masked with `mask`. */
function frame(opcode: number, payload: Buffer | string, { fin = true, mask = [0x12, 0x34, 0x56, 0x78], rsv = 0, masked = true } = {}): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const n = body.length;
  const head = n < 126 ? Buffer.from([0, n]) : n < 65_536 ? Buffer.from([0, 126, n >> 8, n & 0xff]) : Buffer.alloc(10);
  if (n >= 65_536) {
    head[1] = 127;
    head.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    head.writeUInt32BE(n >>> 0, 6);
  }
  head[0] = (fin ? 0x80 : 0) | rsv | opcode;
  if (!masked) return Buffer.concat([head, body]);
  head[1] |= 0x80;
  return Buffer.concat([head, Buffer.from(mask), Buffer.from(body.map((b, i) => b ^ mask[i % 4]))]);
}

function reader(maxPayload = 64 * 1024) {
  const seen: { messages: (string | null)[]; controls: Buffer[]; failed: number[] } = { messages: [], controls: [], failed: [] };
  const r = new ClientFrameReader(maxPayload, {
    message: (t) => seen.messages.push(t),
    control: (f) => seen.controls.push(f),
    failed: (code) => seen.failed.push(code),
  });
  return { r, seen };
}

describe('ClientFrameReader', () => {
  it('reads several frames of one chunk, with 7-, 16- and 64-bit lengths and multi-byte text', () => {
    const { r, seen } = reader(200_000);
    const long = 'ü'.repeat(200);
    const huge = 'x'.repeat(70_000);
    r.push(Buffer.concat([frame(1, '{"type":"ping"}'), frame(1, long), frame(1, huge), frame(1, '')]));
    expect(seen.messages).toEqual(['{"type":"ping"}', long, huge, '']);
    expect(seen.failed).toEqual([]);
  });

  it('reads a frame that arrives one byte at a time, and the frame after it', () => {
    const { r, seen } = reader();
    const bytes = Buffer.concat([frame(1, 'héllo wörld'), frame(1, 'next')]);
    for (let i = 0; i < bytes.length; i++) r.push(bytes.subarray(i, i + 1));
    expect(seen.messages).toEqual(['héllo wörld', 'next']);
  });

  it('reads a big frame that trickles in, copying what it has received a bounded number of times', () => {
    const { r, seen } = reader();
    const text = 'y'.repeat(60_000);
    const bytes = frame(1, text);
    // Counts the bytes Buffer#copy moves while the frame arrives.
    const original = Buffer.prototype.copy;
    let copied = 0;
    Buffer.prototype.copy = function (this: Buffer, target: Uint8Array, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
      copied += Math.min(sourceEnd, this.length) - sourceStart;
      return original.call(this, target, targetStart, sourceStart, sourceEnd);
    };
    try {
      for (let i = 0; i < bytes.length; i += 7) r.push(bytes.subarray(i, i + 7));
    } finally {
      Buffer.prototype.copy = original;
    }
    expect(seen.messages).toEqual([text]);
    // One copy per read into the kept buffer, plus one per doubling: no re-copy of all bytes each read.
    expect(copied).toBeGreaterThanOrEqual(bytes.length);
    expect(copied).toBeLessThan(bytes.length * 4);
  });

  it('refuses a message in more than MAX_FRAGMENTS fragments (empty ones too) with 1009', () => {
    const { r, seen } = reader();
    r.push(frame(1, '', { fin: false }));
    for (let i = 0; i < MAX_FRAGMENTS + 10; i++) r.push(frame(0, '', { fin: false }));
    expect(seen.failed).toEqual([1009]);
    expect(seen.messages).toEqual([]);
  });

  it('joins a fragmented message, a character split between fragments included, and passes a ping between them on', () => {
    const { r, seen } = reader();
    const text = Buffer.from('{"type":"a","v":"€"}');
    const cut = text.indexOf(0xe2) + 1;
    const ping = frame(9, 'hi');
    r.push(Buffer.concat([frame(1, text.subarray(0, cut), { fin: false }), ping, frame(0, text.subarray(cut, cut + 2), { fin: false })]));
    r.push(frame(0, text.subarray(cut + 2)));
    expect(seen.messages).toEqual(['{"type":"a","v":"€"}']);
    expect(seen.controls).toEqual([ping]);
  });

  it('reports a binary message (whole or fragmented) as null', () => {
    const { r, seen } = reader();
    r.push(frame(2, Buffer.from([1, 2, 3])));
    r.push(Buffer.concat([frame(2, Buffer.from([1]), { fin: false }), frame(0, Buffer.from([2]))]));
    expect(seen.messages).toEqual([null, null]);
  });

  it('hands a close frame on and reads nothing after it', () => {
    const { r, seen } = reader();
    const close = frame(8, Buffer.from([0x03, 0xe8]));
    r.push(Buffer.concat([close, frame(1, 'late')]));
    r.push(frame(1, 'later'));
    expect(seen.controls).toEqual([close]);
    expect(seen.messages).toEqual([]);
  });

  it('refuses a message over the limit on its header, before its payload arrives (1009)', () => {
    const { r, seen } = reader(100);
    r.push(frame(1, 'x'.repeat(101)).subarray(0, 8));
    expect(seen.failed).toEqual([1009]);
    const f = reader(100);
    f.r.push(Buffer.concat([frame(1, 'x'.repeat(60), { fin: false }), frame(0, 'x'.repeat(60))]));
    expect(f.seen.failed).toEqual([1009]);
    expect(f.seen.messages).toEqual([]);
  });

  it('refuses what breaks the protocol, once, and reads nothing after it', () => {
    const cases: [string, Buffer, number][] = [
      ['unmasked', frame(1, 'a', { masked: false }), 1002],
      ['reserved bit', frame(1, 'a', { rsv: 0x40 }), 1002],
      ['unknown opcode', frame(3, 'a'), 1002],
      ['continuation without a start', frame(0, 'a'), 1002],
      ['new message inside a fragmented one', Buffer.concat([frame(1, 'a', { fin: false }), frame(1, 'b')]), 1002],
      ['fragmented control frame', frame(9, 'a', { fin: false }), 1002],
      ['invalid UTF-8', frame(1, Buffer.from([0x7b, 0xff, 0x7d])), 1007],
    ];
    for (const [what, bytes, code] of cases) {
      const { r, seen } = reader();
      r.push(Buffer.concat([bytes, frame(1, 'after')]));
      r.push(frame(1, 'later'));
      expect({ what, failed: seen.failed, messages: seen.messages }).toEqual({ what, failed: [code], messages: [] });
    }
  });
});
