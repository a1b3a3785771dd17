import { describe, expect, it } from '@jest/globals';
import { docJoinFrame, docPositionFrame } from '../contract/documents.js';
import { seededRandom } from '../../core/random/seeded-random.js';
import { checkJoinFrame, checkPositionFrame, fastJoinFrame, fastPositionFrame } from './frames.js';

const KEY = 'AbCdEfGhIjKlMnOpQrStUv';

/** Values that probe every rule: types, bounds, lengths, whitespace, extra and missing keys. */
const paragraphs: unknown[] = [0, 1, 14, 10_000_000, 10_000_001, -1, 1.5, Number.NaN, '3', null, true, undefined, 2 ** 53];
const headings: unknown[] = [
  null,
  '',
  'Risks',
  '  Risks  ',
  'x'.repeat(200),
  ` ${'y'.repeat(250)} `,
  'z'.repeat(500),
  'z'.repeat(501),
  7,
  undefined,
  ['a'],
  {},
];
const keys: unknown[] = [KEY, 'short', `${KEY}x`, 'AbCdEfGhIjKlMnOpQrSt+/', 42, null, undefined];

function positions(): unknown[] {
  const out: unknown[] = [null, undefined, 'here', [], [1, 'a'], 5];
  for (const paragraph of paragraphs)
    for (const heading of headings) {
      const p: Record<string, unknown> = {};
      if (paragraph !== undefined) p.paragraph = paragraph;
      if (heading !== undefined) p.heading = heading;
      out.push(p);
    }
  out.push({ paragraph: 1, heading: 'a', extra: 1 });
  return out;
}

const same = (schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }, check: (v: unknown) => unknown, v: unknown) => {
  const z = schema.safeParse(v);
  expect({ input: v, ok: check(v) !== undefined, data: check(v) }).toEqual({ input: v, ok: z.success, data: z.success ? z.data : undefined });
};

describe('hand-written frame checks', () => {
  it('accept and output exactly what the zod schemas do for doc.position', () => {
    for (const position of positions()) {
      same(docPositionFrame, checkPositionFrame, { type: 'doc.position', position });
      same(docPositionFrame, checkPositionFrame, { type: 'doc.join', position });
      same(docPositionFrame, checkPositionFrame, { type: 'doc.position', position, docKey: KEY });
    }
    for (const v of [null, [], 'doc.position', { type: 'doc.position' }, JSON.parse('{"type":"doc.position","__proto__":{}}')])
      same(docPositionFrame, checkPositionFrame, v);
  });

  it('accept and output exactly what the zod schemas do for doc.join', () => {
    for (const docKey of keys)
      for (const position of [...positions(), 'absent']) {
        const f: Record<string, unknown> = { type: 'doc.join' };
        if (docKey !== undefined) f.docKey = docKey;
        if (position !== 'absent') f.position = position;
        same(docJoinFrame, checkJoinFrame, f);
        same(docJoinFrame, checkJoinFrame, { ...f, extra: true });
      }
  });

  it('agree with zod on random frames', () => {
    const random = seededRandom(6);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
    for (let i = 0; i < 5000; i++) {
      const position = pick(positions());
      same(docPositionFrame, checkPositionFrame, { type: 'doc.position', position });
      same(docJoinFrame, checkJoinFrame, { type: 'doc.join', docKey: pick(keys), position });
    }
  });

  it('fall back to zod for the error details of a refused frame', () => {
    const bad = fastPositionFrame.safeParse({ type: 'doc.position', position: { paragraph: -1, heading: null } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].path).toEqual(['position', 'paragraph']);
    expect(fastJoinFrame.safeParse({ type: 'doc.join', docKey: KEY })).toEqual({ success: true, data: { type: 'doc.join', docKey: KEY } });
  });
});
