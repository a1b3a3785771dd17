import type { DirectoryEntry, Phone } from '../../model/directory-entry.js';
import { attrBuffer, attrString, attrValues, type LdapEntry } from '../ldap-common/index.js';
import { guidToString, immutableIdOf } from './object-guid.js';
import { parseProxyAddresses } from './proxy-addresses.js';
import { isAccountDisabled } from './user-account-control.js';

/** What a pass asks AD for, per user or contact. */
export const AD_ENTRY_ATTRIBUTES = [
  'objectGUID',
  'objectClass',
  'cn',
  'displayName',
  'givenName',
  'sn',
  'mail',
  'proxyAddresses',
  'userAccountControl',
  'userPrincipalName',
  'title',
  'department',
  'company',
  'physicalDeliveryOfficeName',
  'telephoneNumber',
  'otherTelephone',
  'mobile',
  'otherMobile',
  'homePhone',
  'facsimileTelephoneNumber',
  'manager',
  'thumbnailPhoto',
] as const;
export const AD_BINARY_ATTRIBUTES = ['objectGUID', 'thumbnailPhoto'] as const;

/** Users (not computers: those are objectCategory=computer) and mail-enabled contacts. */
export const AD_SCOPE_FILTER = '(&(objectCategory=person)(|(objectClass=user)(&(objectClass=contact)(|(mail=*)(proxyAddresses=*)))))';

const PHONES: readonly (readonly [attribute: string, type: Phone['type']])[] = [
  ['telephoneNumber', 'business'],
  ['otherTelephone', 'business'],
  ['mobile', 'mobile'],
  ['otherMobile', 'mobile'],
  ['homePhone', 'home'],
  ['facsimileTelephoneNumber', 'fax'],
];

/**
 * One AD user or contact → DirectoryEntry. Keyed by objectGUID (string form); contacts are
 * `kind: 'contact'` (external people, never sign in); a disabled account is kept, marked.
 * Returns a warning instead when the entry cannot be keyed.
 */
export function toDirectoryEntry(entry: LdapEntry, groups: readonly string[]): DirectoryEntry | { warning: string } {
  const guid = attrBuffer(entry, 'objectGUID');
  if (!guid || guid.length !== 16) return { warning: `${entry.dn}: no objectGUID, skipped` };
  const classes = attrValues(entry, 'objectClass').map((c) => c.toLowerCase());
  const isContact = classes.includes('contact') && !classes.includes('user');
  const { primary, aliases } = parseProxyAddresses(attrValues(entry, 'proxyAddresses'), attrString(entry, 'mail'));
  const phones: Phone[] = [];
  for (const [attribute, type] of PHONES) {
    for (const number of attrValues(entry, attribute)) {
      const n = number.trim();
      if (n && !phones.some((p) => p.number === n && p.type === type)) phones.push({ type, number: n });
    }
  }
  const manager = attrString(entry, 'manager');
  const photo = attrBuffer(entry, 'thumbnailPhoto');
  const givenName = attrString(entry, 'givenName');
  const surname = attrString(entry, 'sn');
  return {
    externalId: guidToString(guid),
    immutableId: immutableIdOf(guid),
    kind: isContact ? 'contact' : 'person',
    dn: entry.dn,
    primaryEmail: primary,
    aliases,
    displayName: attrString(entry, 'displayName') ?? ([givenName, surname].filter(Boolean).join(' ') || attrString(entry, 'cn') || primary || entry.dn),
    givenName,
    surname,
    title: attrString(entry, 'title'),
    department: attrString(entry, 'department'),
    company: attrString(entry, 'company'),
    office: attrString(entry, 'physicalDeliveryOfficeName'),
    phones,
    manager: manager ? { dn: manager } : undefined,
    photo: photo && photo.length > 0 ? new Uint8Array(photo) : null,
    groups,
    disabled: !isContact && isAccountDisabled(attrString(entry, 'userAccountControl')),
    upn: isContact ? undefined : attrString(entry, 'userPrincipalName')?.toLowerCase(),
  };
}
