import type { DirectoryEntry, Phone } from '../model/directory-entry.js';

export const MAX_PHOTO_BYTES = 100 * 1024;
const MAX_TEXT = 256;
const MAX_ALIASES = 50;
const MAX_GROUPS = 2000;
const MAX_PHONES = 10;
const EMAIL = /^[^@\s<>()[\]",;:\\]{1,64}@[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u001f\u007f]/;

export const isValidEmail = (s: string): boolean => s.length <= 320 && EMAIL.test(s);

/** Lower-cases a DN and drops the blanks around separators, so references compare equal. */
export function normalizeDn(dn: string): string {
  if (/^[a-z0-9=,._@-]*$/.test(dn)) return dn; // already normal: skip the allocations
  return dn
    .trim()
    .toLowerCase()
    .replace(/\s*([,=+])\s*/g, '$1');
}

export type Checked = { ok: true; entry: DirectoryEntry; warnings: string[] } | { ok: false; warnings: string[] };

/** A text field trimmed and bounded; control characters become blanks. */
function text(v: string | undefined, field: string, label: string, warnings: string[]): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    warnings.push(`${label}: ${field} is not text, dropped`);
    return undefined;
  }
  // Tested before replacing: nearly no value has one, and a global replace allocates regardless.
  let s = (HAS_CONTROL.test(v) ? v.replace(CONTROL, ' ') : v).trim();
  if (s.length > MAX_TEXT) {
    warnings.push(`${label}: ${field} longer than ${MAX_TEXT} characters, trimmed`);
    s = s.slice(0, MAX_TEXT);
  }
  return s || undefined;
}

/** An address lower-cased, or null (with a warning) when it is not a valid one. */
function addr(v: string | null | undefined, label: string, warnings: string[]): string | null {
  if (!v) return null;
  const s = String(v).trim().toLowerCase();
  if (isValidEmail(s)) return s;
  warnings.push(`${label}: invalid address ${JSON.stringify(s.slice(0, 80))}, dropped`);
  return null;
}

/**
 * Checks and trims one entry before it reaches the store: addresses lower-cased and valid,
 * text bounded, oversized photos dropped. An entry without a usable address is refused.
 * (The helpers are functions of their own, not closures: this runs once per entry of a pass.)
 */
export function checkEntry(e: DirectoryEntry): Checked {
  const warnings: string[] = [];
  const label = e.dn ?? e.externalId ?? '(no id)';
  if (typeof e.externalId !== 'string' || !e.externalId.trim() || e.externalId.length > 200)
    return { ok: false, warnings: [`${label}: missing or invalid external id, skipped`] };
  let primary = addr(e.primaryEmail, label, warnings);
  const aliases: string[] = [];
  for (const a of e.aliases ?? []) {
    const s = addr(a, label, warnings);
    if (s && s !== primary && !aliases.includes(s)) aliases.push(s);
  }
  if (aliases.length > MAX_ALIASES) {
    warnings.push(`${label}: ${aliases.length} aliases, only the first ${MAX_ALIASES} kept`);
    aliases.length = MAX_ALIASES;
  }
  if (!primary && aliases.length) primary = aliases.shift()!;
  if (!primary) return { ok: false, warnings: [...warnings, `${label}: no e-mail address, skipped`] };

  // undefined: the source says nothing about the photo (kept as is); null: it has none.
  let photo = e.photo === undefined ? undefined : (e.photo ?? null);
  if (photo && photo.byteLength > MAX_PHOTO_BYTES) {
    warnings.push(`${label}: photo of ${photo.byteLength} bytes is over ${MAX_PHOTO_BYTES}, dropped`);
    photo = null;
  }
  if (photo && photo.byteLength === 0) photo = null;
  const phones: Phone[] = [];
  for (const p of e.phones ?? []) {
    const number = text(p?.number, 'phone', label, warnings);
    if (number && phones.length < MAX_PHONES) phones.push({ type: p.type, number: number.slice(0, 64) });
  }
  // Most entries are in a few groups: a Set per entry (100,000 per first load) only once the
  // list is long enough for includes() to cost more. Every name seen is in `groups` until then.
  const groups: string[] = [];
  let seen: Set<string> | undefined;
  for (const g of e.groups ?? []) {
    const name = text(g, 'group', label, warnings);
    if (!name) continue;
    if (seen) {
      if (seen.has(name)) continue;
      seen.add(name);
    } else if (groups.includes(name)) continue;
    else if (groups.length >= 16) (seen = new Set(groups)).add(name);
    if (groups.length < MAX_GROUPS) groups.push(name);
  }
  const displayName = text(e.displayName, 'displayName', label, warnings) ?? primary;
  const entry: DirectoryEntry = {
    externalId: e.externalId.trim(),
    kind: e.kind === 'contact' ? 'contact' : 'person',
    dn: e.dn ? normalizeDn(e.dn) : undefined,
    primaryEmail: primary,
    aliases,
    displayName,
    givenName: text(e.givenName, 'givenName', label, warnings),
    surname: text(e.surname, 'surname', label, warnings),
    title: text(e.title, 'title', label, warnings),
    department: text(e.department, 'department', label, warnings),
    company: text(e.company, 'company', label, warnings),
    office: text(e.office, 'office', label, warnings),
    phones,
    manager: e.manager?.externalId ? { externalId: e.manager.externalId } : e.manager?.dn ? { dn: normalizeDn(e.manager.dn) } : undefined,
    photo,
    groups,
    disabled: !!e.disabled,
    upn: addr(e.upn ?? null, label, warnings) ?? undefined,
    immutableId: text(e.immutableId, 'immutableId', label, warnings),
    ownerExternalId: e.ownerExternalId,
  };
  return { ok: true, entry, warnings };
}
