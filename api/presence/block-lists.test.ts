import { describe, expect, it } from '@jest/globals';
import { BlockLists } from './block-lists.js';

describe('BlockLists', () => {
  it('knows who blocked whom, and who is blocked by anyone at all', () => {
    const lists = new BlockLists();
    expect(lists.set('ada', ['bob', 'cy'])).toBe(true);
    lists.add('dee', 'bob');
    expect(lists.has('ada', 'bob')).toBe(true);
    expect(lists.has('bob', 'ada')).toBe(false);
    expect(['bob', 'cy', 'ada'].map((v) => lists.isBlockedByAnyone(v))).toEqual([true, true, false]);
    lists.delete('ada', 'bob');
    expect(lists.isBlockedByAnyone('bob')).toBe(true);
    lists.delete('dee', 'bob');
    expect(lists.isBlockedByAnyone('bob')).toBe(false);
    expect(lists.of('ada')).toEqual(['cy']);
  });

  it('replacing a list reports whether it changed and keeps the counts right', () => {
    const lists = new BlockLists();
    lists.set('ada', ['bob']);
    expect(lists.set('ada', ['bob'])).toBe(false);
    expect(lists.set('ada', ['cy'])).toBe(true);
    expect(lists.isBlockedByAnyone('bob')).toBe(false);
    expect(lists.isBlockedByAnyone('cy')).toBe(true);
    expect(lists.set('ada', [])).toBe(true);
    expect(lists.owners()).toEqual([]);
    expect(lists.isBlockedByAnyone('cy')).toBe(false);
  });

  it('adding twice counts once', () => {
    const lists = new BlockLists();
    lists.add('ada', 'bob');
    lists.add('ada', 'bob');
    lists.delete('ada', 'bob');
    expect(lists.isBlockedByAnyone('bob')).toBe(false);
  });
});
