// The ldap source through the real engine (runSync) into a temp SQLite store, against a real
// slapd: what an admin sees after each kind of directory change.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import type { Kysely } from 'kysely';
import { loadConfig } from '../../core/config/index.js';
import { StoreDirectoryReader } from '../../directory-sync/directory/index.js';
import type { DirectoryTables } from '../../directory-sync/directory/index.js';
import { runSync } from '../../directory-sync/engine/index.js';
import { snapshot, tempStore } from '../../directory-sync/engine/test-helpers.js';
import { createLdapSource, type LdapSource } from '../../directory-sync/sources/ldap/index.js';
import { baseLdif, startSlapd, type Slapd } from '../support/slapd.js';
import { GROUPS_DN, PEOPLE_DN, groupDn, groupLdif, personDn, personLdif, photoBytes, type PersonSpec } from './fixtures.js';

type TempStore = Awaited<ReturnType<typeof tempStore>>;
let ldap: Slapd | undefined;
let store: TempStore | undefined;
const sources: LdapSource[] = [];

afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  await store?.dispose();
  store = undefined;
  await ldap?.cleanup();
  ldap = undefined;
});

const people = (n: number, extra: (i: number) => Partial<PersonSpec> = () => ({})): PersonSpec[] =>
  Array.from({ length: n }, (_, i) => ({ uid: `u${String(i).padStart(4, '0')}`, ...extra(i) }));

async function setup(specs: PersonSpec[], groups = ''): Promise<{ ldap: Slapd; store: TempStore }> {
  ldap = await startSlapd({ ldif: baseLdif() + specs.map(personLdif).join('') + groups });
  store = await tempStore();
  return { ldap, store };
}

function source(env: Record<string, string> = {}, tuning: { pageSize?: number; batchSize?: number; spareIdleMs?: number } = {}): LdapSource {
  const s = createLdapSource(loadConfig(ldap!.env(env), { dotEnvFile: false }), undefined, tuning)!;
  sources.push(s);
  return s;
}

const db = () => store!.db as Kysely<DirectoryTables>;
const personRow = async (email: string) =>
  db()
    .selectFrom('people')
    .innerJoin('person_emails', 'person_emails.person_id', 'people.id')
    .selectAll('people')
    .where('person_emails.email', '=', email)
    .executeTakeFirst();
