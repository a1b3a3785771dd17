import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import { loadConfig, ROOT_DIR } from '../../core/config/index.js';
import { openStore, type Store } from '../../core/store/index.js';
import { StoreDirectoryReader } from '../../directory-sync/directory/directory-reader.js';
import type { DirectoryTables } from '../../directory-sync/directory/tables.js';
import { builtinSources, runSync, type RunSyncOptions } from '../../directory-sync/engine/index.js';
import { createLogger } from '../../core/log/index.js';
import type { SyncTables } from '../../directory-sync/engine/tables.js';
import { snapshot, tempStore } from '../../directory-sync/engine/test-helpers.js';
import { createActiveDirectorySource, guidToString, readDcIdentity, type ActiveDirectorySource } from '../../directory-sync/sources/active-directory/index.js';
import { createLdapConnection, escapeFilterValue, ldapConnectionOptionsFromConfig } from '../../directory-sync/sources/ldap-common/index.js';
import { createTempDatabase } from '../support/postgres.js';
import { SambaAd } from '../support/samba-ad.js';
import {
  addContact,
  addGroup,
  addOu,
  addServiceAccount,
  addUser,
  addValues,
  deleteValues,
  inParallel,
  pngPhoto,
  replace,
  UAC_DISABLED,
} from './ad-fixtures.js';

/**
 * The `ad` source through the real sync engine against one real Samba AD DC, provisioned once for
 * the whole file. The scenarios run in order on one SQLite store, like a directory living its life.
 */
const BULK = 1600;
const LEAVERS = 200;
const SVC_PASSWORD = 'Svc-Presence-2026!';

let dc: SambaAd;
let store: Store & { dispose(): Promise<void> };
let source: ActiveDirectorySource;
let reader: StoreDirectoryReader;
let BASE: string;
const dn: Record<string, string> = {};

const db = () => store.db as Kysely<DirectoryTables & SyncTables>;

/** The AD configuration as an admin would write it: LDAPS, Samba's CA, the name on its certificate. */
function adEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    LDAP_URL: dc.ldapsUrl,
    LDAP_KIND: 'ad',
    LDAP_BIND_DN: dc.adminBindDn,
    LDAP_BIND_PASSWORD: dc.adminPassword,
    LDAP_BASE_DN: BASE,
    LDAP_CA_FILE: dc.caFile,
    LDAP_TLS_SERVER_NAME: dc.tlsServerName,
    LDAP_TIMEOUT_SECONDS: '20',
    ...extra,
  };
}
const adConfig = (extra: Record<string, string | undefined> = {}) => loadConfig(adEnv(extra), { dotEnvFile: false });

/** Grace of an hour unless a test asks otherwise: "missing" and "deleted" stay apart. */
const sync = (options: Partial<RunSyncOptions> = {}, src: ActiveDirectorySource = source, st: Store = store) =>
  runSync(src, { store: st, ...options, limits: { graceSeconds: 3600, ...options.limits } });

