import { randomBytes, randomUUID } from 'node:crypto';
import { DOC_KEY_PATTERN } from '../contract/documents.js';
import { normaliseGuid } from './document-url.js';

/** A new document key: 128 random bits (unguessable), base64url. */
export const newDocKey = (): string => randomBytes(16).toString('base64url');

export const isDocKey = (value: string): boolean => DOC_KEY_PATTERN.test(value);

/** A fresh stamp for a document that needs one (new without a stamp, or a copy). */
export const newStamp = (): string => randomUUID();

/** The stored form of a stamp (lower case, dashes, no braces), or null when it is not a GUID. */
export const normaliseStamp = (value: string): string | null => normaliseGuid(value);
