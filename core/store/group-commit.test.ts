import { describe, expect, it } from '@jest/globals';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('groups what arrives together, keeps order, runs afterCommit in order before resolving', async () => {
    const batches: number[][] = [];
    const events: string[] = [];
    const b = new GroupCommit<number, number>(async (xs) => {
      batches.push([...xs]);
      await new Promise((r) => setTimeout(r, 5));
      return xs.map((x) => x * 10);
    }, 3);
    const results = await Promise.all([1, 2, 3, 4, 5].map((x) => b.submit(x, (r) => events.push(`after ${r}`)).then((r) => (events.push(`resolved ${r}`), r))));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(events.filter((e) => e.startsWith('after'))).toEqual(['after 10', 'after 20', 'after 30', 'after 40', 'after 50']);
    expect(events.indexOf('after 10')).toBeLessThan(events.indexOf('resolved 10'));
  });

  it('retries a failed transaction, then rejects the whole batch; later batches still run', async () => {
    let calls = 0;
    const b = new GroupCommit<number, number>(async (xs) => {
      calls++;
      if (xs.includes(13)) throw new Error('unlucky');
      return [...xs];
    });
    await expect(b.submit(13)).rejects.toThrow('unlucky');
    expect(calls).toBe(3);
    expect(await b.submit(7)).toBe(7);
    await b.drain();
    expect(b.pending).toBe(0);
  });
});