async function personByEmail(email: string) {
  return db()
    .selectFrom('person_emails')
    .innerJoin('people', 'people.id', 'person_emails.person_id')
    .innerJoin('person_sources', 'person_sources.person_id', 'people.id')
    .selectAll('people')
    .select(['person_sources.external_id', 'person_sources.dn'])
    .where('person_emails.email', '=', email)
    .executeTakeFirst();
}
async function personByExternalId(externalId: string) {
  return db()
    .selectFrom('person_sources')
    .innerJoin('people', 'people.id', 'person_sources.person_id')
    .selectAll('people')
    .select(['person_sources.external_id', 'person_sources.dn'])
    .where('person_sources.external_id', '=', externalId)
    .executeTakeFirstOrThrow();
}
const groupsOf = (p: { groups: string }) => (JSON.parse(p.groups) as string[]).slice().sort();
async function watermark() {
  const row = await db().selectFrom('sync_state').select('watermark').where('source', '=', 'ad').executeTakeFirstOrThrow();
  return JSON.parse(row.watermark!) as { usn: number; dsServiceName: string; invocationId: string };
}
async function rawGuid(entryDn: string): Promise<Buffer> {
  return dc.withAdmin(async (c) => {
    const { searchEntries } = await c.search(entryDn, { scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] });
    return searchEntries[0]!.objectGUID as Buffer;
  });
}
const liveCount = async () =>
  Number(
    (
      await db()
        .selectFrom('people')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('deleted_at', 'is', null)
        .where('missing_since', 'is', null)
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  dc = await SambaAd.create();
  BASE = `OU=Aurora,${dc.baseDn}`;
  await dc.withAdmin(async (c) => {
    for (const ou of [
      BASE,
      `OU=Sales,${BASE}`,
      `OU=Engineering,${BASE}`,
      `OU=Contacts,${BASE}`,
      `OU=Bulk,${BASE}`,
      `OU=Leavers,${BASE}`,
      `OU=Groups,${dc.baseDn}`,
      `OU=Outside,${dc.baseDn}`,
    ])
      await addOu(c, ou);
    const sales = `OU=Sales,${BASE}`;
    const eng = `OU=Engineering,${BASE}`;
    dn.alice = await addUser(dc, c, sales, {
      cn: 'Alice Archer',
      sam: 'alice',
      givenName: 'Alice',
      sn: 'Archer',
      displayName: 'Alice Archer',
      mail: 'alice.archer@aurora.test',
      proxyAddresses: ['SMTP:alice.archer@aurora.test', 'smtp:alice@aurora.test', 'X500:/o=Aurora/ou=Exchange/cn=Recipients/cn=alice', 'SIP:alice@aurora.test'],
      title: 'VP Sales',
      department: 'Sales',
      company: 'Aurora Ltd',
      office: 'Berlin 3.14',
      telephoneNumber: '+49 30 1234',
      mobile: '+49 170 5550',
      photo: pngPhoto(8, [200, 30, 30]),
    });
    dn.bob = await addUser(dc, c, sales, {
      cn: 'Bob Baker',
      sam: 'bob',
      displayName: 'Bob Baker',
      mail: 'Bob.Baker@aurora.test',
      title: 'Account Manager',
      manager: dn.alice,
    });
    dn.carol = await addUser(dc, c, eng, { cn: 'Carol Chen', sam: 'carol', displayName: 'Carol Chen', mail: 'carol.chen@aurora.test' });
    dn.dan = await addUser(dc, c, eng, { cn: 'Dan Dormant', sam: 'dan', displayName: 'Dan Dormant', mail: 'dan.dormant@aurora.test', disabled: true });
    dn.dave = await addUser(dc, c, eng, { cn: 'Dave Doomed', sam: 'dave', displayName: 'Dave Doomed', mail: 'dave.doomed@aurora.test' });
    dn.erin = await addUser(dc, c, eng, { cn: 'Erin Evans', sam: 'erin', displayName: 'Erin Evans', proxyAddresses: ['SMTP:erin.evans@aurora.test'] });
    dn.frank = await addUser(dc, c, eng, { cn: 'Frank Foto', sam: 'frank', displayName: 'Frank Foto', mail: 'frank.foto@aurora.test' });
    dn.gina = await addUser(dc, c, eng, { cn: 'Gina Gone', sam: 'gina', displayName: 'Gina Gone', mail: 'gina.gone@aurora.test' });
    dn.xavier = await addContact(c, `OU=Contacts,${BASE}`, {
      cn: 'Xavier External',
      displayName: 'Xavier External',
      proxyAddresses: ['SMTP:xavier@partner.example', 'smtp:x@partner.example'],
      company: 'Partner Inc',
    });
    dn.yara = await addContact(c, `OU=Contacts,${BASE}`, { cn: 'Yara Vendor', displayName: 'Yara Vendor', mail: 'yara@vendor.example' });
    dn.nomail = await addContact(c, `OU=Contacts,${BASE}`, { cn: 'No Mail Contact', displayName: 'No Mail Contact' });
    dn.outsider = await addUser(dc, c, `OU=Outside,${dc.baseDn}`, { cn: 'Olga Outsider', sam: 'olga', mail: 'olga@aurora.test' });
    dn.svc = await addServiceAccount(c, `OU=Outside,${dc.baseDn}`, 'svc-presence', SVC_PASSWORD);
    const groups = `OU=Groups,${dc.baseDn}`;
    dn.engTeam = await addGroup(c, groups, 'Engineering Team', [dn.dave, dn.erin]);
    dn.allStaff = await addGroup(c, groups, 'All Staff', [dn.engTeam, dn.alice]);
    dn.admins = await addGroup(c, groups, 'Presence Admins', [dn.alice]);
  });
  const bulkDns: string[] = [];
  await inParallel(dc, BULK, async (c, i) => {
    const n = String(i).padStart(4, '0');
    bulkDns[i] = await addUser(dc, c, `OU=Bulk,${BASE}`, { cn: `Bulk ${n}`, sam: `bulk${n}`, displayName: `Bulk User ${n}`, mail: `bulk${n}@aurora.test` });
  });
  await dc.withAdmin(async (c) => {
    dn.bulkGroup = await addGroup(c, `OU=Groups,${dc.baseDn}`, 'Bulk Group', bulkDns);
  });
  dn.bulk = bulkDns.join('\n');
  // Leavers: in no group (deleting a member of a 1,600-member group costs Samba ~5x more).
  const leaverDns: string[] = [];
  await inParallel(dc, LEAVERS, async (c, i) => {
    const n = String(i).padStart(3, '0');
    leaverDns[i] = await addUser(dc, c, `OU=Leavers,${BASE}`, { cn: `Leaver ${n}`, sam: `leaver${n}`, mail: `leaver${n}@aurora.test` });
  });
  dn.leavers = leaverDns.join('\n');
  store = await tempStore();
  reader = new StoreDirectoryReader(store);
  source = createActiveDirectorySource(adConfig());
}, 240_000);

