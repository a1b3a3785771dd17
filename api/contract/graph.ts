import { z } from 'zod';
import { personSummary } from './people.js';
import { defineRoute } from './route.js';

export const myContactsRoute = defineRoute({
  method: 'get',
  path: '/v1/me/contacts',
  tag: 'people',
  summary: 'Your Outlook contacts (external contacts you own, synced from Exchange with GRAPH_CONTACTS)',
  auth: 'user',
  response: z.object({ results: z.array(personSummary) }),
});
