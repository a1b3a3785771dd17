import type { DirectoryEntry, Phone } from '../../model/directory-entry.js';
import { attrString, attrValues, type LdapEntry } from '../ldap-common/index.js';
import type { AttributeMap } from './attribute-map.js';
import type { GroupMembership } from './group-lookup.js';

const first = (e: LdapEntry, names: readonly string[]): string | undefined => {
  for (const n of names) {
    const v = attrString(e, n);
    if (v !== undefined) return v;
  }
  return undefined;
};

const all = (e: LdapEntry, names: readonly string[]): string[] =>
  names.flatMap((n) =>
    attrValues(e, n)
      .map((v) => v.trim())
      .filter(Boolean),
  );

/** AD-style account flags (bit 0x2) or a boolean attribute. */
export function isDisabled(value: string | undefined): boolean {
  if (value === undefined) return false;
  if (/^-?\d+$/.test(value)) return (Number(value) & 2) === 2;
  return /^(true|yes|1|disabled)$/i.test(value);
}

/** Splits mail and proxyAddresses into the primary address and aliases, lower-cased. */
export function addresses(mail: readonly string[], proxyAddresses: readonly string[]): { primary: string | null; aliases: string[] } {
  let primary: string | null = null;
  const aliases: string[] = [];
  for (const p of proxyAddresses) {
    const m = /^(smtp):(.+)$/i.exec(p);
    if (!m) continue; // X500:, SIP:, … are not mail addresses
    const addr = m[2]!.trim().toLowerCase();
    if (m[1] === 'SMTP' && !primary) primary = addr;
    else aliases.push(addr);
  }
  const mails = mail.map((m) => m.toLowerCase());
  // mail wins as the primary address (it is what inetOrgPerson directories maintain).
  if (mails[0]) {
    if (primary && primary !== mails[0]) aliases.push(primary);
    primary = mails[0];
  }
  aliases.push(...mails.slice(1));
  return { primary, aliases: [...new Set(aliases)].filter((a) => a !== primary) };
}

/**
 * One LDAP person entry → DirectoryEntry, or a warning when it cannot be one (no id).
 * The photo is set to null when absent, so a removed photo is removed from the store too.
 */
export function mapEntry(e: LdapEntry, map: AttributeMap, groups: GroupMembership): { entry?: DirectoryEntry; warning?: string } {
  const externalId = first(e, map.id);
  if (!externalId) return { warning: `${e.dn}: no ${map.id.join('/')}, skipped` };
  const { primary, aliases } = addresses(all(e, map.mail), all(e, map.proxyAddresses));
  const phones: Phone[] = [];
  const phone = (type: Phone['type'], names: readonly string[]) => {
    for (const number of all(e, names)) phones.push({ type, number });
  };
  phone('business', map.businessPhone);
  phone('mobile', map.mobilePhone);
  phone('home', map.homePhone);
  phone('fax', map.fax);
  let photo: Buffer | null = null;
  for (const n of map.photo) {
    const v = e.attributes[n.toLowerCase()]?.[0];
    if (v !== undefined) {
      photo = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
      break;
    }
  }
  const managerDn = first(e, map.manager);
  const entry: DirectoryEntry = {
    externalId,
    kind: 'person',
    dn: e.dn,
    primaryEmail: primary,
    aliases,
    displayName: first(e, map.displayName) ?? primary ?? e.dn,
    givenName: first(e, map.givenName),
    surname: first(e, map.surname),
    title: first(e, map.title),
    department: first(e, map.department),
    company: first(e, map.company),
    office: first(e, map.office),
    phones,
    manager: managerDn ? { dn: managerDn } : undefined,
    photo,
    groups: groups.groupsOf(e.dn, all(e, map.memberOf)),
    disabled: isDisabled(first(e, map.disabled)),
    upn: first(e, map.upn)?.toLowerCase(),
  };
  return { entry };
}
