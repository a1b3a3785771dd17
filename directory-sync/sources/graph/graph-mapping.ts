import { createHash } from 'node:crypto';
import type { DirectoryEntry, Phone } from '../../model/directory-entry.js';

/** Properties the users delta asks for ($select is encoded into the delta tokens). */
export const USER_SELECT = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'userPrincipalName',
  'proxyAddresses',
  'jobTitle',
  'department',
  'companyName',
  'officeLocation',
  'businessPhones',
  'mobilePhone',
  'faxNumber',
  'accountEnabled',
  'onPremisesImmutableId',
  'userType',
  'manager',
] as const;

export const ORG_CONTACT_SELECT = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'proxyAddresses',
  'jobTitle',
  'department',
  'companyName',
  'phones',
] as const;

export const PERSONAL_CONTACT_SELECT = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'emailAddresses',
  'jobTitle',
  'department',
  'companyName',
  'businessPhones',
  'mobilePhone',
  'homePhones',
] as const;

export interface GraphUser {
  id: string;
  displayName?: string | null;
  givenName?: string | null;
  surname?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  proxyAddresses?: string[] | null;
  jobTitle?: string | null;
  department?: string | null;
  companyName?: string | null;
  officeLocation?: string | null;
  businessPhones?: string[] | null;
  mobilePhone?: string | null;
  faxNumber?: string | null;
  accountEnabled?: boolean | null;
  onPremisesImmutableId?: string | null;
  userType?: string | null;
  'manager@delta'?: { id: string; '@removed'?: unknown }[];
  '@removed'?: { reason: string };
}

export interface GraphOrgContact {
  id: string;
  displayName?: string | null;
  givenName?: string | null;
  surname?: string | null;
  mail?: string | null;
  proxyAddresses?: string[] | null;
  jobTitle?: string | null;
  department?: string | null;
  companyName?: string | null;
  phones?: { type?: string | null; number?: string | null }[] | null;
  '@removed'?: { reason: string };
}

export interface GraphPersonalContact {
  id: string;
  displayName?: string | null;
  givenName?: string | null;
  surname?: string | null;
  emailAddresses?: { name?: string | null; address?: string | null }[] | null;
  jobTitle?: string | null;
  department?: string | null;
  companyName?: string | null;
  businessPhones?: string[] | null;
  mobilePhone?: string | null;
  homePhones?: string[] | null;
  '@removed'?: { reason: string };
}

const opt = (v: string | null | undefined): string | undefined => (v && v.trim() ? v.trim() : undefined);
const lower = (v: string | null | undefined): string | null => (v && v.trim() ? v.trim().toLowerCase() : null);

/** Primary SMTP and aliases from `mail` and `proxyAddresses` ("SMTP:" is the primary, "smtp:" aliases). */
export function smtpAddresses(mail: string | null | undefined, proxies: readonly string[] | null | undefined): { primary: string | null; aliases: string[] } {
  let primary = lower(mail);
  const aliases: string[] = [];
  for (const p of proxies ?? []) {
    const m = /^(smtp):(.+)$/i.exec(p);
    if (!m) continue;
    const addr = m[2].trim().toLowerCase();
    if (m[1] === 'SMTP' && !primary) primary = addr;
    if (!aliases.includes(addr)) aliases.push(addr);
  }
  return { primary, aliases: aliases.filter((a) => a !== primary) };
}

/** External id of an organisational contact (users keep their bare Graph object id). */
export const orgContactId = (id: string): string => `orgcontact:${id}`;

/**
 * External id of an Outlook contact: owner plus a digest of the (long, opaque) contact id, so it
 * fits the 200-character key and a delete (@removed carries only the id) maps to the same key.
 */
export const personalContactId = (ownerId: string, contactId: string): string =>
  `${personalContactPrefix(ownerId)}${createHash('sha256').update(contactId).digest('base64url').slice(0, 32)}`;

/** What every Outlook contact of one owner's external id starts with. */
export const personalContactPrefix = (ownerId: string): string => `pc:${ownerId}:`;

