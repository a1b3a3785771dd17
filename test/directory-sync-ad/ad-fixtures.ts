import { Attribute, Change, type Client } from 'ldapts';
import type { SambaAd } from '../support/samba-ad.js';
import { encodePng } from '../../core/image/png.js';

/** userAccountControl: NORMAL_ACCOUNT | PASSWD_NOTREQD (Samba refuses 512 without a password). */
export const UAC_ENABLED = '544';
/** ... | ACCOUNTDISABLE */
export const UAC_DISABLED = '546';

export interface UserSpec {
  readonly cn: string;
  readonly sam: string;
  readonly givenName?: string;
  readonly sn?: string;
  readonly displayName?: string;
  readonly mail?: string;
  readonly proxyAddresses?: readonly string[];
  readonly title?: string;
  readonly department?: string;
  readonly company?: string;
  readonly office?: string;
  readonly telephoneNumber?: string;
  readonly mobile?: string;
  readonly manager?: string;
  readonly photo?: Buffer;
  readonly disabled?: boolean;
}

/** Attributes of a user object for an LDAP add, without the empty ones. */
export function userAttributes(dc: SambaAd, u: UserSpec): Record<string, string | string[] | Buffer> {
  const a: Record<string, string | string[] | Buffer | undefined> = {
    objectClass: ['top', 'person', 'organizationalPerson', 'user'],
    sAMAccountName: u.sam,
    userPrincipalName: `${u.sam}@${dc.dnsDomain}`,
    userAccountControl: u.disabled ? UAC_DISABLED : UAC_ENABLED,
    givenName: u.givenName,
    sn: u.sn,
    displayName: u.displayName,
    mail: u.mail,
    proxyAddresses: u.proxyAddresses ? [...u.proxyAddresses] : undefined,
    title: u.title,
    department: u.department,
    company: u.company,
    physicalDeliveryOfficeName: u.office,
    telephoneNumber: u.telephoneNumber,
    mobile: u.mobile,
    manager: u.manager,
    thumbnailPhoto: u.photo,
  };
  return Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as Record<string, string | string[] | Buffer>;
}

export async function addOu(client: Client, dn: string): Promise<void> {
  await client.add(dn, { objectClass: ['top', 'organizationalUnit'] });
}

export async function addUser(dc: SambaAd, client: Client, parentDn: string, u: UserSpec): Promise<string> {
  const dn = `CN=${u.cn},${parentDn}`;
  const attrs = Object.entries(userAttributes(dc, u)).map(
    ([type, v]) => new Attribute({ type, values: (Buffer.isBuffer(v) ? [v] : Array.isArray(v) ? v : [v]) as string[] | Buffer[] }),
  );
  await client.add(dn, attrs);
  return dn;
}

export async function addContact(
  client: Client,
  parentDn: string,
  c: { cn: string; mail?: string; proxyAddresses?: string[]; displayName?: string; company?: string },
): Promise<string> {
  const dn = `CN=${c.cn},${parentDn}`;
  const a: Record<string, string | string[] | undefined> = {
    objectClass: ['top', 'person', 'organizationalPerson', 'contact'],
    displayName: c.displayName,
    mail: c.mail,
    proxyAddresses: c.proxyAddresses,
    company: c.company,
  };
  await client.add(dn, Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as Record<string, string | string[]>);
  return dn;
}

export async function addGroup(client: Client, parentDn: string, cn: string, members: readonly string[]): Promise<string> {
  const dn = `CN=${cn},${parentDn}`;
  await client.add(dn, {
    objectClass: ['top', 'group'],
    sAMAccountName: cn.replace(/\s+/g, '-').toLowerCase(),
    ...(members.length ? { member: [...members] } : {}),
  });
  return dn;
}

export async function replace(client: Client, dn: string, type: string, values: (string | Buffer)[]): Promise<void> {
  await client.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type, values: values as string[] | Buffer[] }) }));
}

export async function addValues(client: Client, dn: string, type: string, values: string[]): Promise<void> {
  await client.modify(dn, new Change({ operation: 'add', modification: new Attribute({ type, values }) }));
}

export async function deleteValues(client: Client, dn: string, type: string, values: string[]): Promise<void> {
  await client.modify(dn, new Change({ operation: 'delete', modification: new Attribute({ type, values }) }));
}

/**
 * Runs `work(i)` for i in [0, n) over `connections` LDAP connections bound as the administrator
 * (Samba takes about 200 adds/s this way on 2 cores).
 */
export async function inParallel(dc: SambaAd, n: number, work: (client: Client, i: number) => Promise<void>, connections = 4): Promise<void> {
  const clients: Client[] = [];
  try {
    for (let c = 0; c < connections; c++) {
      const client = dc.adminClient();
      await client.bind(dc.adminBindDn, dc.adminPassword);
      clients.push(client);
    }
    let next = 0;
    await Promise.all(
      clients.map(async (client) => {
        while (next < n) await work(client, next++);
      }),
    );
  } finally {
    for (const c of clients) await c.unbind().catch(() => {});
  }
}

/** A valid PNG of `size`×`size` pixels of one colour: a real, small thumbnailPhoto. */
export function pngPhoto(size: number, rgb: readonly [number, number, number]): Buffer {
  return encodePng(size, 3, () => rgb);
}

/** An enabled account with a password (set over LDAPS as AD requires): a plain Domain Users member. */
export async function addServiceAccount(client: Client, parentDn: string, sam: string, password: string): Promise<string> {
  const dn = `CN=${sam},${parentDn}`;
  await client.add(dn, [
    new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] }),
    new Attribute({ type: 'sAMAccountName', values: [sam] }),
    new Attribute({ type: 'unicodePwd', values: [Buffer.from(`"${password}"`, 'utf16le')] }),
    new Attribute({ type: 'userAccountControl', values: ['512'] }),
  ]);
  return dn;
}
