// The demo directory loads through the sync engine when the server starts, and the people routes
// serve it: the fixed people other suites and the demo host rely on, aliases, managers, photos.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { DEMO_LDIF_FILE } from '../../core/config/index.js';
import type { DirectoryTables } from '../../directory-sync/directory/index.js';
import type { SyncTables } from '../../directory-sync/engine/tables.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'demo-dir-'));
const env = { LDIF_FILE: DEMO_LDIF_FILE, ADMIN_GROUP: 'Presence Admins', DATABASE_URL: path.join(dir, 'demo.sqlite') };
let server: TestServer;
const SAM = 'sam.okafor@auroraworks.example';

beforeAll(async () => {
  server = await startTestServer({ env });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Person = {
  id: string;
  displayName: string;
  title: string | null;
  department: string | null;
  kind: string;
  disabled: boolean;
  hasPhoto: boolean;
  email: string;
};
type Card = Person & { aliases: string[]; managerChain: Person[]; groups: string[]; company: string | null; sources: string[] };

async function lookup(email: string): Promise<Person> {
  const res = await server.api('POST', '/v1/people/lookup', { as: SAM, body: { emails: [email] } });
  expect(res.status).toBe(200);
  const { results } = (await res.json()) as { results: { person: Person | null }[] };
  expect(results[0].person).not.toBeNull();
  return results[0].person!;
}
async function card(email: string): Promise<Card> {
  const p = await lookup(email);
  const res = await server.api('GET', `/v1/people/${p.id}`, { as: SAM });
  expect(res.status).toBe(200);
  return (await res.json()) as Card;
}

describe('demo directory (Aurora Works) loaded at start through the engine', () => {
  it('has about 300 people and 5 external contacts, from source ldif', async () => {
    const db = server.deps.store.db as Kysely<DirectoryTables & SyncTables>;
    const rows = await db.selectFrom('people').select(['kind']).where('deleted_at', 'is', null).execute();
    const people = rows.filter((r) => r.kind === 'person').length;
    expect(people).toBeGreaterThanOrEqual(290);
    expect(people).toBeLessThanOrEqual(310);
    expect(rows.filter((r) => r.kind === 'contact')).toHaveLength(5);
    const runs = await db.selectFrom('sync_runs').selectAll().execute();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ source: 'ldif', status: 'ok', mode: 'full', warning_count: 0 });
  });

  it('has the fixed people with their titles, departments and managers', async () => {
    const alex = await card('alex.morgan@auroraworks.example');
    expect(alex).toMatchObject({ displayName: 'Alex Morgan', title: 'CEO', department: 'Executive', managerChain: [] });
    const priya = await card('priya.natarajan@auroraworks.example');
    expect(priya).toMatchObject({ title: 'VP Engineering', department: 'Engineering' });
    expect(priya.managerChain.map((m) => m.displayName)).toEqual(['Alex Morgan']);
    expect(priya.aliases.sort()).toEqual(['p.natarajan@auroraworks.example', 'priya@auroraworks.example']);
    const sam = await card(SAM);
    expect(sam).toMatchObject({ title: 'Software Engineer', department: 'Engineering', hasPhoto: true, sources: ['ldif'] });
    expect(sam.managerChain.map((m) => m.displayName)).toEqual(['Priya Natarajan', 'Alex Morgan']);
    const lena = await card('lena.fischer@auroraworks.example');
    expect(lena).toMatchObject({ title: 'Sales Manager', department: 'Sales' });
    expect(lena.managerChain[0].displayName).toBe('Alex Morgan');
    const diego = await card('diego.ramos@auroraworks.example');
    expect(diego).toMatchObject({ title: 'IT Administrator', department: 'IT' });
    expect(diego.groups).toContain('Presence Admins');
    const mei = await card('mei.chen@auroraworks.example');
    expect(mei).toMatchObject({ title: 'Product Designer', department: 'Design' });
    expect(mei.managerChain[0].displayName).toBe('Priya Natarajan');
  });

  it('resolves aliases case-insensitively to the same person', async () => {
    const a = await lookup('PRIYA@auroraworks.example');
    const b = await lookup('p.natarajan@AuroraWorks.example');
    expect(a.displayName).toBe('Priya Natarajan');
    expect(b.id).toBe(a.id);
  });

  it("serves Sam's photo as a PNG with an ETag", async () => {
    const sam = await lookup(SAM);
    const res = await server.api('GET', `/v1/people/${sam.id}/photo`, { as: SAM });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(bytes.length).toBeLessThan(100 * 1024);
    const again = await server.api('GET', `/v1/people/${sam.id}/photo`, { as: SAM, headers: { 'If-None-Match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('has the external contact Jordan Blake and a disabled account', async () => {
    const jordan = await card('jordan.blake@partner.example');
    expect(jordan).toMatchObject({ displayName: 'Jordan Blake', kind: 'contact', company: 'Partner Consulting' });
    const db = server.deps.store.db as Kysely<DirectoryTables>;
    expect(await db.selectFrom('people').select('id').where('disabled', '=', 1).execute()).toHaveLength(1);
  });

  it('makes the members of "Presence Admins" admins (ADMIN_GROUP)', async () => {
    const me = async (email: string) => ((await (await server.api('GET', '/v1/me', { as: email })).json()) as { isAdmin: boolean }).isAdmin;
    expect(await me('diego.ramos@auroraworks.example')).toBe(true);
    expect(await me(SAM)).toBe(false);
  });

  it('an LDAP-filter injection attempt in people search is just text: 200, nothing matches', async () => {
    for (const q of ['*)(uid=*))(|(uid=*', '*', '%', '_', "' or 1=1 --"]) {
      const res = await server.api('GET', `/v1/people/search?q=${encodeURIComponent(q)}`, { as: SAM });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { results: unknown[] }).results).toEqual([]);
    }
    const ok = await server.api('GET', `/v1/people/search?q=${encodeURIComponent('okafor')}`, { as: SAM });
    expect(((await ok.json()) as { results: Person[] }).results.map((p) => p.email)).toEqual([SAM]);
  });

  it('a restart with the same file is a no-op run', async () => {
    await server.close();
    server = await startTestServer({ env });
    const db = server.deps.store.db as Kysely<SyncTables>;
    const runs = await db.selectFrom('sync_runs').selectAll().orderBy('started_at').execute();
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({ status: 'ok', entries: 0, added: 0, updated: 0, missing: 0, deleted: 0 });
  });
});