const liveCount = async () =>
  Number(
    (
      await db()
        .selectFrom('people')
        .where('deleted_at', 'is', null)
        .where('missing_since', 'is', null)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('ldap source → engine → store (real slapd)', () => {
  it('initial full sync: people, aliases, manager chain, photo, disabled flag, office data', async () => {
    const specs = people(30, (i) => ({
      manager: i === 0 ? undefined : personDn('u0000'),
      aliases: i === 1 ? ['one.alias@example.com'] : [],
      disabled: i === 2,
      photo: i === 3 ? photoBytes(3) : undefined,
      title: i === 0 ? 'CEO' : 'Engineer',
    }));
    await setup(specs);
    const report = await runSync(source({}, { pageSize: 7 }), { store: store! });
    expect(report).toMatchObject({ status: 'ok', mode: 'full', entries: 30, added: 30, updated: 0, skipped: 0 });
    const reader = new StoreDirectoryReader(store!);
    const found = await reader.lookupEmails(['ONE.ALIAS@example.com', 'u0003@example.com', 'nobody@example.com']);
    const one = found.get('ONE.ALIAS@example.com')!;
    expect(one.email).toBe('u0001@example.com');
    expect(found.get('nobody@example.com')).toBeNull();
    const card = await reader.getCard(one.id);
    expect(card).toMatchObject({
      displayName: 'Person u0001',
      title: 'Engineer',
      department: 'Engineering',
      company: 'Example Corp',
      office: 'Paris',
      aliases: ['one.alias@example.com'],
    });
    expect(card!.managerChain.map((m) => m.email)).toEqual(['u0000@example.com']);
    const photoOwner = found.get('u0003@example.com')!;
    expect(photoOwner.hasPhoto).toBe(true);
    expect(Buffer.from((await reader.getPhoto(photoOwner.id))!.bytes).equals(photoBytes(3))).toBe(true);
    expect((await personRow('u0002@example.com'))!.disabled).toBe(1);
    expect((await personRow('u0004@example.com'))!.disabled).toBe(0);
  });

  it('modify, disable, alias added and removed, photo changed: each picked up by an incremental pass', async () => {
    await setup(
      people(10, (i) => ({ photo: i === 5 ? photoBytes(5) : undefined })),
      groupLdif('team', [personDn('u0001')]),
    );
    await runSync(source(), { store: store! });
    const reader = new StoreDirectoryReader(store!);
    const idOf = async (email: string) => (await reader.lookupEmails([email])).get(email)!.id;
    const id1 = await idOf('u0001@example.com');

    await ldap!.ldapmodify(
      `dn: ${personDn('u0001')}\nchangetype: modify\nreplace: title\ntitle: Director\n-\nreplace: userAccountControl\nuserAccountControl: 514\n-\nadd: proxyAddresses\nproxyAddresses: smtp:director@example.com\nproxyAddresses: X500:/o=ignored\n\n`,
    );
    await ldap!.ldapmodify(`dn: ${personDn('u0005')}\nchangetype: modify\nreplace: jpegPhoto\njpegPhoto:: ${photoBytes(55).toString('base64')}\n\n`);
    // Small pages: the incremental pass reads several pages and needs the group members too.
    const r1 = await runSync(source({}, { pageSize: 3 }), { store: store! });
    // Everyone was created within the 5-minute safety overlap, so all ten are re-read; two changed.
    expect(r1).toMatchObject({ status: 'ok', mode: 'incremental', updated: 2, added: 0, unchanged: 8 });
    const card = await reader.getCard(id1);
    expect(card).toMatchObject({ title: 'Director', disabled: true, aliases: ['director@example.com'], groups: ['team'] });
    expect((await reader.lookupEmails(['director@example.com'])).get('director@example.com')!.id).toBe(id1);
    const photo = await reader.getPhoto(await idOf('u0005@example.com'));
    expect(Buffer.from(photo!.bytes).equals(photoBytes(55))).toBe(true);

    // Alias removed, account enabled again, photo removed.
    await ldap!.ldapmodify(`dn: ${personDn('u0001')}\nchangetype: modify\ndelete: proxyAddresses\n-\nreplace: userAccountControl\nuserAccountControl: 512\n\n`);
    await ldap!.ldapmodify(`dn: ${personDn('u0005')}\nchangetype: modify\ndelete: jpegPhoto\n\n`);
    const r2 = await runSync(source(), { store: store! });
    expect(r2).toMatchObject({ status: 'ok', mode: 'incremental', added: 0 });
    expect((await reader.lookupEmails(['director@example.com'])).get('director@example.com')).toBeNull();
    expect(await reader.getCard(id1)).toMatchObject({ disabled: false, aliases: [] });
    expect(await reader.getPhoto(await idOf('u0005@example.com'))).toBeNull();
  });

  it('rename (modrdn) and OU move keep the same person, and reports follow their moved manager', async () => {
    await setup(people(5, (i) => ({ manager: i ? personDn('u0000') : undefined })));
    await ldap!.ldapadd(`dn: ou=moved,dc=example,dc=com\nobjectClass: organizationalUnit\nou: moved\n\n`);
    await runSync(source(), { store: store! });
    const before0 = await personRow('u0000@example.com');
    const before1 = await personRow('u0001@example.com');
    // The boss moves to another OU; u0001 is renamed in place (new RDN, new mail).
    await ldap!.ldapmodify(`dn: ${personDn('u0000')}\nchangetype: modrdn\nnewrdn: uid=boss\ndeleteoldrdn: 1\nnewsuperior: ou=moved,dc=example,dc=com\n\n`);
    const bossDn = 'uid=boss,ou=moved,dc=example,dc=com';
    let change = '';
    for (let i = 1; i < 5; i++) change += `dn: ${personDn(`u000${i}`)}\nchangetype: modify\nreplace: manager\nmanager: ${bossDn}\n\n`;
    change += `dn: ${personDn('u0001')}\nchangetype: modrdn\nnewrdn: uid=renamed\ndeleteoldrdn: 1\n\n`;
    change += `dn: ${personDn('renamed')}\nchangetype: modify\nreplace: mail\nmail: renamed@example.com\n\n`;
    await ldap!.ldapmodify(change);
    const r = await runSync(source(), { store: store! });
    expect(r).toMatchObject({ status: 'ok', mode: 'incremental', added: 0 });
    const after0 = await personRow('u0000@example.com');
    expect(after0?.id).toBe(before0!.id);
    const after1 = await personRow('renamed@example.com');
    expect(after1?.id).toBe(before1!.id);
    expect(await personRow('u0001@example.com')).toBeUndefined();
    expect(after1!.manager_id).toBe(before0!.id);
    // A full pass afterwards finds nobody missing: still five people.
    const full = await runSync(source(), { store: store!, full: true });
    expect(full).toMatchObject({ status: 'ok', missing: 0, deleted: 0, added: 0 });
    expect(await liveCount()).toBe(5);
  });

  it('delete: invisible to incremental passes, reconciled by the next full pass in two phases', async () => {
    await setup(people(40));
    await runSync(source(), { store: store! });
    await ldap!.ldapmodify(`dn: ${personDn('u0007')}\nchangetype: delete\n\n`);
    const inc = await runSync(source(), { store: store! });
    expect(inc).toMatchObject({ status: 'ok', mode: 'incremental', missing: 0, deleted: 0 });
    expect(await liveCount()).toBe(40);
    // Phase one: marked missing (grace period not over), still findable by id but not live.
    const full = await runSync(source(), { store: store!, full: true, limits: { graceSeconds: 3600 } });
    expect(full).toMatchObject({ status: 'ok', mode: 'full', missing: 1, deleted: 0 });
    const row = await personRow('u0007@example.com');
    expect(row!.missing_since).not.toBeNull();
    expect(row!.deleted_at).toBeNull();
    expect(await liveCount()).toBe(39);
    // Phase two: after the grace period, purged.
    const purge = await runSync(source(), { store: store!, full: true, limits: { graceSeconds: 0 } });
    expect(purge).toMatchObject({ status: 'ok', deleted: 1 });
    const gone = await db().selectFrom('people').selectAll().where('deleted_at', 'is not', null).execute();
    expect(gone).toHaveLength(1);
    expect(await liveCount()).toBe(39);
  });

  it('a group of 2,000 members and a nested group reach every member', async () => {
    const specs = people(2100);
    const bigMembers = specs.slice(0, 2000).map((p) => personDn(p.uid));
    const groups =
      groupLdif('all-staff', bigMembers) + groupLdif('sales-emea', [personDn('u2050')]) + groupLdif('sales', [groupDn('sales-emea'), personDn('u2099')]);
    await setup(specs, groups);
    const r = await runSync(source(), { store: store! });
    expect(r).toMatchObject({ status: 'ok', entries: 2100, added: 2100 });
    const rows = await db().selectFrom('people').select(['primary_email', 'groups']).execute();
    const groupsOf = new Map(rows.map((x) => [x.primary_email, (JSON.parse(x.groups) as string[]).sort()]));
    expect(rows.filter((x) => (JSON.parse(x.groups) as string[]).includes('all-staff'))).toHaveLength(2000);
    expect(groupsOf.get('u1999@example.com')).toEqual(['all-staff']);
    expect(groupsOf.get('u2000@example.com')).toEqual([]);
    expect(groupsOf.get('u2050@example.com')).toEqual(['sales', 'sales-emea']);
    expect(groupsOf.get('u2099@example.com')).toEqual(['sales']);

    // People changing (groups untouched): an incremental pass asks the server for their groups only.
    await ldap!.ldapmodify(['u2050', 'u1999', 'u2000'].map((u) => `dn: ${personDn(u)}\nchangetype: modify\nreplace: title\ntitle: Changed\n\n`).join(''));
    const inc = await runSync(source({}, { pageSize: 2 }), { store: store! });
    expect(inc).toMatchObject({ status: 'ok', mode: 'incremental', missing: 0 });
    expect(inc.updated).toBe(3);
    const after = new Map((await db().selectFrom('people').select(['primary_email', 'groups', 'title']).execute()).map((x) => [x.primary_email, x]));
    expect(after.get('u2050@example.com')).toMatchObject({ title: 'Changed' });
    expect((JSON.parse(after.get('u2050@example.com')!.groups) as string[]).sort()).toEqual(['sales', 'sales-emea']);
    expect(JSON.parse(after.get('u1999@example.com')!.groups)).toEqual(['all-staff']);
    expect(JSON.parse(after.get('u2000@example.com')!.groups)).toEqual([]);

    // Membership changes touch only the group entry: the next (incremental) run turns full and sees them.
    await ldap!.ldapmodify(`dn: ${groupDn('sales-emea')}\nchangetype: modify\nadd: member\nmember: ${personDn('u2051')}\n\n`);
    const r2 = await runSync(source(), { store: store! });
    expect(r2).toMatchObject({ status: 'ok', mode: 'full', missing: 0 });
    expect(r2.updated).toBe(1);
    const u2051 = await personRow('u2051@example.com');
    expect((JSON.parse(u2051!.groups) as string[]).sort()).toEqual(['sales', 'sales-emea']);
  });

  it('a full pass read in its thread hands the first page to the engine alone, then whole batches', async () => {
    await setup(people(1150));
    const seen: number[] = [];
    const r = await runSync(source({}, { pageSize: 50, batchSize: 500 }), {
      store: store!,
      full: true,
      onProgress: (p) => p.phase === 'reading' && seen.push(p.entries),
    });
    expect(r).toMatchObject({ status: 'ok', added: 1150 });
    // So the engine starts writing while the reader maps the rest, instead of waiting for a whole batch.
    expect(seen).toEqual([50, 550, 1050, 1150]);
  });

  it('the server stopped mid-run: the run fails, nothing is deleted; the next run completes', async () => {
    await setup(people(500));
    await runSync(source(), { store: store! });
    const before = await snapshot(store!);
    let killed: Promise<void> | undefined;
    const r = await runSync(source({}, { pageSize: 50 }), {
      store: store!,
      full: true,
      onBatch: (i) => {
        if (i === 2 && !killed) killed = ldap!.kill();
      },
    });
    expect(killed).toBeDefined();
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/connect|Connection|closed|socket/i);
    expect(r).toMatchObject({ missing: 0, deleted: 0 });
    expect(await snapshot(store!)).toEqual(before);
    expect(await liveCount()).toBe(500);
    // The run can fail before slapd's exit is seen: start() would find it still there and do nothing.
    await killed;
    await ldap!.start();
    const again = await runSync(source(), { store: store! });
    expect(again).toMatchObject({ status: 'ok', mode: 'full', missing: 0, deleted: 0, entries: 500 });
    expect(await snapshot(store!)).toEqual(before);
  });

  it('the server hangs mid-run (it stops answering): the operation timeout fails the run, nothing is deleted', async () => {
    await setup(people(500));
    await runSync(source(), { store: store! });
    const before = await snapshot(store!);
    let paused = false;
    const t0 = Date.now();
    let r;
    try {
      r = await runSync(source({ LDAP_TIMEOUT_SECONDS: '1' }, { pageSize: 50 }), {
        store: store!,
        full: true,
        onBatch: (i) => {
          if (i === 2 && !paused) {
            paused = true;
            // The server process is frozen: connections stay open, nothing is answered.
            process.kill(ldap!.pid!, 'SIGSTOP');
          }
        },
      });
    } finally {
      if (paused) process.kill(ldap!.pid!, 'SIGCONT');
    }
    expect(paused).toBe(true);
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/time/i);
    // The 1 s operation timeout, not a hang until the test's own timeout.
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r).toMatchObject({ missing: 0, deleted: 0 });
    expect(await snapshot(store!)).toEqual(before);
    const again = await runSync(source(), { store: store! });
    expect(again).toMatchObject({ status: 'ok', mode: 'full', missing: 0, deleted: 0, entries: 500 });
    expect(await snapshot(store!)).toEqual(before);
  });

  it('a mass deletion over the cap is blocked and reported, then applied with allowDeletes', async () => {
    await setup(people(200));
    await runSync(source(), { store: store! });
    let change = '';
    for (let i = 0; i < 60; i++) change += `dn: ${personDn(`u${String(i).padStart(4, '0')}`)}\nchangetype: delete\n\n`;
    await ldap!.ldapmodify(change);
    const blocked = await runSync(source(), { store: store!, full: true });
    expect(blocked.status).toBe('deletions_blocked');
    expect(blocked.blockedDeletions).toBe(60);
    expect(blocked.missing + blocked.deleted).toBe(0);
    // 10 % of the 140 people the full pass read (fewer than the 200 the store holds).
    expect(blocked.warnings.join('\n')).toMatch(/60 deletions exceed the cap of 14 .*10% of the source's 140 people/);
    expect(await liveCount()).toBe(200);
    const allowed = await runSync(source(), { store: store!, full: true, allowDeletes: true });
    expect(allowed).toMatchObject({ status: 'ok', missing: 60 });
    expect(await liveCount()).toBe(140);
  });

  it('LDAPS and StartTLS with the custom CA sync; an untrusted server fails the run and deletes nothing', async () => {
    await setup(people(20));
    const viaLdaps = await runSync(source({ LDAP_URL: ldap!.ldapsUrl, LDAP_CA_FILE: ldap!.caFile }), { store: store! });
    expect(viaLdaps).toMatchObject({ status: 'ok', added: 20 });
    const viaStartTls = await runSync(source({ LDAP_STARTTLS: 'true', LDAP_CA_FILE: ldap!.caFile }), { store: store!, full: true });
    expect(viaStartTls).toMatchObject({ status: 'ok', mode: 'full', entries: 20, missing: 0 });
    const untrusted = await runSync(source({ LDAP_URL: ldap!.ldapsUrl }), { store: store!, full: true });
    expect(untrusted.status).toBe('failed');
    expect(untrusted.error).toMatch(/certificate|TLS/i);
    const wrongPassword = await runSync(source({ LDAP_BIND_PASSWORD: 'wrong' }), { store: store!, full: true });
    expect(wrongPassword.status).toBe('failed');
    expect(wrongPassword.error).toMatch(/Invalid credentials/i);
    expect(await liveCount()).toBe(20);
  });

  it('LDAP_FILTER and LDAP_BASE_DN scope what is synced', async () => {
    await setup(people(30, (i) => ({ department: i % 3 === 0 ? 'Sales' : 'Engineering' })));
    const r = await runSync(source({ LDAP_FILTER: '(departmentNumber=Sales)' }), { store: store! });
    expect(r).toMatchObject({ status: 'ok', entries: 10, added: 10 });
    const rows = await db().selectFrom('people').select('department').execute();
    expect(new Set(rows.map((x) => x.department))).toEqual(new Set(['Sales']));
    // A base DN with nobody under it reads nothing (and is not an error).
    const other = await tempStore();
    try {
      const r2 = await runSync(source({ LDAP_BASE_DN: GROUPS_DN }), { store: other });
      expect(r2).toMatchObject({ status: 'ok', entries: 0 });
    } finally {
      await other.dispose();
    }
    expect(PEOPLE_DN).toContain('ou=people');
  });

  it('the reader thread started with the source reads its first full pass; later passes get their own; an unused one ends', async () => {
    await setup(people(40));
    const s = source({}, { pageSize: 9 });
    expect(s.hasSpareReader).toBe(true);
    // It loads before any pass asks for it, and waits.
    await s.readerLoaded();
    expect(s.hasSpareReader).toBe(true);
    expect(await runSync(s, { store: store! })).toMatchObject({ status: 'ok', mode: 'full', added: 40 });
    expect(s.hasSpareReader).toBe(false);
    // The next full pass starts a thread of its own, and finds everything unchanged.
    expect(await runSync(s, { store: store!, full: true })).toMatchObject({ status: 'ok', mode: 'full', entries: 40, unchanged: 40, missing: 0 });
    // Closing a source ends the thread it has not used; one nobody takes ends by itself.
    const closed = source();
    await closed.close();
    expect(closed.hasSpareReader).toBe(false);
    await closed.readerLoaded();
    const idle = source({}, { spareIdleMs: 50 });
    expect(idle.hasSpareReader).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(idle.hasSpareReader).toBe(false);
    // A source whose spare thread ended still reads full passes.
    expect(await runSync(idle, { store: store!, full: true })).toMatchObject({ status: 'ok', entries: 40, unchanged: 40 });
  });

  it('a process that never closes its source still exits: the waiting reader thread does not hold it', () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const code = [
      `import { loadConfig } from ${JSON.stringify(path.join(root, 'core/config/index.js'))};`,
      `import { createLdapSource } from ${JSON.stringify(path.join(root, 'directory-sync/sources/ldap/index.js'))};`,
      `const s = createLdapSource(loadConfig({ LDAP_URL: 'ldap://127.0.0.1:9', LDAP_BASE_DN: 'dc=example,dc=com', AUTH_MODE: 'dev', LOG_LEVEL: 'silent' }, { dotEnvFile: false }));`,
      // Time for the thread to load and wait, as it does while a CLI finds it has nothing to do.
      'await new Promise((r) => setTimeout(r, 500));',
      'console.log(s.hasSpareReader);',
    ].join('\n');
    // A file, not -e: a worker thread inherits the parent's execArgv, -e included.
    const dir = mkdtempSync(path.join(tmpdir(), 'spare-exit-'));
    const file = path.join(dir, 'child.mjs');
    writeFileSync(file, code);
    // Held, it would live until the spare's one-minute idle timer: the bound below kills it long before.
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    rmSync(dir, { recursive: true, force: true });
    expect({ signal: r.signal, status: r.status, out: r.stdout.trim(), err: r.stderr.trim() }).toEqual({ signal: null, status: 0, out: 'true', err: '' });
  }, 30_000);
});

afterAll(async () => {
  await ldap?.cleanup();
});
