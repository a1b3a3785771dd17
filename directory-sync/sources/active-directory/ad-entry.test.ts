import { describe, expect, it } from '@jest/globals';
import type { LdapEntry } from '../ldap-common/index.js';
import { toDirectoryEntry } from './ad-entry.js';

const GUID = Buffer.from('9a84495af3807c408c71097df9336b0b', 'hex');

const user = (extra: Record<string, (string | Buffer)[]> = {}): LdapEntry => ({
  dn: 'CN=Ann Lee,OU=People,DC=corp,DC=example',
  attributes: {
    objectguid: [GUID],
    objectclass: ['top', 'person', 'organizationalPerson', 'user'],
    cn: ['Ann Lee'],
    givenname: ['Ann'],
    sn: ['Lee'],
    proxyaddresses: ['SMTP:ann.lee@corp.example', 'smtp:ann@corp.example', 'X500:/o=x'],
    useraccountcontrol: ['514'],
    userprincipalname: ['Ann@Corp.example'],
    telephonenumber: ['+1 555 0100'],
    mobile: ['+1 555 0199'],
    manager: ['CN=Boss,OU=People,DC=corp,DC=example'],
    thumbnailphoto: [Buffer.from([0xff, 0xd8, 0xff])],
    ...extra,
  },
});

describe('toDirectoryEntry', () => {
  it('maps a user: GUID key and immutableId, addresses, disabled, phones, manager DN, photo, groups', () => {
    expect(toDirectoryEntry(user(), ['Staff'])).toEqual({
      externalId: '5a49849a-80f3-407c-8c71-097df9336b0b',
      immutableId: GUID.toString('base64'),
      kind: 'person',
      dn: 'CN=Ann Lee,OU=People,DC=corp,DC=example',
      primaryEmail: 'ann.lee@corp.example',
      aliases: ['ann@corp.example'],
      displayName: 'Ann Lee',
      givenName: 'Ann',
      surname: 'Lee',
      title: undefined,
      department: undefined,
      company: undefined,
      office: undefined,
      phones: [
        { type: 'business', number: '+1 555 0100' },
        { type: 'mobile', number: '+1 555 0199' },
      ],
      manager: { dn: 'CN=Boss,OU=People,DC=corp,DC=example' },
      photo: new Uint8Array([0xff, 0xd8, 0xff]),
      groups: ['Staff'],
      disabled: true,
      upn: 'ann@corp.example',
    });
  });

  it('a contact is kind contact, never disabled, has no UPN', () => {
    const e = toDirectoryEntry(
      user({ objectclass: ['top', 'person', 'organizationalPerson', 'contact'], proxyaddresses: [], mail: ['Partner@Ext.example'] }),
      [],
    );
    expect(e).toMatchObject({ kind: 'contact', disabled: false, upn: undefined, primaryEmail: 'partner@ext.example' });
  });

  it('no photo → null (a removed photo is cleared); no objectGUID → a warning', () => {
    const { thumbnailphoto: _, ...rest } = user().attributes;
    expect(toDirectoryEntry({ dn: 'CN=x', attributes: rest }, [])).toMatchObject({ photo: null });
    expect(toDirectoryEntry({ dn: 'CN=x', attributes: { cn: ['x'] } }, [])).toEqual({ warning: 'CN=x: no objectGUID, skipped' });
  });
});
