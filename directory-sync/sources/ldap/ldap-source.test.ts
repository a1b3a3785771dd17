import { describe, expect, it } from '@jest/globals';
import { MemoryLdapConnection, type LdapEntry } from '../ldap-common/index.js';
import type { ReadSummary, SourceBatch, Watermark } from '../source.js';
import { parseAttributeMap } from './attribute-map.js';
import { addresses, isDisabled } from './entry-mapper.js';
import { formatGeneralizedTime, parseGeneralizedTime } from './generalized-time.js';
import { LdapSource } from './ldap-source.js';

const BASE = 'dc=example,dc=com';
const person = (uid: string, ts: string, extra: Record<string, (string | Buffer)[]> = {}): LdapEntry => ({
  dn: `uid=${uid},ou=people,${BASE}`,
  attributes: {
    objectclass: ['inetOrgPerson'],
    uid: [uid],
    cn: [`Person ${uid}`],
    mail: [`${uid}@example.com`],
    entryuuid: [`uuid-${uid}`],
    modifytimestamp: [ts],
    ...extra,
  },
});
const group = (cn: string, ts: string, members: string[]): LdapEntry => ({
  dn: `cn=${cn},ou=groups,${BASE}`,
  attributes: { objectclass: ['groupOfNames'], cn: [cn], member: members, entryuuid: [`uuid-g-${cn}`], modifytimestamp: [ts] },
});

async function drain(source: LdapSource, full: boolean, watermark: Watermark | null) {
  const gen = source.read({ full, watermark, signal: new AbortController().signal });
  const batches: SourceBatch[] = [];
  for (;;) {
    const n = await gen.next();
    if (n.done) return { batches, summary: n.value as ReadSummary, upserts: batches.flatMap((b) => b.upserts) };
    batches.push(n.value);
  }
}

