import { describe, expect, it } from '@jest/globals';
import { LdifGroupIndex, recordToEntry } from './ldif-mapping.js';
import { LdifError, parseLdif, type LdifRecord } from './ldif-parser.js';

const parse = async (text: string): Promise<LdifRecord[]> => {
  const out: LdifRecord[] = [];
  for await (const r of parseLdif(text.split('\n'))) out.push(r);
  return out;
};
const failure = async (text: string): Promise<LdifError> => {
  try {
    await parse(text);
  } catch (err) {
    return err as LdifError;
  }
  throw new Error('expected an LdifError');
};

describe('parseLdif', () => {
  it('reads records, multi-valued attributes, comments and the version line', async () => {
    const records = await parse(
      [
        'version: 1',
        '# a comment',
        '#  folded comment',
        ' continues here',
        'dn: uid=a,dc=x',
        'objectClass: top',
        'objectClass: inetOrgPerson',
        'cn: A',
        '',
        '',
        'dn: uid=b,dc=x',
        'cn: B',
      ].join('\n'),
    );
    expect(records.map((r) => r.dn)).toEqual(['uid=a,dc=x', 'uid=b,dc=x']);
    expect(records[0].attributes.get('objectclass')).toEqual(['top', 'inetOrgPerson']);
    expect(records[0].line).toBe(5);
  });

  it('unfolds continuation lines and handles CRLF', async () => {
    const [r] = await parse('dn: uid=a,dc=x\r\ndescription: first part\r\n  and second\r\ncn: A\r\n');
    expect(r.attributes.get('description')).toEqual(['first part and second']);
    expect(r.attributes.get('cn')).toEqual(['A']);
  });

  it('decodes :: base64 values, including folded ones and a base64 DN', async () => {
    const utf8 = Buffer.from('Zoë Müller', 'utf8').toString('base64');
    const photo = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01, 0x02, 0x80, 0x90]);
    const b64 = photo.toString('base64');
    const [r] = await parse(`dn:: ${Buffer.from('cn=Zoë,dc=x').toString('base64')}\ncn:: ${utf8}\njpegPhoto;binary:: ${b64.slice(0, 4)}\n ${b64.slice(4)}\n`);
    expect(r.dn).toBe('cn=Zoë,dc=x');
    expect(Buffer.from(r.attributes.get('cn')![0] as Buffer).toString('utf8')).toBe('Zoë Müller');
    const bytes = r.attributes.get('jpegphoto')![0];
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(Buffer.compare(bytes as Buffer, photo)).toBe(0);
  });

  it('names the line of a broken record', async () => {
    const err = await failure('dn: uid=a,dc=x\ncn: A\nthis line has no colon\n');
    expect(err).toBeInstanceOf(LdifError);
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/line 3: expected "attribute: value"/);
  });

  it('refuses change records clearly', async () => {
    expect((await failure('dn: uid=a,dc=x\nchangetype: modify\nreplace: cn\ncn: B\n-\n')).message).toMatch(/line 2: change records/);
    expect((await failure('dn: uid=a,dc=x\ncn: A\n-\n')).message).toMatch(/line 3: a "-" separator/);
  });

  it('refuses bad base64, a record without dn, a dangling continuation, URL values', async () => {
    expect((await failure('dn: uid=a,dc=x\njpegPhoto:: ***notbase64\n')).line).toBe(2);
    expect((await failure('cn: A\n')).message).toMatch(/line 1: a record must start with "dn:"/);
    expect((await failure(' continued\n')).line).toBe(1);
    expect((await failure('dn: uid=a,dc=x\njpegPhoto:< file:///etc/passwd\n')).message).toMatch(/URL values/);
  });
});

describe('recordToEntry', () => {
  it('maps an AD export: objectGUID key, proxyAddresses, disabled bit, thumbnailPhoto, manager, memberOf', async () => {
    const guid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const photo = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const [r] = await parse(
      [
        'dn: CN=Ann Lee,OU=Staff,DC=corp,DC=example',
        'objectClass: top',
        'objectClass: person',
        'objectClass: organizationalPerson',
        'objectClass: user',
        `objectGUID:: ${guid.toString('base64')}`,
        'displayName: Ann Lee',
        'mail: ann.lee@corp.example',
        'proxyAddresses: SMTP:Ann.Lee@corp.example',
        'proxyAddresses: smtp:ann@corp.example',
        'proxyAddresses: X500:/o=Org/cn=ann',
        'proxyAddresses: sip:ann@corp.example',
        'userAccountControl: 514',
        `thumbnailPhoto:: ${photo.toString('base64')}`,
        'manager: CN=Boss,OU=Staff,DC=corp,DC=example',
        'memberOf: CN=Sales Team,OU=Groups,DC=corp,DC=example',
        'department: Sales',
        'userPrincipalName: ann.lee@corp.example',
      ].join('\n'),
    );
    const e = recordToEntry(r, new LdifGroupIndex());
    expect(e).toMatchObject({
      externalId: '33221100-5544-7766-8899-aabbccddeeff',
      kind: 'person',
      primaryEmail: 'ann.lee@corp.example',
      aliases: ['ann@corp.example'],
      disabled: true,
      manager: { dn: 'CN=Boss,OU=Staff,DC=corp,DC=example' },
      groups: ['Sales Team'],
      department: 'Sales',
      immutableId: guid.toString('base64'),
    });
    expect(Buffer.compare(Buffer.from(e.photo!), photo)).toBe(0);
  });

  it('maps inetOrgPerson with entryUUID, contacts, groups from groupOfNames (nested), DN as last-resort key', async () => {
    const records = await parse(
      [
        'dn: cn=All Staff,ou=groups,dc=x',
        'objectClass: groupOfNames',
        'cn: All Staff',
        'member: cn=Engineering,ou=groups,dc=x',
        '',
        'dn: cn=Engineering,ou=groups,dc=x',
        'objectClass: groupOfNames',
        'cn: Engineering',
        'member: uid=bo, ou=people,dc=x',
        '',
        'dn: uid=bo,ou=people,dc=x',
        'objectClass: inetOrgPerson',
        'entryUUID: 6F1A4B7E-0000-4000-8000-000000000001',
        'cn: Bo Berg',
        'mail: bo@x.example',
        'mail: b.berg@x.example',
        'telephoneNumber: +1 555 0100',
        '',
        'dn: cn=Partner Person,ou=contacts,dc=x',
        'objectClass: contact',
        'cn: Partner Person',
        'mail: pp@partner.example',
      ].join('\n'),
    );
    const groups = new LdifGroupIndex();
    groups.add(records[0]);
    groups.add(records[1]);
    const bo = recordToEntry(records[2], groups);
    expect(bo).toMatchObject({
      externalId: '6f1a4b7e-0000-4000-8000-000000000001',
      primaryEmail: 'bo@x.example',
      aliases: ['b.berg@x.example'],
      groups: ['All Staff', 'Engineering'],
      phones: [{ type: 'business', number: '+1 555 0100' }],
      disabled: false,
    });
    const pp = recordToEntry(records[3], groups);
    expect(pp).toMatchObject({ kind: 'contact', externalId: 'dn:cn=partner person,ou=contacts,dc=x', primaryEmail: 'pp@partner.example' });
  });
});
