import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { contentHash, photoEtag, sniffImageType } from '../directory/directory-writer.js';
import type { DirectoryTables } from '../directory/tables.js';
import type { DirectoryEntry } from '../model/directory-entry.js';
import type { SyncTables } from './tables.js';

export type Db = Kysely<DirectoryTables & SyncTables> | Transaction<DirectoryTables & SyncTables>;

export interface BatchOutcome {
  added: number;
  updated: number;
  unchanged: number;
  disabled: number;
  skipped: number;
  warnings: string[];
  /** Some manager references of this batch point at entries not in the store (yet). */
  unresolvedManagers: boolean;
}

/** Prefix of a stored hash whose entry was trimmed because of a conflict: re-applied on every pass. */
const RETRY = 'retry:';
const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface Existing {
  external_id: string;
  person_id: string;
  content_hash: string;
  deleted_at: number | null;
  missing_since: number | null;
  disabled: number;
}

interface Planned {
  entry: DirectoryEntry;
  hash: string;
  personId: string;
  isNew: boolean;
  wasDisabled: boolean;
  emails: string[];
  /** Personal (Outlook) contact: the person whose contact it is. Its addresses stay private. */
  ownerId?: string;
  /** Another source feeds this person too (hybrid join): merge, never wipe its attributes. */
  shared?: SharedRow;
}

type SharedRow = Pick<DirectoryTables['people'], 'display_name' | 'given_name' | 'surname' | 'title' | 'department' | 'company' | 'office' | 'phones' | 'primary_email' | 'upn' | 'immutable_id' | 'groups'>;

let lastMs = 0;
let seq = 0;
/**
 * A UUID-shaped id whose leading bits are the time (as UUIDv7): new people land at the end of
 * the primary-key index instead of at random pages, which keeps bulk inserts fast.
 */
