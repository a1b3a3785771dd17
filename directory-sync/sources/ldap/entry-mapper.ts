import type { DirectoryEntry, Phone } from '../../model/directory-entry.js';
import type { LdapEntry } from '../ldap-common/index.js';
import type { AttributeMap } from './attribute-map.js';
import type { GroupMembership } from './group-lookup.js';

type Values = Readonly<Record<string, readonly (string | Buffer)[]>>;
const text = (v: string | Buffer): string => (typeof v === 'string' ? v : v.toString('utf8'));

/** The first value of the first attribute that has a non-blank one, trimmed. */
function first(a: Values, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = a[n]?.[0];
    if (v === undefined) continue;
    const s = text(v).trim();
    if (s !== '') return s;
  }
  return undefined;
}

const NONE: readonly string[] = Object.freeze([]);

/** Every non-blank value of every attribute, trimmed (one shared empty list when there is none: most are empty). */
function all(a: Values, names: readonly string[]): readonly string[] {
  let out: string[] | undefined;
  for (const n of names) {
    const values = a[n];
    if (!values) continue;
    for (const v of values) {
      const s = text(v).trim();
      if (s !== '') (out ??= []).push(s);
    }
  }
  return out ?? NONE;
}

/** AD-style account flags (bit 0x2) or a boolean attribute. */
export function isDisabled(value: string | undefined): boolean {
  if (value === undefined) return false;
  if (/^-?\d+$/.test(value)) return (Number(value) & 2) === 2;
  return /^(true|yes|1|disabled)$/i.test(value);
}

/** Splits mail and proxyAddresses into the primary address and aliases, lower-cased. */
export function addresses(mail: readonly string[], proxyAddresses: readonly string[]): { primary: string | null; aliases: string[] } {
  let primary: string | null = null;
  const others: string[] = [];
  for (const p of proxyAddresses) {
    const m = /^(smtp):(.+)$/i.exec(p);
    if (!m) continue; // X500:, SIP:, … are not mail addresses
    const addr = m[2]!.trim().toLowerCase();
    if (m[1] === 'SMTP' && !primary) primary = addr;
    else others.push(addr);
  }
  // mail wins as the primary address (it is what inetOrgPerson directories maintain).
  const first = mail.length ? mail[0]!.toLowerCase() : '';
  if (first) {
    if (primary && primary !== first) others.push(primary);
    primary = first;
  }
  for (let i = 1; i < mail.length; i++) others.push(mail[i]!.toLowerCase());
  // Each once, in order, never the primary: a short list, so no Set (this runs for every entry).
  const aliases: string[] = [];
  for (const a of others) if (a !== primary && !aliases.includes(a)) aliases.push(a);
  return { primary, aliases };
}

/** The fields of an AttributeMap that list attribute names. */
type ListField = { [K in keyof AttributeMap]: AttributeMap[K] extends string[] ? K : never }[keyof AttributeMap];
type Names = Readonly<Record<ListField, readonly string[]>>;

/**
 * LDAP person entries → DirectoryEntry for one attribute map. The map's attribute names are
 * lower-cased once here (LdapEntry names are lower-case), not for every value of every entry.
 */
export class EntryMapper {
  readonly #n: Names;
  readonly #photo: readonly string[];

  constructor(map: AttributeMap) {
    const n: Partial<Record<ListField, readonly string[]>> = {};
    for (const [k, v] of Object.entries(map)) if (Array.isArray(v)) n[k as ListField] = v.map((name: string) => name.toLowerCase());
    this.#n = n as Names;
    this.#photo = this.#n.photo;
  }

  /**
   * One LDAP person entry → DirectoryEntry, or a warning when it cannot be one (no id).
   * The photo is set to null when absent, so a removed photo is removed from the store too.
   */
  map(e: LdapEntry, groups: GroupMembership): { entry?: DirectoryEntry; warning?: string } {
    const a = e.attributes;
    const n = this.#n;
    const externalId = first(a, n.id);
    if (!externalId) return { warning: `${e.dn}: no ${n.id.join('/')}, skipped` };
    const { primary, aliases } = addresses(all(a, n.mail), all(a, n.proxyAddresses));
    const phones: Phone[] = [];
    for (const number of all(a, n.businessPhone)) phones.push({ type: 'business', number });
    for (const number of all(a, n.mobilePhone)) phones.push({ type: 'mobile', number });
    for (const number of all(a, n.homePhone)) phones.push({ type: 'home', number });
    for (const number of all(a, n.fax)) phones.push({ type: 'fax', number });
    let photo: Buffer | null = null;
    for (const name of this.#photo) {
      const v = a[name]?.[0];
      if (v !== undefined) {
        photo = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
        break;
      }
    }
    const managerDn = first(a, n.manager);
    // Key order is part of the content hash (JSON): keep it as it has always been.
    const entry: DirectoryEntry = {
      externalId,
      kind: 'person',
      dn: e.dn,
      primaryEmail: primary,
      aliases,
      displayName: first(a, n.displayName) ?? primary ?? e.dn,
      givenName: first(a, n.givenName),
      surname: first(a, n.surname),
      title: first(a, n.title),
      department: first(a, n.department),
      company: first(a, n.company),
      office: first(a, n.office),
      phones,
      manager: managerDn ? { dn: managerDn } : undefined,
      photo,
      groups: groups.groupsOf(e.dn, n.memberOf.length ? all(a, n.memberOf) : []),
      disabled: isDisabled(first(a, n.disabled)),
      upn: first(a, n.upn)?.toLowerCase(),
    };
    return { entry };
  }
}

const mappers = new WeakMap<AttributeMap, EntryMapper>();

/** One entry with `map` (an EntryMapper made once per map). */
export function mapEntry(e: LdapEntry, map: AttributeMap, groups: GroupMembership): { entry?: DirectoryEntry; warning?: string } {
  let m = mappers.get(map);
  if (!m) mappers.set(map, (m = new EntryMapper(map)));
  return m.map(e, groups);
}
