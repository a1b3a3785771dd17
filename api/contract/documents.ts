import { z } from 'zod';
import { defineRoute } from './route.js';

/** A document key: 128 random bits, base64url (22 characters). Unguessable; holding it is the permission. */
export const DOC_KEY_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const docKey = z.string().regex(DOC_KEY_PATTERN, 'must be a document key');

/** The id a Word pane stamps into a document (a GUID, braces and case ignored). */
export const docStamp = z
  .string()
  .trim()
  .regex(/^\{?[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}\}?$/, 'must be a GUID');

export const MAX_DOC_URL = 4096;
export const docUrl = z.string().trim().min(1).max(MAX_DOC_URL);

/** Where someone is: the paragraph index and the nearest heading above it (never Word's local paragraph ids). */
export const docPosition = z.strictObject({
  paragraph: z.number().int().min(0).max(10_000_000),
  heading: z
    .string()
    .max(500)
    .transform((s) => s.trim().slice(0, 200))
    .nullable(),
});
export type DocPositionDto = z.infer<typeof docPosition>;

export const docParticipant = z.object({
  personId: z.string(),
  email: z.string(),
  displayName: z.string(),
  position: docPosition.nullable(),
  /** Epoch ms since this person has had the document open (earliest of their windows). */
  since: z.number(),
});
export type DocParticipantDto = z.infer<typeof docParticipant>;

export const docParticipants = z.object({ docKey: z.string(), participants: z.array(docParticipant) });
export type DocParticipantsDto = z.infer<typeof docParticipants>;

export const resolveDocumentRoute = defineRoute({
  method: 'post',
  path: '/v1/documents/resolve',
  tag: 'documents',
  summary: 'Map a stamped document id and/or a document URL to one document key (created when new)',
  auth: 'user',
  body: z
    .strictObject({ docId: docStamp.optional(), url: docUrl.optional() })
    .refine((b) => b.docId !== undefined || b.url !== undefined, 'give docId, url or both'),
  /** docId: the id this document should carry; when it differs from the one sent, the pane re-stamps. */
  response: z.object({ docKey: z.string(), docId: z.string() }),
});

export const documentParticipantsRoute = defineRoute({
  method: 'get',
  path: '/v1/documents/{docKey}/participants',
  tag: 'documents',
  summary: 'Who has this document open now (404 for an unknown key)',
  auth: 'user',
  response: docParticipants,
});

export const MAX_LINKED_URLS = 50;

export const linkedParticipantsRoute = defineRoute({
  method: 'post',
  path: '/v1/documents/participants',
  tag: 'documents',
  summary: 'Participants of the documents known by these URLs (links found in a message); unknown URLs give null',
  auth: 'user',
  body: z.strictObject({ urls: z.array(z.string().max(MAX_DOC_URL)).max(MAX_LINKED_URLS, `at most ${MAX_LINKED_URLS} URLs`) }),
  response: z.object({
    results: z.array(z.object({ url: z.string(), docKey: z.string().nullable(), participants: z.array(docParticipant) })),
  }),
});

/** Client frames. A repeated doc.join is the heartbeat (every 15 s). */
export const docJoinFrame = z.strictObject({ type: z.literal('doc.join'), docKey, position: docPosition.nullable().optional() });
export const docPositionFrame = z.strictObject({ type: z.literal('doc.position'), position: docPosition });
export const docLeaveFrame = z.strictObject({ type: z.literal('doc.leave') });
/** One person's new place in a `doc.participants` frame that carries only moves. */
export const docMoved = z.object({ personId: z.string(), position: docPosition.nullable() });
export type DocMovedDto = z.infer<typeof docMoved>;
/**
 * Server frame, pushed to everyone in the document (and to its watchers) on change, coalesced per
 * fan-out window. Either the whole list (`participants`: on joins, leaves, the first frame a socket
 * gets) or, when only positions changed, `moved`: the new positions of people already in the list.
 */
export const docParticipantsFrame = z.union([
  docParticipants.extend({ type: z.literal('doc.participants') }),
  z.object({ type: z.literal('doc.participants'), docKey: z.string(), moved: z.array(docMoved) }),
]);
export type DocParticipantsFrame = z.infer<typeof docParticipantsFrame>;
/**
 * Client frame: keep me told about the documents these links name (Outlook's "being edited now"
 * rows). Replaces the socket's previous watch list; `urls: []` stops watching. Same rule as
 * `POST /v1/documents/participants`: only documents already known by a link (or key) you hold.
 */
export const docWatchFrame = z.strictObject({
  type: z.literal('doc.watch'),
  urls: z.array(z.string().max(MAX_DOC_URL)).max(MAX_LINKED_URLS, `at most ${MAX_LINKED_URLS} URLs`),
});
/** Server answer to doc.watch: the document behind each URL (null: unknown); participants follow as doc.participants frames. */
export const docWatchingFrame = z.object({
  type: z.literal('doc.watching'),
  results: z.array(z.object({ url: z.string(), docKey: z.string().nullable() })),
});
export type DocWatchingFrame = z.infer<typeof docWatchingFrame>;

export const DOC_HEARTBEAT_MS = 15_000;
export const DOC_POSITION_MIN_INTERVAL_MS = 500;
