import { guidString, immutableId, smtpAddresses } from './ad-attributes.js';
import type { DirectoryEntry, Phone } from '../../model/directory-entry.js';
import { normalizeDn } from '../../engine/validate-entry.js';
import type { LdifRecord } from './ldif-parser.js';

const text = (v: string | Buffer): string => (typeof v === 'string' ? v : v.toString('utf8'));
const all = (r: LdifRecord, name: string): string[] =>
  (r.attributes.get(name) ?? [])
    .map(text)
    .map((s) => s.trim())
    .filter(Boolean);
const one = (r: LdifRecord, ...names: string[]): string | undefined => {
  for (const n of names) {
    const v = all(r, n)[0];
    if (v) return v;
  }
  return undefined;
};
const bytes = (r: LdifRecord, ...names: string[]): Buffer | undefined => {
  for (const n of names) {
    const v = r.attributes.get(n)?.[0];
    if (v !== undefined) return typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
  }
  return undefined;
};

const classesOf = (r: LdifRecord) => new Set(all(r, 'objectclass').map((c) => c.toLowerCase()));
const GROUP_CLASSES = ['group', 'groupofnames', 'groupofuniquenames'];
const PERSON_CLASSES = ['person', 'organizationalperson', 'inetorgperson', 'user'];

export type RecordKind = 'person' | 'contact' | 'group' | 'other';

/** What a record is: a person, an external contact, a group, or something we do not sync (OUs, computers). */
export function recordKind(r: LdifRecord): RecordKind {
  const c = classesOf(r);
  if (GROUP_CLASSES.some((g) => c.has(g))) return 'group';
  if (c.has('computer')) return 'other';
  if (c.has('contact')) return 'contact';
  if (PERSON_CLASSES.some((p) => c.has(p))) return 'person';
  return 'other';
}

/** The display name of a group or a DN: the value of its first RDN. */
export function rdnValue(dn: string): string {
  const m = /^[^=]+=((?:\\.|[^,\\])*)/.exec(dn.trim());
  return (m?.[1] ?? dn).replace(/\\(.)/g, '$1').trim();
}

/**
 * Groups of the file, collected in the validation pass so that people get their memberships
 * whichever comes first in the file; nested groups are expanded.
 */
export class LdifGroupIndex {
  readonly #names = new Map<string, string>();
  /** member DN → DNs of the groups that list it. */
  readonly #parents = new Map<string, string[]>();

  add(r: LdifRecord): void {
    const dn = normalizeDn(r.dn);
    this.#names.set(dn, one(r, 'cn', 'name') ?? rdnValue(r.dn));
    for (const m of [...all(r, 'member'), ...all(r, 'uniquemember')]) {
      const key = normalizeDn(m);
      const list = this.#parents.get(key) ?? [];
      list.push(dn);
      this.#parents.set(key, list);
    }
  }

  /** Names of every group a DN belongs to, directly or through nested groups. */
  groupsOf(dn: string, memberOf: readonly string[]): string[] {
    const seen = new Set<string>();
    const named = new Map(memberOf.map((m) => [normalizeDn(m), rdnValue(m)]));
    const queue = [...(this.#parents.get(normalizeDn(dn)) ?? []), ...named.keys()];
    while (queue.length && seen.size < 5000) {
      const g = queue.shift()!;
      if (seen.has(g)) continue;
      seen.add(g);
      queue.push(...(this.#parents.get(g) ?? []));
    }
    return [...new Set([...seen].map((g) => this.#names.get(g) ?? named.get(g) ?? rdnValue(g)))].sort();
  }
}

const PHONE_ATTRS: [string, Phone['type']][] = [
  ['telephonenumber', 'business'],
  ['mobile', 'mobile'],
  ['homephone', 'home'],
  ['facsimiletelephonenumber', 'fax'],
  ['ipphone', 'other'],
];

/**
 * Maps a person or contact record of an inetOrgPerson (OpenLDAP) or AD (ldifde) export.
 * Key: objectGUID (AD string form), else entryUUID, else the DN.
 */
export function recordToEntry(r: LdifRecord, groups: LdifGroupIndex): DirectoryEntry {
  const kind = recordKind(r) === 'contact' ? 'contact' : 'person';
  const guid = bytes(r, 'objectguid');
  const entryUuid = one(r, 'entryuuid');
  const externalId = guid && guid.length === 16 ? guidString(guid) : entryUuid ? entryUuid.toLowerCase() : `dn:${normalizeDn(r.dn)}`;
  const mails = all(r, 'mail');
  const { primary, aliases } = smtpAddresses(all(r, 'proxyaddresses'), mails[0]);
  const extraMails = mails
    .slice(1)
    .map((m) => m.toLowerCase())
    .filter((m) => m !== primary && !aliases.includes(m));
  const given = one(r, 'givenname');
  const sn = one(r, 'sn', 'surname');
  const uac = Number(one(r, 'useraccountcontrol') ?? 0);
  const phones: Phone[] = [];
  for (const [attr, type] of PHONE_ATTRS) for (const number of all(r, attr)) phones.push({ type, number });
  const manager = one(r, 'manager');
  const photo = bytes(r, 'thumbnailphoto', 'jpegphoto', 'photo');
  return {
    externalId,
    kind,
    dn: r.dn,
    primaryEmail: primary,
    aliases: [...aliases, ...extraMails],
    displayName: one(r, 'displayname', 'cn') ?? ([given, sn].filter(Boolean).join(' ') || rdnValue(r.dn)),
    givenName: given,
    surname: sn,
    title: one(r, 'title'),
    department: one(r, 'department', 'departmentnumber', 'ou'),
    company: one(r, 'company', 'o'),
    office: one(r, 'physicaldeliveryofficename', 'roomnumber', 'l'),
    phones,
    manager: manager ? { dn: manager } : undefined,
    photo: photo ?? null,
    groups: groups.groupsOf(r.dn, all(r, 'memberof')),
    disabled: Number.isFinite(uac) && (uac & 2) === 2,
    upn: one(r, 'userprincipalname'),
    immutableId: guid && guid.length === 16 ? immutableId(guid) : undefined,
  };
}
