import { describe, expect, it } from '@jest/globals';
import { timeOrderedId } from './time-ordered-id.js';

const SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedId', () => {
  it('is a version 7, variant 10 UUID whose first 48 bits are the time in milliseconds', () => {
    const now = Date.UTC(2026, 11, 4, 12, 0, 0, 123);
    const id = timeOrderedId(now);
    expect(id).toMatch(SHAPE);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
  });

  it('sorts in the order the ids were made, within a millisecond and across them', () => {
    const start = Date.UTC(2026, 11, 4);
    const ids: string[] = [];
    for (let ms = 0; ms < 5; ms++) for (let k = 0; k < 300; k++) ids.push(timeOrderedId(start + ms));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(SHAPE);
  });

  it('does not repeat over many ids (the random part comes from a refilled pool)', () => {
    const ids = new Set<string>();
    for (let k = 0; k < 20_000; k++) ids.add(timeOrderedId());
    expect(ids.size).toBe(20_000);
  });
});
