import { z } from 'zod';
import { defineRoute, lookupAddress } from './route.js';

export const phone = z.object({ type: z.enum(['business', 'mobile', 'home', 'fax', 'other']), number: z.string() });

export const personSummary = z.object({
  id: z.string(),
  kind: z.enum(['person', 'contact']),
  displayName: z.string(),
  email: z.string().nullable(),
  title: z.string().nullable(),
  department: z.string().nullable(),
  hasPhoto: z.boolean(),
  disabled: z.boolean(),
});
export type PersonSummaryDto = z.infer<typeof personSummary>;

export const personCard = personSummary.extend({
  givenName: z.string().nullable(),
  surname: z.string().nullable(),
  company: z.string().nullable(),
  office: z.string().nullable(),
  phones: z.array(phone),
  aliases: z.array(z.string()),
  upn: z.string().nullable(),
  groups: z.array(z.string()),
  managerChain: z.array(personSummary),
  directReports: z.array(personSummary),
  sources: z.array(z.string()),
});
export type PersonCardDto = z.infer<typeof personCard>;

export const MAX_LOOKUP = 1000;

export const meRoute = defineRoute({
  method: 'get',
  path: '/v1/me',
  tag: 'people',
  summary: 'The signed-in person, with admin flag',
  auth: 'user',
  response: z.object({ person: personCard, isAdmin: z.boolean(), authMode: z.enum(['dev', 'oidc']) }),
});

export const lookupRoute = defineRoute({
  method: 'post',
  path: '/v1/people/lookup',
  tag: 'people',
  summary: 'Resolve SMTP addresses (primary or alias, case-insensitive) to people; null when unknown or not an address',
  auth: 'user',
  body: z.strictObject({ emails: z.array(lookupAddress).max(MAX_LOOKUP, `at most ${MAX_LOOKUP} addresses`) }),
  response: z.object({ results: z.array(z.object({ email: z.string(), person: personSummary.nullable() })) }),
});

export const searchRoute = defineRoute({
  method: 'get',
  path: '/v1/people/search',
  tag: 'people',
  summary: 'Search people by name, address, title, department or office',
  auth: 'user',
  query: z.strictObject({ q: z.string().trim().min(1).max(200), limit: z.coerce.number().int().min(1).max(100).default(20) }),
  response: z.object({ results: z.array(personSummary) }),
});

export const personRoute = defineRoute({
  method: 'get',
  path: '/v1/people/{id}',
  tag: 'people',
  summary: 'Contact card',
  auth: 'user',
  response: personCard,
});

export const photoRoute = defineRoute({
  method: 'get',
  path: '/v1/people/{id}/photo',
  tag: 'people',
  summary: 'Photo bytes, with ETag (If-None-Match answers 304)',
  auth: 'user',
});