export function timeOrderedId(now = Date.now()): string {
  if (now === lastMs) seq++;
  else {
    lastMs = now;
    seq = 0;
  }
  const b = randomBytes(16);
  b.writeUIntBE(now, 0, 6);
  b.writeUInt16BE(0x7000 | (seq & 0x0fff), 6);
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const managerRef = (e: DirectoryEntry): string | null =>
  e.manager?.externalId ? `id:${e.manager.externalId}` : e.manager?.dn ? `dn:${e.manager.dn}` : null;

/**
 * Applies one batch of checked entries of one source inside the caller's transaction, with a
 * bounded number of statements whatever the batch size: one select decides what changed (content
 * hashes compared in bulk), unchanged entries cost one UPDATE for the whole batch, changed ones
 * are written with multi-row statements, and managers are resolved in bulk for changed entries.
 */
export async function applyBatch(db: Db, source: string, entries: readonly DirectoryEntry[], now: number): Promise<BatchOutcome> {
  const out: BatchOutcome = { added: 0, updated: 0, unchanged: 0, disabled: 0, skipped: 0, warnings: [], unresolvedManagers: false };
  if (entries.length === 0) return out;
  // The last occurrence of an id in a batch wins, as it would across batches.
  const byId = new Map<string, DirectoryEntry>();
  for (const e of entries) {
    byId.delete(e.externalId);
    byId.set(e.externalId, e);
  }
  const list = [...byId.values()];

  const existing = new Map<string, Existing>();
  for (const ids of chunks(list.map((e) => e.externalId))) {
    const rows = await db
      .selectFrom('person_sources')
      .innerJoin('people', 'people.id', 'person_sources.person_id')
      .select(['person_sources.external_id', 'person_sources.person_id', 'person_sources.content_hash', 'people.deleted_at', 'people.missing_since', 'people.disabled'])
      .where('person_sources.source', '=', source)
      .where('person_sources.external_id', 'in', ids)
      .execute();
    for (const r of rows) existing.set(r.external_id, r);
  }

  const unchangedIds: string[] = [];
  const comeBack: string[] = [];
  const changed: { entry: DirectoryEntry; hash: string; old?: Existing }[] = [];
  for (const entry of list) {
    const hash = contentHash(entry);
    const old = existing.get(entry.externalId);
    if (old && old.content_hash === hash && old.deleted_at === null) {
      unchangedIds.push(entry.externalId);
      if (old.missing_since !== null) comeBack.push(old.person_id);
    } else changed.push({ entry, hash, old });
  }
  for (const ids of chunks(unchangedIds)) {
    await db.updateTable('person_sources').set({ seen_at: now }).where('source', '=', source).where('external_id', 'in', ids).execute();
  }
  for (const ids of chunks(comeBack)) await db.updateTable('people').set({ missing_since: null }).where('id', 'in', ids).execute();
  out.unchanged = unchangedIds.length;
  if (changed.length === 0) return out;

  // Hybrid join: a new link may attach to a person another source already created.
  const joinIds = changed.filter((c) => !c.old && c.entry.immutableId).map((c) => c.entry.immutableId!);
  const joined = new Map<string, string>();
  for (const ids of chunks(joinIds)) {
    const rows = await db.selectFrom('people').select(['id', 'immutable_id']).where('immutable_id', 'in', ids).execute();
    for (const r of rows) if (r.immutable_id) joined.set(r.immutable_id, r.id);
  }
  // No common immutable id: a person another source created with the same primary SMTP address is
  // the same person (e.g. a cloud-only Entra user and an LDAP entry), unless both carry different
  // immutable ids. Never two entries of one source: they are distinct people by definition.
  const smtpJoin = new Map<string, { id: string; immutableId: string | null }>();
  const smtpWanted = changed
    .filter((c) => !c.old && c.entry.kind === 'person' && !c.entry.ownerExternalId && !(c.entry.immutableId && joined.has(c.entry.immutableId)))
    .map((c) => c.entry.primaryEmail!);
  for (const emails of chunks(smtpWanted)) {
    const rows = await db
      .selectFrom('person_emails')
      .innerJoin('people', 'people.id', 'person_emails.person_id')
      .select(['person_emails.email', 'people.id', 'people.immutable_id'])
      .where('person_emails.email', 'in', emails)
      .where('people.kind', '=', 'person')
      .where('people.owner_id', 'is', null)
      .where('people.deleted_at', 'is', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('person_sources as s').select('s.person_id').whereRef('s.person_id', '=', 'people.id').where('s.source', '=', source))))
      .execute();
    for (const r of rows) smtpJoin.set(r.email, { id: r.id, immutableId: r.immutable_id });
  }
  // Personal contacts: resolve their owners (same source); a contact whose address is a directory
  // person's is that person, not a second card.
  const ownerRefs = [...new Set(changed.filter((c) => c.entry.ownerExternalId).map((c) => c.entry.ownerExternalId!))];
  const owners = new Map<string, string>();
  for (const ids of chunks(ownerRefs)) {
    const rows = await db.selectFrom('person_sources').select(['external_id', 'person_id']).where('source', '=', source).where('external_id', 'in', ids).execute();
    for (const r of rows) owners.set(r.external_id, r.person_id);
  }
  const directoryAddresses = new Set<string>();
  const contactAddresses = [...new Set(changed.filter((c) => c.entry.ownerExternalId).map((c) => c.entry.primaryEmail!))];
  for (const emails of chunks(contactAddresses)) {
    const rows = await db
      .selectFrom('person_emails')
      .innerJoin('people', 'people.id', 'person_emails.person_id')
      .select('person_emails.email')
      .where('person_emails.email', 'in', emails)
      .where('people.owner_id', 'is', null)
      .where('people.deleted_at', 'is', null)
      .execute();
    for (const r of rows) directoryAddresses.add(r.email);
  }
  const plans: Planned[] = [];
  for (const { entry, hash, old } of changed) {
    let ownerId: string | undefined;
    if (entry.ownerExternalId) {
      ownerId = owners.get(entry.ownerExternalId);
      if (!ownerId) {
        out.warnings.push(`${entry.externalId}: owner ${entry.ownerExternalId} is not in the directory, contact skipped`);
        out.skipped++;
        continue;
      }
      if (!old && directoryAddresses.has(entry.primaryEmail!)) continue;
    }
    const bySmtp = !old && !ownerId ? smtpJoin.get(entry.primaryEmail!) : undefined;
    const smtpId = bySmtp && (!entry.immutableId || !bySmtp.immutableId || bySmtp.immutableId === entry.immutableId) ? bySmtp.id : undefined;
    const joinedId = !old ? ((entry.immutableId ? joined.get(entry.immutableId) : undefined) ?? smtpId) : undefined;
    const personId = old?.person_id ?? joinedId ?? timeOrderedId();
    plans.push({
      entry,
      hash,
      personId,
      isNew: !old && !joinedId,
      wasDisabled: old ? old.disabled === 1 && old.deleted_at === null : false,
      emails: [entry.primaryEmail!, ...entry.aliases],
      ownerId,
    });
  }
  // People fed by more than one source keep what the other sources said.
  const existingIds = plans.filter((p) => !p.isNew && !p.ownerId).map((p) => p.personId);
  for (const ids of chunks(existingIds)) {
    const rows = await db
      .selectFrom('people')
      .select(['id', 'display_name', 'given_name', 'surname', 'title', 'department', 'company', 'office', 'phones', 'primary_email', 'upn', 'immutable_id', 'groups'])
      .where('id', 'in', ids)
      .where((eb) => eb.exists(eb.selectFrom('person_sources as o').select('o.person_id').whereRef('o.person_id', '=', 'people.id').where('o.source', '<>', source)))
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const p of plans) if (byId.has(p.personId)) p.shared = byId.get(p.personId);
  }

  // Address ownership: an address held by another person stays theirs (first come, first served),
  // unless that person is in this batch and lets go of it.
  const wanted = [...new Set(plans.filter((p) => !p.ownerId).flatMap((p) => p.emails))];
  const holder = new Map<string, string>();
  for (const emails of chunks(wanted)) {
    const rows = await db.selectFrom('person_emails').select(['email', 'person_id']).where('email', 'in', emails).execute();
    for (const r of rows) holder.set(r.email, r.person_id);
  }
  const newEmailsOf = new Map<string, Set<string>>();
  for (const p of plans) if (!p.ownerId && !p.shared) newEmailsOf.set(p.personId, new Set(p.emails));
  for (const [email, pid] of holder) {
    const keeps = newEmailsOf.get(pid);
    if (keeps && !keeps.has(email)) holder.delete(email);
  }
  const ready: Planned[] = [];
  for (const p of plans) {
    if (p.ownerId) {
      ready.push(p);
      continue;
    }
    const label = p.entry.dn ?? p.entry.externalId;
    const own: string[] = [];
    let conflict = false;
    for (const email of p.emails) {
      const h = holder.get(email);
      if (h && h !== p.personId) {
        out.warnings.push(`${label}: address ${email} already belongs to another person, not added`);
        conflict = true;
      } else own.push(email);
    }
    if (own.length === 0) {
      out.warnings.push(`${label}: every address is claimed by another person, skipped`);
      out.skipped++;
      continue;
    }
    for (const email of own) holder.set(email, p.personId);
    ready.push({ ...p, emails: own, hash: conflict ? RETRY + p.hash : p.hash });
  }
  if (ready.length === 0) return out;

  const rowOf = (p: Planned) => {
    const e = p.entry;
    const s = p.shared;
    const primary = s?.primary_email && p.emails.includes(s.primary_email) ? s.primary_email : p.emails[0];
    // An undefined photo means "this source does not say" (Graph photos are refreshed apart).
    const photo = e.photo ? { photo_etag: photoEtag(e.photo) } : e.photo === null && !s ? { photo_etag: null } : {};
    const row = {
      kind: e.kind,
      display_name: e.displayName || s?.display_name || primary,
      given_name: e.givenName ?? s?.given_name ?? null,
      surname: e.surname ?? s?.surname ?? null,
      title: e.title ?? s?.title ?? null,
      department: e.department ?? s?.department ?? null,
      company: e.company ?? s?.company ?? null,
      office: e.office ?? s?.office ?? null,
      phones: e.phones.length || !s ? JSON.stringify(e.phones) : s.phones,
      primary_email: primary,
      upn: e.upn ?? s?.upn ?? null,
      immutable_id: e.immutableId ?? s?.immutable_id ?? null,
      groups: JSON.stringify([...new Set([...e.groups, ...(s ? (JSON.parse(s.groups) as string[]) : [])])].sort()),
      disabled: e.disabled ? 1 : 0,
      missing_since: null,
      deleted_at: null,
      ...photo,
      updated_at: now,
    };
    return { ...row, search_text: [row.display_name, ...p.emails, row.title, row.department, row.office].filter(Boolean).join(' ').toLowerCase() };
  };

  const fresh = ready.filter((p) => p.isNew);
  for (const part of chunks(fresh, 400)) {
    await db
      .insertInto('people')
      .values(part.map((p) => ({ id: p.personId, manager_id: null, owner_id: p.ownerId ?? null, created_at: now, photo_etag: null, ...rowOf(p) })))
      .execute();
  }
  for (const p of ready) if (!p.isNew) await db.updateTable('people').set(rowOf(p)).where('id', '=', p.personId).execute();

  for (const part of chunks(ready, 300)) {
    await db
      .insertInto('person_sources')
      .values(
        part.map((p) => ({
          source,
          external_id: p.entry.externalId,
          person_id: p.personId,
          dn: p.entry.dn ?? null,
          manager_ref: managerRef(p.entry),
          content_hash: p.hash,
          seen_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['source', 'external_id']).doUpdateSet((eb) => ({
          person_id: eb.ref('excluded.person_id'),
          dn: eb.ref('excluded.dn'),
          manager_ref: eb.ref('excluded.manager_ref'),
          content_hash: eb.ref('excluded.content_hash'),
          seen_at: eb.ref('excluded.seen_at'),
        })),
      )
      .execute();
  }

  // Skipped people that exist lose their addresses too: they may have handed them to someone in this batch.
  const touched = plans.filter((p) => !p.isNew && !p.shared && !p.ownerId).map((p) => p.personId);
  for (const ids of chunks(touched)) await db.deleteFrom('person_emails').where('person_id', 'in', ids).execute();
  const emailRows = ready.filter((p) => !p.ownerId).flatMap((p) => p.emails.map((email, i) => ({ email, person_id: p.personId, is_primary: i === 0 && !p.shared ? 1 : 0 })));
  // Addresses this batch took over from people outside it were refused above; the ones released
  // by people inside it were deleted just now, so plain inserts cannot collide.
  // A person fed by several sources keeps the other sources' addresses (hence "do nothing").
  for (const part of chunks(emailRows, 1000)) await db.insertInto('person_emails').values(part).onConflict((oc) => oc.column('email').doNothing()).execute();

  const withoutPhoto = ready.filter((p) => !p.isNew && p.entry.photo === null && !p.shared).map((p) => p.personId);
  for (const ids of chunks(withoutPhoto)) await db.deleteFrom('person_photos').where('person_id', 'in', ids).execute();
  const withPhoto = ready.filter((p) => p.entry.photo);
  for (const part of chunks(withPhoto, 50)) {
    await db
      .insertInto('person_photos')
      .values(part.map((p) => ({ person_id: p.personId, bytes: p.entry.photo!, content_type: sniffImageType(p.entry.photo!), etag: photoEtag(p.entry.photo!), updated_at: now })))
      .onConflict((oc) =>
        oc.column('person_id').doUpdateSet((eb) => ({
          bytes: eb.ref('excluded.bytes'),
          content_type: eb.ref('excluded.content_type'),
          etag: eb.ref('excluded.etag'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }

  out.unresolvedManagers = (await resolveManagerLinks(db, source, ready.map((p) => ({ personId: p.personId, ref: managerRef(p.entry) })))) > 0;

  for (const p of ready) {
    if (p.isNew) out.added++;
    else out.updated++;
    if (p.entry.disabled && !p.wasDisabled) out.disabled++;
  }
  return out;
}

/**
 * Sets people.manager_id for the given links from their manager references (DN or external id
 * within the same source), with one select per kind of reference and one UPDATE per distinct
 * manager. Returns how many references found nobody.
 */
export async function resolveManagerLinks(db: Db, source: string, links: readonly { personId: string; ref: string | null }[]): Promise<number> {
  const dns = [...new Set(links.filter((l) => l.ref?.startsWith('dn:')).map((l) => l.ref!.slice(3)))];
  const ids = [...new Set(links.filter((l) => l.ref?.startsWith('id:')).map((l) => l.ref!.slice(3)))];
  const target = new Map<string, string>();
  for (const part of chunks(dns)) {
    const rows = await db.selectFrom('person_sources').select(['dn', 'person_id']).where('source', '=', source).where('dn', 'in', part).execute();
    for (const r of rows) target.set(`dn:${r.dn}`, r.person_id);
  }
  for (const part of chunks(ids)) {
    const rows = await db.selectFrom('person_sources').select(['external_id', 'person_id']).where('source', '=', source).where('external_id', 'in', part).execute();
    for (const r of rows) target.set(`id:${r.external_id}`, r.person_id);
  }
  let unresolved = 0;
  const pairs: [string, string | null][] = [];
  for (const l of links) {
    let m = l.ref ? (target.get(l.ref) ?? null) : null;
    if (l.ref && !m) unresolved++;
    if (m === l.personId) m = null;
    pairs.push([l.personId, m]);
  }
  // One statement per chunk (UPDATE … FROM VALUES works on SQLite ≥ 3.33 and PostgreSQL alike).
  for (const part of chunks(pairs)) {
    const values = sql.join(part.map(([id, m]) => sql`(${id}, ${m})`));
    await sql`update people set manager_id = v.column2 from (values ${values}) as v where people.id = v.column1`.execute(db);
  }
  return unresolved;
}

/** Re-resolves every link of a source whose manager reference is still unresolved. */
export async function resolvePendingManagers(db: Db, source: string): Promise<number> {
  // Two steps on purpose: from the (indexed, few) people without a manager to their links, so no
  // planner walks every link of the source.
  const orphans = (await db.selectFrom('people').select('id').where('manager_id', 'is', null).where('deleted_at', 'is', null).execute()).map((r) => r.id);
  const links: { personId: string; ref: string | null }[] = [];
  for (const part of chunks(orphans)) {
    const rows = await db
      .selectFrom('person_sources')
      .select(['person_id', 'manager_ref'])
      .where('person_id', 'in', part)
      .where('source', '=', source)
      .where('manager_ref', 'is not', null)
      .execute();
    for (const r of rows) links.push({ personId: r.person_id, ref: r.manager_ref });
  }
  return links.length ? resolveManagerLinks(db, source, links) : 0;
}