describe('LdapSource (over the in-memory connection)', () => {
  const setup = () => {
    const conn = new MemoryLdapConnection([
      person('alice', '20260101100000Z', { proxyaddresses: ['SMTP:alice@example.com', 'smtp:a@example.com', 'X500:/o=x'], title: ['CEO'] }),
      person('bob', '20260101110000Z', {
        manager: [`uid=alice,ou=people,${BASE}`],
        useraccountcontrol: ['514'],
        jpegphoto: [Buffer.from([0xff, 0xd8, 0xff, 1, 2])],
      }),
      person('carol', '20260101120000Z', { departmentnumber: ['Sales'] }),
      group('sales-emea', '20260101000000Z', [`uid=carol,ou=people,${BASE}`]),
      group('sales', '20260101000000Z', [`cn=sales-emea,ou=groups,${BASE}`, `uid=bob,ou=people,${BASE}`]),
    ]);
    const source = new LdapSource({ connection: conn, baseDn: BASE, map: parseAttributeMap(undefined), pageSize: 2, batchSize: 2 });
    return { conn, source };
  };

  it('a full pass maps every person, page by page, and returns the newest modifyTimestamp at the end only', async () => {
    const { source } = setup();
    const { batches, summary, upserts } = await drain(source, true, null);
    expect(batches.map((b) => b.upserts.length)).toEqual([2, 1]);
    expect(batches.every((b) => b.watermark === undefined)).toBe(true);
    expect(summary).toMatchObject({ complete: true, total: 3, watermark: { modifyTimestamp: '20260101120000Z' } });
    const byId = Object.fromEntries(upserts.map((u) => [u.externalId, u]));
    expect(byId['uuid-alice']).toMatchObject({ primaryEmail: 'alice@example.com', aliases: ['a@example.com'], title: 'CEO', disabled: false, photo: null });
    expect(byId['uuid-bob']).toMatchObject({ disabled: true, manager: { dn: `uid=alice,ou=people,${BASE}` }, groups: ['sales'] });
    expect(Buffer.from(byId['uuid-bob']!.photo!).toString('hex')).toBe('ffd8ff0102');
    // Nested: carol is in sales-emea, which is in sales.
    expect([...byId['uuid-carol']!.groups].sort()).toEqual(['sales', 'sales-emea']);
    expect(byId['uuid-carol']!.department).toBe('Sales');
  });

  it('pages are gathered into batches of at least batchSize entries, the rest in a last smaller one', async () => {
    const { conn } = setup();
    conn.entries.push(person('dave', '20260101130000Z'), person('erin', '20260101140000Z'));
    const source = new LdapSource({ connection: conn, baseDn: BASE, map: parseAttributeMap(undefined), pageSize: 2, batchSize: 3 });
    const { batches, summary } = await drain(source, true, null);
    expect(batches.map((b) => b.upserts.length)).toEqual([4, 1]);
    expect(summary).toMatchObject({ complete: true, total: 5, watermark: { modifyTimestamp: '20260101140000Z' } });
  });

  it('the watermark is the newest stamp whatever its shape: fractions, offsets and plain stamps compare by time', async () => {
    const conn = new MemoryLdapConnection([
      person('a', '20260101000000Z'),
      // 12:00:30 UTC, a fraction of a minute: as a string it sorts before 12:00:00 below.
      person('b', '202601011200.5Z'),
      person('c', '20260101120000Z'),
      // 11:00 at +0100 is 10:00 UTC: later as a string, earlier in time.
      person('d', '20260101110000+0100'),
      person('e', '20260101115959Z'),
    ]);
    const source = new LdapSource({ connection: conn, baseDn: BASE, map: parseAttributeMap(undefined), pageSize: 2 });
    expect((await drain(source, true, null)).summary.watermark).toMatchObject({ modifyTimestamp: '202601011200.5Z' });
    conn.entries.reverse();
    expect((await drain(source, true, null)).summary.watermark).toMatchObject({ modifyTimestamp: '202601011200.5Z' });
    conn.entries.push(person('f', '20260101120031Z'));
    expect((await drain(source, true, null)).summary.watermark).toMatchObject({ modifyTimestamp: '20260101120031Z' });
  });

  it('an incremental pass asks for modifyTimestamp >= watermark minus the overlap', async () => {
    const { conn, source } = setup();
    const { summary } = await drain(source, true, null);
    const seen: string[] = [];
    const search = conn.searchPages.bind(conn);
    conn.searchPages = (base, o) => {
      seen.push(o?.filter ?? '');
      return search(base, o);
    };
    const inc = await drain(source, false, summary.watermark!);
    // 12:00:00 minus 5 minutes: alice (10:00) and bob (11:00) are older, carol is re-read.
    // Group stamps first (cheap), then the people; the few who changed get their groups looked
    // up one by one (nested too), not by reading every group's members.
    const groupFilter = '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))';
    const peopleFilter = '(&(objectClass=inetOrgPerson)(modifyTimestamp>=20260101115500Z))';
    expect(seen).toEqual([groupFilter, peopleFilter]);
    expect(inc.upserts.map((u) => u.externalId)).toEqual(['uuid-carol']);
    expect([...inc.upserts[0]!.groups].sort()).toEqual(['sales', 'sales-emea']);
    expect(inc.summary).toMatchObject({ complete: false, watermark: summary.watermark });

    // Nobody changed: the group members are not read at all.
    seen.length = 0;
    const later = await drain(source, false, { ...summary.watermark!, modifyTimestamp: '20260201000000Z' });
    expect(later.upserts).toHaveLength(0);
    expect(seen).toEqual([groupFilter, '(&(objectClass=inetOrgPerson)(modifyTimestamp>=20260131235500Z))']);
  });

  it('a changed group turns an incremental pass into a request for a full one', async () => {
    const { conn, source } = setup();
    const { summary } = await drain(source, true, null);
    conn.entries = conn.entries.map((e) => (e.dn.startsWith('cn=sales,') ? group('sales', '20260102000000Z', [`uid=alice,ou=people,${BASE}`]) : e));
    const inc = await drain(source, false, summary.watermark!);
    expect(inc.batches).toHaveLength(0);
    expect(inc.summary.needsFull).toMatch(/groups changed/);
    // A group gone is a change too.
    conn.entries = conn.entries.filter((e) => !e.dn.startsWith('cn=sales-emea,'));
    const again = await drain(source, false, summary.watermark!);
    expect(again.summary.needsFull).toMatch(/groups changed/);
  });

  it('LDAP_FILTER narrows the people searched', async () => {
    const { conn } = setup();
    const source = new LdapSource({ connection: conn, baseDn: BASE, map: parseAttributeMap(undefined), filter: '(departmentNumber=Sales)' });
    const { upserts, summary } = await drain(source, true, null);
    expect(upserts.map((u) => u.externalId)).toEqual(['uuid-carol']);
    expect(summary.total).toBe(1);
  });

  it('a connection lost mid-read fails the pass (no summary: the engine deletes nothing)', async () => {
    const { conn, source } = setup();
    conn.failAfterPages = 1;
    await expect(drain(source, true, null)).rejects.toThrow(/lost mid-search/);
  });

  it('LDAP_ATTRIBUTE_MAP overrides defaults and refuses unknown keys', () => {
    const map = parseAttributeMap('{"department":"businessCategory","personFilter":"objectClass=person","photo":[]}');
    expect(map.department).toEqual(['businessCategory']);
    expect(map.personFilter).toBe('(objectClass=person)');
    expect(map.photo).toEqual([]);
    expect(map.mail).toEqual(['mail']);
    expect(() => parseAttributeMap('{"nope":"x"}')).toThrow(/LDAP_ATTRIBUTE_MAP/);
    expect(() => parseAttributeMap('{"personFilter":"(&(a=b)"}')).toThrow(/LDAP_FILTER|filter/);
    expect(() => parseAttributeMap('not json')).toThrow(/not JSON/);
  });
});

