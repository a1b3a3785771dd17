import { describe, expect, it } from '@jest/globals';
import { parseProxyAddresses } from './proxy-addresses.js';

describe('parseProxyAddresses', () => {
  it('SMTP: is the primary, smtp: are aliases, other prefixes are ignored', () => {
    expect(
      parseProxyAddresses(
        ['X500:/o=Org/ou=Exchange/cn=Recipients/cn=ann', 'smtp:ann@old.example', 'SIP:ann@corp.example', 'SMTP:Ann.Lee@Corp.example', 'smtp:ANN@corp.example'],
        'ann.lee@corp.example',
      ),
    ).toEqual({ primary: 'ann.lee@corp.example', aliases: ['ann@old.example', 'ann@corp.example'] });
  });

  it('falls back to mail without an SMTP: value', () => {
    expect(parseProxyAddresses([], 'Bob@Corp.example')).toEqual({ primary: 'bob@corp.example', aliases: [] });
    expect(parseProxyAddresses(['smtp:b@corp.example'], 'bob@corp.example')).toEqual({ primary: 'bob@corp.example', aliases: ['b@corp.example'] });
  });

  it('keeps a mail that differs from the SMTP: primary as an alias', () => {
    expect(parseProxyAddresses(['SMTP:new@corp.example'], 'old@corp.example')).toEqual({ primary: 'new@corp.example', aliases: ['old@corp.example'] });
  });

  it('promotes the first alias when there is neither SMTP: nor mail', () => {
    expect(parseProxyAddresses(['smtp:a@corp.example', 'smtp:b@corp.example'], undefined)).toEqual({ primary: 'a@corp.example', aliases: ['b@corp.example'] });
  });

  it('no address at all → null primary; values without a prefix or address are skipped', () => {
    expect(parseProxyAddresses(['SIP:x@corp.example', 'plain@corp.example', 'SMTP:', ':x'], undefined)).toEqual({ primary: null, aliases: [] });
  });

  it('a second SMTP: (a broken object) becomes an alias', () => {
    expect(parseProxyAddresses(['SMTP:one@corp.example', 'SMTP:two@corp.example'], undefined)).toEqual({
      primary: 'one@corp.example',
      aliases: ['two@corp.example'],
    });
  });
});
