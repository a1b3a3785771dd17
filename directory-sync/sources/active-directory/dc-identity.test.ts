import { describe, expect, it } from '@jest/globals';
import { MemoryLdapConnection } from '../ldap-common/index.js';
import { incrementalBlocker, readDcIdentity, watermarkOf, type DcIdentity } from './dc-identity.js';
import { guidToBytes } from './object-guid.js';

const NTDS = 'CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=corp,DC=example';
const dc: DcIdentity = { usn: 5000, dsServiceName: NTDS, invocationId: '1f23c275-5431-4bfb-abf0-87f1b46836aa', defaultNamingContext: 'DC=corp,DC=example' };
const scope = 'ou=people,dc=corp,dc=example|';

describe('incrementalBlocker', () => {
  const wm = watermarkOf({ ...dc, usn: 4000 }, scope);

  it('allows an incremental pass from the same DC and database incarnation', () => {
    expect(incrementalBlocker(wm, dc, scope)).toBeNull();
  });

  it('asks for a full pass on another DC, a restored database, a changed scope, a USN rollback, no watermark', () => {
    expect(incrementalBlocker(null, dc, scope)).toMatch(/no watermark/);
    expect(incrementalBlocker(wm, { ...dc, dsServiceName: NTDS.replace('DC1', 'DC2') }, scope)).toMatch(/domain controller changed/);
    expect(incrementalBlocker(wm, { ...dc, invocationId: '455ef7d6-4476-43a6-b192-8acfe6228c6a' }, scope)).toMatch(/invocationId changed/);
    expect(incrementalBlocker(wm, dc, 'ou=other|')).toMatch(/base DN or LDAP_FILTER changed/);
    expect(incrementalBlocker(wm, { ...dc, usn: 3999 }, scope)).toMatch(/rollback/);
  });
});

describe('readDcIdentity', () => {
  it('reads highestCommittedUSN, dsServiceName and the NTDS Settings invocationId', async () => {
    const conn = new MemoryLdapConnection([{ dn: NTDS, attributes: { invocationid: [guidToBytes(dc.invocationId)], objectclass: ['nTDSDSA'] } }]);
    conn.rootDse = { dn: '', attributes: { highestcommittedusn: ['5000'], dsservicename: [NTDS], defaultnamingcontext: ['DC=corp,DC=example'] } };
    expect(await readDcIdentity(conn)).toEqual(dc);
  });

  it('a server without AD rootDSE attributes is refused with a clear message', async () => {
    const conn = new MemoryLdapConnection([]);
    conn.rootDse = { dn: '', attributes: { namingcontexts: ['dc=example,dc=com'] } };
    await expect(readDcIdentity(conn)).rejects.toThrow(/Active Directory/);
  });
});