describe('mapping helpers', () => {
  it('splits addresses: mail is primary, SMTP:/smtp: proxy addresses, other prefixes ignored', () => {
    expect(addresses(['A@x.com'], ['SMTP:b@x.com', 'smtp:c@x.com', 'sip:d@x.com'])).toEqual({ primary: 'a@x.com', aliases: ['c@x.com', 'b@x.com'] });
    expect(addresses([], ['smtp:c@x.com', 'SMTP:b@x.com'])).toEqual({ primary: 'b@x.com', aliases: ['c@x.com'] });
    expect(addresses(['a@x.com', 'a2@x.com'], [])).toEqual({ primary: 'a@x.com', aliases: ['a2@x.com'] });
  });

  it('reads the disabled flag from account-control bits or booleans', () => {
    expect(isDisabled('512')).toBe(false);
    expect(isDisabled('514')).toBe(true);
    expect(isDisabled('66050')).toBe(true);
    expect(isDisabled('TRUE')).toBe(true);
    expect(isDisabled('FALSE')).toBe(false);
    expect(isDisabled(undefined)).toBe(false);
  });

  it('GeneralizedTime round-trips and honours offsets and fractions', () => {
    expect(parseGeneralizedTime('20260101120000Z')).toBe(Date.UTC(2026, 0, 1, 12));
    expect(parseGeneralizedTime('20260101120000.5Z')).toBe(Date.UTC(2026, 0, 1, 12, 0, 0, 500));
    expect(parseGeneralizedTime('20260101130000+0100')).toBe(Date.UTC(2026, 0, 1, 12));
    expect(parseGeneralizedTime('garbage')).toBeUndefined();
    expect(formatGeneralizedTime(Date.UTC(2026, 0, 1, 12, 0, 0, 999))).toBe('20260101120000Z');
  });
});
