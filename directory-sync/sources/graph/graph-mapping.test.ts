import { describe, expect, it } from '@jest/globals';
import { immutableIdFromGuid, orgContactToEntry, personalContactId, personalContactToEntry, smtpAddresses, userToEntry } from './graph-mapping.js';

describe('graph mapping', () => {
  it('takes the primary from mail or SMTP:, aliases from smtp:, ignores other address types', () => {
    expect(smtpAddresses(null, ['smtp:b@x.test', 'SMTP:A@X.test', 'X500:/o=x', 'sip:a@x.test'])).toEqual({ primary: 'a@x.test', aliases: ['b@x.test'] });
    expect(smtpAddresses('Main@X.test', ['SMTP:main@x.test', 'smtp:other@x.test'])).toEqual({ primary: 'main@x.test', aliases: ['other@x.test'] });
  });

  it('maps a user: disabled, phones, manager, immutable id; UPN stands in for a missing mailbox', () => {
    const e = userToEntry({
      id: 'u1',
      displayName: 'Ann',
      mail: null,
      userPrincipalName: 'Ann@X.test',
      accountEnabled: false,
      businessPhones: ['1'],
      mobilePhone: '2',
      onPremisesImmutableId: 'abc=',
      'manager@delta': [{ id: 'm1' }],
    });
    expect(e).toMatchObject({
      externalId: 'u1',
      primaryEmail: 'ann@x.test',
      disabled: true,
      immutableId: 'abc=',
      manager: { externalId: 'm1' },
      phones: [
        { type: 'business', number: '1' },
        { type: 'mobile', number: '2' },
      ],
    });
    expect(userToEntry({ id: 'g', userPrincipalName: 'guest_x.test#EXT#@t.onmicrosoft.com' }).primaryEmail).toBeNull();
    expect(userToEntry({ id: 'u2', mail: 'b@x.test' }, null).manager).toBeUndefined();
  });

  it('maps organisational and Outlook contacts with stable, bounded external ids', () => {
    expect(orgContactToEntry({ id: 'c1', mail: 'p@partner.test', phones: [{ type: 'businessFax', number: '9' }] })).toMatchObject({
      externalId: 'orgcontact:c1',
      kind: 'contact',
      phones: [{ type: 'fax', number: '9' }],
    });
    const longId = 'AAMkAD' + 'x'.repeat(300);
    const pc = personalContactToEntry('owner-1', { id: longId, emailAddresses: [{ address: 'Z@F.test' }, { address: 'z2@f.test' }] });
    expect(pc).toMatchObject({ kind: 'contact', ownerExternalId: 'owner-1', primaryEmail: 'z@f.test', aliases: ['z2@f.test'] });
    expect(pc.externalId).toBe(personalContactId('owner-1', longId));
    expect(pc.externalId.length).toBeLessThan(200);
  });

  it('turns an objectGUID string into the base64 immutable id (mixed-endian bytes)', () => {
    // Microsoft's documented example pair (Entra Connect sourceAnchor).
    expect(immutableIdFromGuid('00000000-0000-0000-0000-000000000000')).toBe('AAAAAAAAAAAAAAAAAAAAAA==');
    expect(Buffer.from(immutableIdFromGuid('01020304-0506-0708-090a-0b0c0d0e0f10'), 'base64').toString('hex')).toBe('04030201060508070' + '90a0b0c0d0e0f10');
    expect(() => immutableIdFromGuid('nope')).toThrow();
  });
});
