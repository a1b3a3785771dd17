import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import type { DirectoryEntry, DirectoryTables } from '../../directory-sync/directory/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const person = (local: string, extra: Partial<DirectoryEntry> = {}): DirectoryEntry => ({
  externalId: local,
  kind: 'person',
  primaryEmail: `${local}@contoso.test`,
  aliases: [],
  displayName: local,
  phones: [],
  groups: [],
  disabled: false,
  ...extra,
});

let server: TestServer;
let contactId: string;
const ALICE = 'alice@contoso.test';
const BOB = 'bob@contoso.test';

beforeAll(async () => {
  server = await startTestServer({
    seed: [
      person('alice'),
      person('bob'),
      person('zoe', { kind: 'contact', primaryEmail: 'zoe@fabrikam.example', photo: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) }),
    ],
  });
  // Zoe is one of Alice's Outlook contacts (what the graph source makes of them).
  const db = server.deps.store.db as Kysely<DirectoryTables>;
  const id = async (email: string) => (await db.selectFrom('people').select('id').where('primary_email', '=', email).executeTakeFirstOrThrow()).id;
  contactId = await id('zoe@fabrikam.example');
  await db
    .updateTable('people')
    .set({ owner_id: await id(ALICE) })
    .where('id', '=', contactId)
    .execute();
}, 30_000);
afterAll(async () => {
  await server?.close();
});

describe("someone's private (Outlook) contact", () => {
  it('is not found by id, nor its photo, for anyone but its owner', async () => {
    expect((await server.api('GET', `/v1/people/${contactId}`, { as: BOB })).status).toBe(404);
    expect((await server.api('GET', `/v1/people/${contactId}/photo`, { as: BOB })).status).toBe(404);
  });

  it('is found by its owner', async () => {
    const card = await server.api('GET', `/v1/people/${contactId}`, { as: ALICE });
    expect(card.status).toBe(200);
    expect(await card.json()).toMatchObject({ id: contactId, kind: 'contact', email: 'zoe@fabrikam.example' });
    const photo = await server.api('GET', `/v1/people/${contactId}/photo`, { as: ALICE });
    expect(photo.status).toBe(200);
    expect([...new Uint8Array(await photo.arrayBuffer())]).toEqual([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
  });
});