afterAll(async () => {
  await source?.close();
  await store?.dispose();
  await dc?.destroy();
}, 60_000);

const IN_SCOPE = 8 + 2 + BULK + LEAVERS; // 8 users under OU=Aurora, 2 mail-enabled contacts, the bulk users, the leavers

describe("ad source against a real Samba AD DC (LDAPS with Samba's CA)", () => {
  it("LDAP_KIND=ad configures exactly the ad source in the engine's registry", async () => {
    const sources = await builtinSources().create({ config: adConfig(), log: createLogger('silent') });
    try {
      expect(sources.map((s) => s.name)).toEqual(['ad']);
    } finally {
      for (const s of sources) await s.close?.();
    }
  });

  it('initial full sync: users and mail-enabled contacts, attributes, managers, disabled, nested groups, watermark', async () => {
    const r = await sync();
    expect(r).toMatchObject({ status: 'ok', mode: 'full', added: IN_SCOPE, skipped: 0 });
    expect(await liveCount()).toBe(IN_SCOPE);

    const alice = await personByEmail('alice.archer@aurora.test');
    const card = await reader.getCard(alice!.id);
    expect(card).toMatchObject({
      kind: 'person',
      displayName: 'Alice Archer',
      givenName: 'Alice',
      surname: 'Archer',
      title: 'VP Sales',
      department: 'Sales',
      company: 'Aurora Ltd',
      office: 'Berlin 3.14',
      upn: `alice@${dc.dnsDomain}`,
      disabled: false,
      hasPhoto: true,
    });
    // SMTP: primary, smtp: alias; X500: and SIP: are not mail addresses.
    expect(card!.aliases).toEqual(['alice@aurora.test']);
    expect(card!.phones).toEqual(
      expect.arrayContaining([
        { type: 'business', number: '+49 30 1234' },
        { type: 'mobile', number: '+49 170 5550' },
      ]),
    );
    expect([...card!.groups].sort()).toEqual(['All Staff', 'Presence Admins']);
    expect(await reader.lookupEmails(['sip:alice@aurora.test', 'alice@aurora.test']).then((m) => [...m.values()].map((p) => p?.id ?? null))).toEqual([
      null,
      alice!.id,
    ]);

    // mail is the fallback when there is no SMTP: proxy address; the manager DN resolves.
    const bob = await personByEmail('bob.baker@aurora.test');
    expect((await reader.getCard(bob!.id))!.managerChain.map((m) => m.email)).toEqual(['alice.archer@aurora.test']);

    // Disabled accounts are kept, marked.
    expect(await personByEmail('dan.dormant@aurora.test')).toMatchObject({ disabled: 1, deleted_at: null });

    // Contacts: kind contact; one without any address is not mail-enabled and not synced.
    expect(await personByEmail('xavier@partner.example')).toMatchObject({ kind: 'contact', display_name: 'Xavier External', company: 'Partner Inc' });
    expect(await personByEmail('x@partner.example')).toMatchObject({ kind: 'contact' });
    expect(await personByEmail('yara@vendor.example')).toMatchObject({ kind: 'contact' });
    expect(await db().selectFrom('people').select('id').where('display_name', '=', 'No Mail Contact').execute()).toEqual([]);
    // Outside the base DN: not synced.
    expect(await personByEmail('olga@aurora.test')).toBeUndefined();

    // Nested group: Erin is in Engineering Team, which is in All Staff.
    expect(groupsOf((await personByEmail('erin.evans@aurora.test'))!)).toEqual(['All Staff', 'Engineering Team']);

    const identity = await readDcIdentity(createLdapConnection(ldapConnectionOptionsFromConfig(adConfig())));
    expect(await watermark()).toMatchObject({ dsServiceName: identity.dsServiceName, invocationId: identity.invocationId });
    expect((await watermark()).usn).toBeLessThanOrEqual(identity.usn);
  });

  it('group membership over 1,500 members comes complete through member;range= retrieval', async () => {
    const members = await db().selectFrom('people').select(['groups']).where('primary_email', 'like', 'bulk%@aurora.test').execute();
    expect(members).toHaveLength(BULK);
    expect(members.filter((p) => groupsOf(p).includes('Bulk Group'))).toHaveLength(BULK);
    // 1,600 members did not fit in the first range of 1,500: a second ranged read was needed.
    expect(source.lastGroupStats?.rangedReads).toBeGreaterThanOrEqual(1);
    // The last member of the second range, as a spot check.
    expect(groupsOf((await personByEmail(`bulk${String(BULK - 1).padStart(4, '0')}@aurora.test`))!)).toEqual(['Bulk Group']);
  });

  it('objectGUID: string form in AD byte order (as samba-tool prints it), immutableId = base64 of the raw bytes', async () => {
    const alice = await personByEmail('alice.archer@aurora.test');
    const shown = dc.sambaToolUserShow('alice');
    expect(alice!.external_id).toBe(shown.objectGUID![0]!.toLowerCase());
    const raw = await rawGuid(dn.alice!);
    expect(alice!.immutable_id).toBe(raw.toString('base64'));
    // Independent decoding: the first three fields are little-endian.
    const hex = raw.toString('hex');
    const le = (h: string) => h.match(/../g)!.reverse().join('');
    expect(alice!.external_id).toBe(`${le(hex.slice(0, 8))}-${le(hex.slice(8, 12))}-${le(hex.slice(12, 16))}-${hex.slice(16, 20)}-${hex.slice(20)}`);
    expect(guidToString(raw)).toBe(alice!.external_id);
  });

  it('modify: an incremental pass picks up a changed title and nothing else', async () => {
    await dc.withAdmin((c) => replace(c, dn.alice!, 'title', ['Chief Revenue Officer']));
    const r = await sync();
    expect(r).toMatchObject({ status: 'ok', mode: 'incremental', updated: 1, added: 0, deleted: 0, missing: 0 });
    expect(r.entries).toBeLessThan(5);
    expect(await personByEmail('alice.archer@aurora.test')).toMatchObject({ title: 'Chief Revenue Officer' });
  });

  it('rename and OU move keep the same person', async () => {
    const before = await personByEmail('bob.baker@aurora.test');
    const newDn = `CN=Robert Baker,OU=Engineering,${BASE}`;
    await dc.withAdmin(async (c) => {
      await c.modifyDN(dn.bob!, newDn);
      await replace(c, newDn, 'displayName', ['Robert Baker']);
    });
    dn.bob = newDn;
    const r = await sync();
    expect(r).toMatchObject({ status: 'ok', mode: 'incremental', added: 0, missing: 0 });
    const after = await personByEmail('bob.baker@aurora.test');
    expect(after).toMatchObject({ id: before!.id, external_id: before!.external_id, display_name: 'Robert Baker', deleted_at: null });
    expect(after!.dn!.toLowerCase()).toBe(newDn.toLowerCase());
    expect(await liveCount()).toBe(IN_SCOPE);
  });

  it('disable: the account is kept and marked disabled', async () => {
    await dc.withAdmin((c) => replace(c, dn.carol!, 'userAccountControl', [UAC_DISABLED]));
    const r = await sync();
    expect(r).toMatchObject({ status: 'ok', mode: 'incremental', disabled: 1, missing: 0 });
    expect(await personByEmail('carol.chen@aurora.test')).toMatchObject({ disabled: 1, deleted_at: null, missing_since: null });
  });

  it('alias added, then removed', async () => {
    const erin = await personByEmail('erin.evans@aurora.test');
    await dc.withAdmin((c) => addValues(c, dn.erin!, 'proxyAddresses', ['smtp:erin@aurora.test', 'SIP:erin@aurora.test']));
    await sync();
    expect((await reader.lookupEmails(['erin@aurora.test'])).get('erin@aurora.test')?.id).toBe(erin!.id);
    await dc.withAdmin((c) => deleteValues(c, dn.erin!, 'proxyAddresses', ['smtp:erin@aurora.test']));
    await sync();
    expect((await reader.lookupEmails(['erin@aurora.test'])).get('erin@aurora.test')).toBeNull();
    expect(await reader.emailsOf(erin!.id)).toEqual(['erin.evans@aurora.test']);
  });

  it('photo added, then changed', async () => {
    const frank = await personByEmail('frank.foto@aurora.test');
    expect(await reader.getPhoto(frank!.id)).toBeNull();
    const red = pngPhoto(16, [220, 0, 0]);
    await dc.withAdmin((c) => replace(c, dn.frank!, 'thumbnailPhoto', [red]));
    await sync();
    const first = await reader.getPhoto(frank!.id);
    expect(Buffer.from(first!.bytes).equals(red)).toBe(true);
    expect(first!.contentType).toBe('image/png');
    const blue = pngPhoto(16, [0, 0, 220]);
    await dc.withAdmin((c) => replace(c, dn.frank!, 'thumbnailPhoto', [blue]));
    await sync();
    const second = await reader.getPhoto(frank!.id);
    expect(Buffer.from(second!.bytes).equals(blue)).toBe(true);
    expect(second!.etag).not.toBe(first!.etag);
  });

  it('nested group: a member added to a nested group gets both groups, and loses them when removed', async () => {
    await dc.withAdmin((c) => addValues(c, dn.engTeam!, 'member', [dn.carol!]));
    // AD does not touch Carol's uSNChanged when a group changes: the source must notice the group.
    const r1 = await sync();
    expect(r1.status).toBe('ok');
    expect(groupsOf((await personByEmail('carol.chen@aurora.test'))!)).toEqual(['All Staff', 'Engineering Team']);
    // Cross-check with the DC's own transitive expansion (LDAP_MATCHING_RULE_IN_CHAIN, which Samba implements).
    const inChain = await dc.withAdmin(async (c) => {
      const filter = `(member:1.2.840.113556.1.4.1941:=${escapeFilterValue(dn.carol!)})`;
      const { searchEntries } = await c.search(dc.baseDn, { scope: 'sub', filter, attributes: ['cn'] });
      return searchEntries.map((e) => String(e.cn)).sort();
    });
    expect(inChain).toEqual(['All Staff', 'Engineering Team']);
    await dc.withAdmin((c) => deleteValues(c, dn.engTeam!, 'member', [dn.carol!]));
    const r2 = await sync();
    expect(r2).toMatchObject({ status: 'ok', missing: 0 });
    expect(groupsOf((await personByEmail('carol.chen@aurora.test'))!)).toEqual([]);
    expect(groupsOf((await personByEmail('erin.evans@aurora.test'))!)).toEqual(['All Staff', 'Engineering Team']);
  });

  it('delete: the tombstone marks the person missing, a later run after the grace period purges', async () => {
    const dave = await personByEmail('dave.doomed@aurora.test');
    await dc.withAdmin((c) => c.del(dn.dave!));
    const r1 = await sync();
    expect(r1).toMatchObject({ status: 'ok', mode: 'incremental', missing: 1, deleted: 0 });
    const marked = await personByExternalId(dave!.external_id);
    expect(marked.missing_since).not.toBeNull();
    expect(marked.deleted_at).toBeNull();
    const r2 = await sync({ limits: { graceSeconds: 0 } });
    expect(r2).toMatchObject({ status: 'ok', deleted: 1 });
    expect((await personByExternalId(dave!.external_id)).deleted_at).not.toBeNull();
    expect(await reader.getSummary(dave!.id)).toBeNull();
  });

  it('a user moved out of the base DN is reported gone', async () => {
    const gina = await personByEmail('gina.gone@aurora.test');
    await dc.withAdmin((c) => c.modifyDN(dn.gina!, `CN=Gina Gone,OU=Outside,${dc.baseDn}`));
    const r = await sync();
    expect(r).toMatchObject({ status: 'ok', mode: 'incremental', missing: 1 });
    expect((await personByExternalId(gina!.external_id)).missing_since).not.toBeNull();
  });

  it('the DC stopped mid-run: the run fails, nothing is deleted, the next run completes', async () => {
    const before = await snapshot(store);
    const paged = createActiveDirectorySource(adConfig({ LDAP_TIMEOUT_SECONDS: '5' }), { pageSize: 100 });
    try {
      let killed = false;
      const r1 = await sync(
        {
          full: true,
          onBatch: (i) => {
            if (i === 1 && !killed) {
              killed = true;
              void dc.kill(); // SIGKILL is sent synchronously, before the next page is asked for
            }
          },
        },
        paged,
      );
      expect(killed).toBe(true);
      expect(r1.status).toBe('failed');
      expect(r1).toMatchObject({ missing: 0, deleted: 0 });
      expect(await snapshot(store)).toEqual(before);
      await dc.kill();
      await dc.start();
      // The interrupted full pass is redone; the same source object reconnects by itself.
      const r2 = await sync({}, paged);
      expect(r2).toMatchObject({ status: 'ok', mode: 'full', missing: 0, deleted: 0 });
      expect(await snapshot(store)).toEqual(before);
    } finally {
      await paged.close();
    }
  }, 120_000);

  it('the sync process killed mid-run and rerun ends like an uninterrupted run: no loss, no duplicates', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ad-kill-'));
    const file = path.join(dir, 'db.sqlite');
    const reference = await tempStore();
    try {
      const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT_DIR, 'test/directory-sync-ad/sync-child.ts'), file, '3'], {
        cwd: ROOT_DIR,
        env: { ...process.env, ...adEnv(), LOG_LEVEL: 'silent', NODE_OPTIONS: '' },
        encoding: 'utf8',
        timeout: 90_000,
      });
      expect({ signal: child.signal, stderr: child.signal ? '' : child.stderr }).toEqual({ signal: 'SIGKILL', stderr: '' });
      const killed = await openStore({ kind: 'sqlite', file });
      try {
        // Four pages of 100 were committed when the process died.
        const partial = Number(
          (
            await (killed.db as Kysely<DirectoryTables>)
              .selectFrom('people')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
        expect(partial).toBe(400);
        const src = createActiveDirectorySource(adConfig());
        try {
          expect(await sync({}, src, killed)).toMatchObject({ status: 'ok', mode: 'full', missing: 0, deleted: 0 });
        } finally {
          await src.close();
        }
        const ref = createActiveDirectorySource(adConfig());
        try {
          expect(await sync({}, ref, reference)).toMatchObject({ status: 'ok', mode: 'full' });
        } finally {
          await ref.close();
        }
        const [a, b] = [await snapshot(killed), await snapshot(reference)];
        expect(a.length).toBeGreaterThan(1000);
        expect(a).toEqual(b);
        const dupes = await (killed.db as Kysely<DirectoryTables>)
          .selectFrom('person_sources')
          .select(['external_id', (eb) => eb.fn.countAll().as('n')])
          .groupBy('external_id')
          .having((eb) => eb.fn.countAll(), '>', 1)
          .execute();
        expect(dupes).toEqual([]);
      } finally {
        await killed.close();
      }
    } finally {
      await reference.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('a mass deletion over the cap is blocked and reported, then applied with allowDeletes', async () => {
    const victims = dn.leavers!.split('\n');
    expect(victims).toHaveLength(200);
    await inParallel(dc, victims.length, (c, i) => c.del(victims[i]!));
    const live = await liveCount();
    const r1 = await sync();
    expect(r1.status).toBe('deletions_blocked');
    expect(r1.blockedDeletions).toBe(200);
    expect(r1.missing).toBe(0);
    expect(r1.warnings.join('\n')).toMatch(/200 deletions exceed the cap of 1\d\d/);
    expect(await liveCount()).toBe(live);
    const r2 = await sync({ allowDeletes: true });
    expect(r2).toMatchObject({ status: 'ok', missing: 200 });
    expect(await liveCount()).toBe(live - 200);
  }, 120_000);

  it('an invocationId change (DC restored from backup) forces a full resync', async () => {
    const old = await watermark();
    const { before, after } = await dc.changeInvocationId();
    expect(before).toBe(old.invocationId);
    await dc.withAdmin((c) => replace(c, dn.erin!, 'title', ['Staff Engineer']));
    const r = await sync();
    expect(r.status).toBe('ok');
    expect(r.mode).toBe('full');
    expect(r.warnings.join('\n')).toMatch(/invocationId changed/);
    expect(r.entries).toBeGreaterThan(1000);
    const now = await watermark();
    expect(now).toMatchObject({ invocationId: after, dsServiceName: old.dsServiceName });
    expect(await personByEmail('erin.evans@aurora.test')).toMatchObject({ title: 'Staff Engineer' });
    // The next pass is incremental again.
    expect((await sync()).mode).toBe('incremental');
  }, 120_000);

  it("LDAPS is verified: without Samba's CA, or with the wrong certificate name, the run fails and changes nothing", async () => {
    const empty = await tempStore();
    try {
      for (const env of [{ LDAP_CA_FILE: undefined }, { LDAP_TLS_SERVER_NAME: 'not-the-dc.example' }]) {
        const src = createActiveDirectorySource(adConfig(env));
        try {
          const r = await runSync(src, { store: empty });
          expect(r.status).toBe('failed');
          expect(r.error).toMatch(/certificate|altnames|self.signed|Hostname/i);
        } finally {
          await src.close();
        }
      }
      expect(await snapshot(empty)).toEqual([]);
    } finally {
      await empty.dispose();
    }
  });

  it('the same directory lands identically in SQLite and PostgreSQL', async () => {
    const pg = await createTempDatabase('adsync');
    const pgStore = await tempStore(pg.url);
    const sqlite = await tempStore();
    try {
      for (const st of [sqlite, pgStore]) {
        const src = createActiveDirectorySource(adConfig());
        try {
          const r = await sync({}, src, st);
          expect(r).toMatchObject({ status: 'ok', mode: 'full', skipped: 0 });
        } finally {
          await src.close();
        }
      }
      const [a, b] = [await snapshot(sqlite), await snapshot(pgStore)];
      expect(a.length).toBeGreaterThan(1000);
      expect(b).toEqual(a);
    } finally {
      await pgStore.dispose();
      await sqlite.dispose();
      await pg.drop();
    }
  }, 120_000);
  it('a plain Domain Users service account syncs; tombstones it may not read are caught by the next full pass', async () => {
    const svcStore = await tempStore();
    const src = createActiveDirectorySource(adConfig({ LDAP_BIND_DN: `svc-presence@${dc.dnsDomain}`, LDAP_BIND_PASSWORD: SVC_PASSWORD }));
    try {
      const full = await sync({}, src, svcStore);
      expect(full).toMatchObject({ status: 'ok', mode: 'full', skipped: 0 });
      expect(full.added).toBeGreaterThan(1000);
      const tina = await dc.withAdmin((c) => addUser(dc, c, `OU=Sales,${BASE}`, { cn: 'Tina Temp', sam: 'tina', mail: 'tina.temp@aurora.test' }));
      const added = await sync({}, src, svcStore);
      expect(added).toMatchObject({ status: 'ok', mode: 'incremental', added: 1 });
      await dc.withAdmin((c) => c.del(tina));
      // Samba hands a non-admin no tombstones (no error): the incremental pass cannot see the delete.
      const inc = await sync({}, src, svcStore);
      expect(inc).toMatchObject({ status: 'ok', mode: 'incremental', missing: 0 });
      const reconcile = await sync({ full: true }, src, svcStore);
      expect(reconcile).toMatchObject({ status: 'ok', mode: 'full', missing: 1 });
      const row = await (svcStore.db as Kysely<DirectoryTables>)
        .selectFrom('people')
        .select(['missing_since'])
        .where('primary_email', '=', 'tina.temp@aurora.test')
        .executeTakeFirstOrThrow();
      expect(row.missing_since).not.toBeNull();
    } finally {
      await src.close();
      await svcStore.dispose();
    }
  }, 120_000);
});