/** A Graph user as a directory person; UPN stands in for a mailbox-less user's address. */
export function userToEntry(u: GraphUser, manager?: string | null): DirectoryEntry {
  const { primary, aliases } = smtpAddresses(u.mail, u.proxyAddresses);
  const upn = lower(u.userPrincipalName);
  const fallback = upn && !upn.includes('#ext#') ? upn : null;
  const phones: Phone[] = [
    ...(u.businessPhones ?? []).filter(Boolean).map((number) => ({ type: 'business' as const, number })),
    ...(u.mobilePhone ? [{ type: 'mobile' as const, number: u.mobilePhone }] : []),
    ...(u.faxNumber ? [{ type: 'fax' as const, number: u.faxNumber }] : []),
  ];
  const managerId = manager !== undefined ? manager : (u['manager@delta']?.find((m) => !m['@removed'])?.id ?? null);
  return {
    externalId: u.id,
    kind: 'person',
    primaryEmail: primary ?? fallback,
    aliases: aliases.filter((a) => a !== (primary ?? fallback)),
    displayName: opt(u.displayName) ?? primary ?? fallback ?? u.id,
    givenName: opt(u.givenName),
    surname: opt(u.surname),
    title: opt(u.jobTitle),
    department: opt(u.department),
    company: opt(u.companyName),
    office: opt(u.officeLocation),
    phones,
    manager: managerId ? { externalId: managerId } : undefined,
    groups: [],
    disabled: u.accountEnabled === false,
    upn: upn ?? undefined,
    immutableId: opt(u.onPremisesImmutableId),
  };
}

export function orgContactToEntry(c: GraphOrgContact): DirectoryEntry {
  const { primary, aliases } = smtpAddresses(c.mail, c.proxyAddresses);
  const phoneType = (t: string | null | undefined): Phone['type'] =>
    t === 'mobile' ? 'mobile' : t === 'home' ? 'home' : t?.toLowerCase().includes('fax') ? 'fax' : t === 'business' ? 'business' : 'other';
  return {
    externalId: orgContactId(c.id),
    kind: 'contact',
    primaryEmail: primary,
    aliases,
    displayName: opt(c.displayName) ?? primary ?? c.id,
    givenName: opt(c.givenName),
    surname: opt(c.surname),
    title: opt(c.jobTitle),
    department: opt(c.department),
    company: opt(c.companyName),
    phones: (c.phones ?? []).filter((p) => p.number).map((p) => ({ type: phoneType(p.type), number: p.number! })),
    groups: [],
    disabled: false,
  };
}

export function personalContactToEntry(ownerId: string, c: GraphPersonalContact): DirectoryEntry {
  const addrs = [...new Set((c.emailAddresses ?? []).map((e) => lower(e.address)).filter((a): a is string => !!a))];
  return {
    externalId: personalContactId(ownerId, c.id),
    kind: 'contact',
    primaryEmail: addrs[0] ?? null,
    aliases: addrs.slice(1),
    displayName: opt(c.displayName) ?? addrs[0] ?? 'Contact',
    givenName: opt(c.givenName),
    surname: opt(c.surname),
    title: opt(c.jobTitle),
    department: opt(c.department),
    company: opt(c.companyName),
    phones: [
      ...(c.businessPhones ?? []).filter(Boolean).map((number) => ({ type: 'business' as const, number })),
      ...(c.mobilePhone ? [{ type: 'mobile' as const, number: c.mobilePhone }] : []),
      ...(c.homePhones ?? []).filter(Boolean).map((number) => ({ type: 'home' as const, number })),
    ],
    groups: [],
    disabled: false,
    ownerExternalId: ownerId,
  };
}

/**
 * AD objectGUID (the string form, e.g. "a1b2c3d4-…") as Entra's onPremisesImmutableId: base64 of
 * the GUID's 16 bytes in Microsoft's mixed-endian layout. Lets the AD side compute the join key.
 */
export function immutableIdFromGuid(guid: string): string {
  const hex = guid.replace(/[{}-]/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a GUID: ${guid}`);
  const b = Buffer.from(hex, 'hex');
  const le = Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8),
  ]);
  return le.toString('base64');
}
