import { z } from 'zod';
import { ACTIVITIES, AVAILABILITIES } from '../presence/presence-api.js';
import { personSummary } from './people.js';
import { defineRoute, email, lookupAddress } from './route.js';

/** Presence of one person as the caller may see it. `version` only ever grows per person. */
export const presenceView = z.object({
  availability: z.enum(AVAILABILITIES),
  activity: z.enum(ACTIVITIES),
  note: z.string().nullable(),
  outOfOffice: z.object({ active: z.boolean(), message: z.string().nullable() }),
  /** Epoch milliseconds of the last input on any endpoint, null when unknown or hidden. */
  lastActive: z.number().nullable(),
  version: z.number(),
});
export type PresenceDto = z.infer<typeof presenceView>;

export const MAX_PRESENCE_QUERY = 1000;
export const MAX_SUBSCRIPTIONS = 2000;
export const MAX_NOTE_LENGTH = 280;
export const MAX_OOF_MESSAGE_LENGTH = 2000;

/** What a user can pick. `Offline` means "appear offline". */
export const MANUAL_AVAILABILITIES = ['Available', 'Busy', 'DoNotDisturb', 'BeRightBack', 'Away', 'Offline'] as const;
export type ManualAvailability = (typeof MANUAL_AVAILABILITIES)[number];

const isoInstant = z.iso.datetime({ offset: true });

export const presenceQueryRoute = defineRoute({
  method: 'post',
  path: '/v1/presence/query',
  tag: 'presence',
  summary: 'Presence of up to 1,000 addresses (any SMTP alias); unknown addresses answer PresenceUnknown',
  auth: 'user',
  body: z.strictObject({ emails: z.array(lookupAddress).max(MAX_PRESENCE_QUERY, `at most ${MAX_PRESENCE_QUERY} addresses`) }),
  response: z.object({ results: z.array(z.object({ email: z.string(), personId: z.string().nullable(), presence: presenceView })) }),
});

export const manualState = z.object({
  availability: z.enum(MANUAL_AVAILABILITIES),
  note: z.string().nullable(),
  expiresAt: z.string(),
});

export const outOfOfficeState = z.object({ active: z.boolean(), message: z.string().nullable() });

export const myPresence = z.object({
  presence: presenceView,
  /** The manual state, null when presence is automatic. */
  manual: manualState.nullable(),
  /** The out-of-office the user set here (other sources such as Exchange may add their own). */
  outOfOffice: outOfOfficeState,
});
export type MyPresenceDto = z.infer<typeof myPresence>;

export const getMyPresenceRoute = defineRoute({
  method: 'get',
  path: '/v1/me/presence',
  tag: 'presence',
  summary: 'Your own presence, manual state and out-of-office',
  auth: 'user',
  response: myPresence,
});

export const putMyPresenceRoute = defineRoute({
  method: 'put',
  path: '/v1/me/presence',
  tag: 'presence',
  summary: 'Set a manual state (Offline = appear offline); default expiry Busy/DND 1 day, others 7 days',
  auth: 'user',
  body: z.strictObject({
    availability: z.enum(MANUAL_AVAILABILITIES),
    note: z.string().trim().max(MAX_NOTE_LENGTH).nullable().optional(),
    expiresAt: isoInstant.optional(),
  }),
  response: myPresence,
});

export const deleteMyPresenceRoute = defineRoute({
  method: 'delete',
  path: '/v1/me/presence',
  tag: 'presence',
  summary: 'Back to automatic presence (clears the manual state and its note)',
  auth: 'user',
  response: myPresence,
});

export const putOutOfOfficeRoute = defineRoute({
  method: 'put',
  path: '/v1/me/out-of-office',
  tag: 'presence',
  summary: 'Turn your out-of-office flag and message on or off',
  auth: 'user',
  body: z.strictObject({ active: z.boolean(), message: z.string().trim().max(MAX_OOF_MESSAGE_LENGTH).nullable().optional() }),
  response: myPresence,
});

export const listBlockedRoute = defineRoute({
  method: 'get',
  path: '/v1/me/blocked',
  tag: 'presence',
  summary: 'People you blocked: they see PresenceUnknown and cannot message you',
  auth: 'user',
  response: z.object({ people: z.array(personSummary) }),
});

export const blockRoute = defineRoute({
  method: 'put',
  path: '/v1/me/blocked/{personId}',
  tag: 'presence',
  summary: 'Block a person',
  auth: 'user',
  response: z.object({ people: z.array(personSummary) }),
});

export const unblockRoute = defineRoute({
  method: 'delete',
  path: '/v1/me/blocked/{personId}',
  tag: 'presence',
  summary: 'Unblock a person',
  auth: 'user',
  response: z.object({ people: z.array(personSummary) }),
});

/** Realtime frames of presence (client → server). */
export const presenceSubscribeFrame = z.strictObject({
  type: z.literal('presence.subscribe'),
  emails: z.array(email).min(1).max(MAX_SUBSCRIPTIONS),
});
export const presenceUnsubscribeFrame = z.strictObject({
  type: z.literal('presence.unsubscribe'),
  emails: z.array(email).min(1).max(MAX_SUBSCRIPTIONS),
});
export const ENDPOINT_ACTIVITIES = ['active', 'inactive', 'away'] as const;
export type EndpointActivity = (typeof ENDPOINT_ACTIVITIES)[number];
export const activityFrame = z.strictObject({ type: z.literal('activity'), state: z.enum(ENDPOINT_ACTIVITIES) });

/** Server → client: the presence of one subscribed address (the address as the client subscribed it). */
export interface PresenceFrame {
  type: 'presence';
  email: string;
  presence: PresenceDto;
}
/** Server → client: acknowledges a subscribe after the current presence of each address was sent. */
export interface PresenceSubscribedFrame {
  type: 'presence.subscribed';
  emails: string[];
  total: number;
}
