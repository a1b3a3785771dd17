import { describe, expect, it } from '@jest/globals';
import { jsonArrayBytes } from './json-array-bytes.js';

describe('jsonArrayBytes', () => {
  it('joins the items with commas between the open and close texts', () => {
    const items = ['{"a":1}', '"é✓"', '[]'].map((t) => Buffer.from(t));
    const out = jsonArrayBytes('{"results":[', items, ']}');
    expect(out.toString()).toBe('{"results":[{"a":1},"é✓",[]]}');
    expect(JSON.parse(out.toString())).toEqual({ results: [{ a: 1 }, 'é✓', []] });
  });

  it('writes just the brackets when there is no item', () => {
    expect(jsonArrayBytes('[', [], ']').toString()).toBe('[]');
  });

  it('counts multi-byte open and close texts in bytes', () => {
    expect(jsonArrayBytes('{"ü":[', [Buffer.from('1')], '],"ñ":0}').toString()).toBe('{"ü":[1],"ñ":0}');
  });
});
