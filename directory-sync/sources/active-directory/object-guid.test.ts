import { describe, expect, it } from '@jest/globals';
import { guidToBytes, guidToString, immutableIdOf } from './object-guid.js';

describe('objectGUID', () => {
  // Measured on Samba: raw 9a84495a f380 7c40 8c71 097df9336b0b prints as 5a49849a-80f3-407c-8c71-097df9336b0b.
  const raw = Buffer.from('9a84495af3807c408c71097df9336b0b', 'hex');

  it('prints the first three fields little-endian, the rest as stored', () => {
    expect(guidToString(raw)).toBe('5a49849a-80f3-407c-8c71-097df9336b0b');
  });

  it('round-trips string → bytes → string', () => {
    expect(guidToBytes('5A49849A-80F3-407C-8C71-097DF9336B0B').equals(raw)).toBe(true);
    for (let i = 0; i < 20; i++) {
      const bytes = Buffer.from(Array.from({ length: 16 }, (_, k) => (k * 37 + i * 11) & 0xff));
      expect(guidToBytes(guidToString(bytes)).equals(bytes)).toBe(true);
    }
  });

  it('immutableId is base64 of the raw bytes (Entra onPremisesImmutableId)', () => {
    expect(immutableIdOf(raw)).toBe('moRJWvOAfECMcQl9+TNrCw==');
    expect(immutableIdOf(new Uint8Array(raw))).toBe(raw.toString('base64'));
  });

  it('refuses what is not a GUID', () => {
    expect(() => guidToString(Buffer.alloc(15))).toThrow(RangeError);
    expect(() => guidToBytes('not-a-guid')).toThrow(RangeError);
  });
});
