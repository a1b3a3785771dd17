// LDIF for the LDAP scenario tests and the benchmark: inetOrgPerson people with the project
// schema's AD-like attributes, and groupOfNames groups.
export const BASE_DN = 'dc=example,dc=com';
export const PEOPLE_DN = `ou=people,${BASE_DN}`;
export const GROUPS_DN = `ou=groups,${BASE_DN}`;

export interface PersonSpec {
  readonly uid: string;
  readonly cn?: string;
  readonly mail?: string | null;
  readonly title?: string;
  readonly department?: string;
  readonly manager?: string;
  readonly aliases?: readonly string[];
  readonly disabled?: boolean;
  readonly photo?: Buffer;
  readonly ou?: string;
}

export const personDn = (uid: string, ou = 'people') => `uid=${uid},ou=${ou},${BASE_DN}`;
export const groupDn = (cn: string) => `cn=${cn},${GROUPS_DN}`;

/** A small JPEG-looking blob (SOI marker + filler), distinct per seed. */
export function photoBytes(seed: number, size = 2048): Buffer {
  const b = Buffer.alloc(size, seed % 251);
  b[0] = 0xff;
  b[1] = 0xd8;
  b[2] = 0xff;
  b[3] = 0xe0;
  b.writeUInt32BE(seed >>> 0, 4);
  return b;
}

export function personLdif(p: PersonSpec): string {
  const cn = p.cn ?? `Person ${p.uid}`;
  const lines = [
    `dn: ${personDn(p.uid, p.ou)}`,
    'objectClass: inetOrgPerson',
    'objectClass: projectAdUser',
    `uid: ${p.uid}`,
    `cn: ${cn}`,
    `sn: ${p.uid}`,
    `givenName: ${cn.split(' ')[0]}`,
    `displayName: ${cn}`,
  ];
  if (p.mail !== null) lines.push(`mail: ${p.mail ?? `${p.uid}@example.com`}`);
  lines.push(
    `title: ${p.title ?? 'Engineer'}`,
    `departmentNumber: ${p.department ?? 'Engineering'}`,
    'o: Example Corp',
    'physicalDeliveryOfficeName: Paris',
    `telephoneNumber: +33 1 00 00 ${p.uid.length}`,
  );
  if (p.manager) lines.push(`manager: ${p.manager}`);
  for (const a of p.aliases ?? []) lines.push(`proxyAddresses: smtp:${a}`);
  lines.push(`userAccountControl: ${p.disabled ? 514 : 512}`);
  if (p.photo) lines.push(`jpegPhoto:: ${p.photo.toString('base64')}`);
  return `${lines.join('\n')}\n\n`;
}

export function groupLdif(cn: string, members: readonly string[]): string {
  return [`dn: ${groupDn(cn)}`, 'objectClass: groupOfNames', `cn: ${cn}`, ...members.map((m) => `member: ${m}`), '', ''].join('\n');
}
