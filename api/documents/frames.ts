import type { z } from 'zod';
import { DOC_KEY_PATTERN, docJoinFrame, docPositionFrame, type DocPositionDto } from '../contract/documents.js';

/**
 * Hand-written checks for the frames every open document sends (a move twice a second, a join every
 * 15 s): the same acceptance and output as the contract's zod schemas (frames.test.ts compares them
 * on many inputs), at a fraction of the cost. A frame they refuse goes through zod, which gives the
 * error details, so both paths answer alike.
 */

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Own keys of a parsed JSON object, counted without allocating. */
function keyCount(o: Record<string, unknown>): number {
  let n = 0;
  for (const k in o) if (Object.hasOwn(o, k)) n++;
  return n;
}

function position(v: unknown): DocPositionDto | undefined {
  if (!isPlainObject(v) || keyCount(v) !== 2) return undefined;
  const { paragraph, heading } = v;
  if (typeof paragraph !== 'number' || !Number.isInteger(paragraph) || paragraph < 0 || paragraph > 10_000_000) return undefined;
  if (heading === null) return { paragraph, heading: null };
  if (typeof heading !== 'string' || heading.length > 500) return undefined;
  return { paragraph, heading: heading.trim().slice(0, 200) };
}

export function checkPositionFrame(v: unknown): z.infer<typeof docPositionFrame> | undefined {
  if (!isPlainObject(v) || keyCount(v) !== 2 || v.type !== 'doc.position') return undefined;
  const p = position(v.position);
  return p && { type: 'doc.position', position: p };
}

export function checkJoinFrame(v: unknown): z.infer<typeof docJoinFrame> | undefined {
  if (!isPlainObject(v) || v.type !== 'doc.join' || typeof v.docKey !== 'string' || !DOC_KEY_PATTERN.test(v.docKey)) return undefined;
  if (keyCount(v) !== (Object.hasOwn(v, 'position') ? 3 : 2)) return undefined;
  if (v.position === undefined) return { type: 'doc.join', docKey: v.docKey };
  if (v.position === null) return { type: 'doc.join', docKey: v.docKey, position: null };
  const p = position(v.position);
  return p && { type: 'doc.join', docKey: v.docKey, position: p };
}

/** A schema for the gateway: the fast check first, zod for what it refuses (and for the error it reports). */
export function fastSchema<S extends z.ZodType>(schema: S, check: (v: unknown) => z.infer<S> | undefined): S {
  return {
    safeParse(v: unknown) {
      const data = check(v);
      return data !== undefined ? { success: true, data } : schema.safeParse(v);
    },
  } as unknown as S;
}

export const fastPositionFrame = fastSchema(docPositionFrame, checkPositionFrame);
export const fastJoinFrame = fastSchema(docJoinFrame, checkJoinFrame);
