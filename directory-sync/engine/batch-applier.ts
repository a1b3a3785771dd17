import { contentHash, photoEtag, sniffImageType } from '../directory/directory-writer.js';
import type { DirectoryEntry } from '../model/directory-entry.js';
import type { PersonSourcesTable } from '../directory/tables.js';
import { flatMapAll, mapAll, mapWhere } from './packed-arrays.js';
import { chunks, type BatchStore, type CurrentRow, type Db, type ExistingLink, type PersonRow } from './batch-store.js';
import { timeOrderedId } from './time-ordered-id.js';
import { checkEntry } from './validate-entry.js';

export { KyselyBatchStore, SqliteBatchStore, type BatchStore, type Db } from './batch-store.js';

export interface BatchOutcome {
  added: number;
  updated: number;
  unchanged: number;
  disabled: number;
  skipped: number;
  warnings: string[];
  /** Some manager references of this batch point at entries not in the store (yet). */
  unresolvedManagers: boolean;
  /** External ids of the entries the source still has: all of the batch, refused ones too. */
  liveIds: string[];
}

/** Prefix of a stored hash whose entry was trimmed because of a conflict: re-applied on every pass. */
const RETRY = 'retry:';

interface Planned {
  entry: DirectoryEntry;
  hash: string;
  personId: string;
  isNew: boolean;
  /** The source had no link to this entry yet (new person, or one joined from another source). */
  newLink: boolean;
  wasDisabled: boolean;
  emails: string[];
  /** Personal (Outlook) contact: the person whose contact it is. Its addresses stay private. */
  ownerId?: string;
  /** The person as stored, for existing people: merged with when another source feeds them too. */
  current?: CurrentRow;
}

/** Another source feeds this person too (a personal contact never counts as shared). */
const shared = (p: Planned): boolean => !!p.current?.shared && !p.ownerId;

const managerRef = (e: DirectoryEntry): string | null => (e.manager?.externalId ? `id:${e.manager.externalId}` : e.manager?.dn ? `dn:${e.manager.dn}` : null);

/**
 * Applies one batch of entries of one source (checked here, see checkEntry) inside the caller's transaction. What
 * changed is decided by comparing content hashes for the whole batch first; unchanged entries
 * only get their seen mark; changed ones are written; managers are resolved for changed entries.
 */
export async function applyBatch(
  store: BatchStore,
  source: string,
  entries: readonly DirectoryEntry[],
  now: number,
  /** contentHash of each entry when the source computed them (SourceBatch.hashes). */
  hashes?: readonly string[],
): Promise<BatchOutcome> {
  const out: BatchOutcome = { added: 0, updated: 0, unchanged: 0, disabled: 0, skipped: 0, warnings: [], unresolvedManagers: false, liveIds: [] };
  if (entries.length === 0) return out;
  // The last occurrence of an id in a batch wins, as it would across batches.
  const byId = new Map<string, number>();
  for (let i = 0; i < entries.length; i++) {
    const id = entries[i]!.externalId;
    byId.delete(id);
    byId.set(id, i);
  }
  const list = [...byId.values()];
  const ids = mapAll(list, (i) => entries[i]!.externalId);
  const existing = await store.links(source, ids);

  const unchangedIds: string[] = [];
  const comeBack: string[] = [];
  const changed: Changed[] = [];
  // The hash is of the entry as the source gave it: an unchanged entry skips the checks as well.
  for (const i of list) {
    const raw = entries[i]!;
    const hash = hashes?.[i] ?? contentHash(raw);
    const old = existing.get(raw.externalId);
    if (old && old.content_hash === hash && old.deleted_at === null) {
      unchangedIds.push(raw.externalId);
      if (old.missing_since !== null) comeBack.push(old.person_id);
      continue;
    }
    const checked = checkEntry(raw);
    out.warnings.push(...checked.warnings);
    if (!checked.ok) {
      out.skipped++;
      continue;
    }
    changed.push({ entry: checked.entry, hash, old: old ?? existing.get(checked.entry.externalId) });
  }
  out.liveIds = ids;
  if (unchangedIds.length) await store.touchSeen(source, unchangedIds, now);
  if (comeBack.length) await store.clearMissing(comeBack);
  out.unchanged = unchangedIds.length;
  let ready: readonly Planned[] = [];
  if (changed.length) {
    const planned = await planChanged(store, source, changed, now, out);
    ready = planned.ready;
    await writeReady(store, source, planned.plans, ready, now, out);
  }
  // Stored people whose entry was refused or skipped this time (bad values, an address claimed by
  // someone else) are still in the source: they keep their rows, and are seen, so no full pass
  // takes them for deleted. Their stored hash is not updated: the next pass tries them again.
  const done = new Set(unchangedIds);
  for (const p of ready) done.add(p.entry.externalId);
  const kept = out.liveIds.filter((id) => existing.has(id) && !done.has(id));
  if (kept.length) await store.touchSeen(source, kept, now);
  return out;
}

/**
 * applyBatch in three functions (classify above, plan, write) rather than one: V8 optimizes each
 * on its own. As one function of several thousand bytecodes, every "wrong map" deoptimization
 * (entries parsed from JSON come in several shapes) cost a new optimizing compile of 200–400 ms,
 * about 2 s of CPU per 100,000-entry pass.
 */
type Changed = { entry: DirectoryEntry; hash: string; old?: ExistingLink };

/** Joins, owners and address ownership of the changed entries: who each one is, and which addresses it gets. */
async function planChanged(
  store: BatchStore,
  source: string,
  changed: readonly Changed[],
  now: number,
  out: BatchOutcome,
): Promise<{ plans: Planned[]; ready: Planned[] }> {
  // Who holds each address of the batch now (personal contacts' stay private: not asked), asked
  // once: the SMTP join below needs only the primaries somebody holds (on a first load, none),
  // and the address ownership further down the same answers (nothing is written in between).
  const held = await store.emailHolders([...new Set(flatMapAll(changed, (c) => (c.entry.ownerExternalId ? [] : [c.entry.primaryEmail!, ...c.entry.aliases])))]);
  // Hybrid join: a new link may attach to a person another source already created.
  const joinIds = mapWhere(
    changed,
    (c) => !c.old && !!c.entry.immutableId,
    (c) => c.entry.immutableId!,
  );
  const joined = joinIds.length ? await store.joinedByImmutableId(joinIds) : new Map<string, string>();
  // No common immutable id: a person another source created with the same primary SMTP address is
  // the same person (e.g. a cloud-only Entra user and an LDAP entry), unless both carry different
  // immutable ids. Never two entries of one source: they are distinct people by definition.
  const smtpWanted = changed.filter(
    (c) =>
      !c.old &&
      c.entry.kind === 'person' &&
      !c.entry.ownerExternalId &&
      held.has(c.entry.primaryEmail!) &&
      !(c.entry.immutableId && joined.has(c.entry.immutableId)),
  );
  const bySmtp = smtpWanted.length
    ? await store.smtpJoinCandidates(source, [...new Set(mapAll(smtpWanted, (c) => c.entry.primaryEmail!))])
    : new Map<string, { id: string; immutable_id: string | null }>();
  // Personal contacts: their owners (same source); a contact whose address is a directory person's
  // is that person, not a second card.
  const contacts = changed.filter((c) => c.entry.ownerExternalId);
  const owners = contacts.length
    ? await store.personIdsByExternalId(source, [...new Set(mapAll(contacts, (c) => c.entry.ownerExternalId!))])
    : new Map<string, string>();
  const directory = contacts.length ? await store.directoryAddresses([...new Set(mapAll(contacts, (c) => c.entry.primaryEmail!))]) : new Set<string>();
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
      if (!old && directory.has(entry.primaryEmail!)) continue;
    }
    const smtp = !old && !ownerId ? bySmtp.get(entry.primaryEmail!) : undefined;
    const smtpId = smtp && (!entry.immutableId || !smtp.immutable_id || smtp.immutable_id === entry.immutableId) ? smtp.id : undefined;
    const joinedId = !old ? ((entry.immutableId ? joined.get(entry.immutableId) : undefined) ?? smtpId) : undefined;
    plans.push({
      entry,
      hash,
      personId: old?.person_id ?? joinedId ?? timeOrderedId(now),
      isNew: !old && !joinedId,
      newLink: !old,
      wasDisabled: old ? old.disabled === 1 && old.deleted_at === null : false,
      emails: [entry.primaryEmail!, ...entry.aliases],
      ownerId,
    });
  }
  // Existing people: what is stored now (another source may feed them; a photo left unsaid stays).
  const existingIds = mapWhere(
    plans,
    (p) => !p.isNew,
    (p) => p.personId,
  );
  const current = existingIds.length ? await store.currentRows(source, existingIds) : new Map<string, CurrentRow>();
  for (const p of plans) p.current = current.get(p.personId);

  // Address ownership: an address held by another person stays theirs (first come, first served),
  // unless that person is in this batch and lets go of it.
  // Every plan without an owner is a changed entry that is no personal contact: `held` has its addresses.
  // (Asked only when somebody holds an address of the batch: on a first load nobody does.)
  const holder = new Map(held);
  if (held.size) {
    const planOf = new Map<string, Planned>();
    for (const p of plans) if (!p.ownerId && !shared(p)) planOf.set(p.personId, p);
    for (const [email, pid] of held) {
      const p = planOf.get(pid);
      if (p && !p.emails.includes(email)) holder.delete(email);
    }
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
    // The plan itself, not a copy: nothing reads a plan's addresses or hash after this.
    p.emails = own;
    if (conflict) p.hash = RETRY + p.hash;
    ready.push(p);
  }
  return { plans, ready };
}

/** Rows, links, addresses, photos and managers of the planned entries (`ready`: those not skipped). */
async function writeReady(
  store: BatchStore,
  source: string,
  plans: readonly Planned[],
  ready: readonly Planned[],
  now: number,
  out: BatchOutcome,
): Promise<void> {
  // Each photo hashed once (its etag goes in the row and in person_photos).
  const etagOf = new Map<Planned, string>();
  for (const p of ready) if (p.entry.photo) etagOf.set(p, photoEtag(p.entry.photo));
  // One object literal per row, no spread copies: it runs for every changed person (a first load
  // of 100,000 people spent 0.4 s here when the row was built, then copied with search_text).
  const rowOf = (p: Planned): PersonRow => {
    const e = p.entry;
    // Another source feeds this person too: fill in, never wipe what it said.
    const s = shared(p) ? p.current : undefined;
    const primary = s?.primary_email && p.emails.includes(s.primary_email) ? s.primary_email : p.emails[0]!;
    const display_name = e.displayName || s?.display_name || primary;
    const title = e.title ?? s?.title ?? null;
    const department = e.department ?? s?.department ?? null;
    const office = e.office ?? s?.office ?? null;
    return {
      kind: e.kind,
      display_name,
      given_name: e.givenName ?? s?.given_name ?? null,
      surname: e.surname ?? s?.surname ?? null,
      title,
      department,
      company: e.company ?? s?.company ?? null,
      office,
      phones: e.phones.length || !s ? JSON.stringify(e.phones) : s.phones,
      primary_email: primary,
      upn: e.upn ?? s?.upn ?? null,
      immutable_id: e.immutableId ?? s?.immutable_id ?? null,
      groups: groupsJson(e.groups, s?.groups),
      disabled: e.disabled ? 1 : 0,
      missing_since: null,
      deleted_at: null,
      // undefined: the source says nothing about the photo (Graph refreshes photos apart): keep it.
      photo_etag: e.photo ? etagOf.get(p)! : e.photo === null && !s ? null : (p.current?.photo_etag ?? null),
      updated_at: now,
      search_text: searchText(display_name, p.emails, title, department, office),
    };
  };

  // Managers first, so new people are inserted with theirs (no second write per person): a
  // manager in this same batch is found by id/DN here, one already stored by a lookup. Two maps
  // rather than one of prefixed references: each prefixed key would be a new string to flatten
  // and hash, two per person.
  const idInBatch = new Map<string, string>();
  const dnInBatch = new Map<string, string>();
  for (const p of ready) {
    idInBatch.set(p.entry.externalId, p.personId);
    if (p.entry.dn) dnInBatch.set(p.entry.dn, p.personId);
  }
  // Same precedence as managerRef: the external id, else the DN.
  const managerInBatch = ({ manager }: DirectoryEntry) =>
    manager?.externalId ? idInBatch.get(manager.externalId) : manager?.dn ? dnInBatch.get(manager.dn) : undefined;
  const refOf = new Map<Planned, string>();
  const lookup = new Set<string>();
  for (const p of ready) {
    const ref = managerRef(p.entry);
    if (!ref) continue;
    refOf.set(p, ref);
    if (managerInBatch(p.entry) === undefined) lookup.add(ref);
  }
  const stored = await lookupManagers(store, source, [...lookup]);
  const managerOf = new Map<Planned, string | null>();
  let unresolved = 0;
  for (const p of ready) {
    const ref = refOf.get(p);
    const m = ref ? (managerInBatch(p.entry) ?? stored.get(ref) ?? null) : null;
    if (ref && !m) unresolved++;
    managerOf.set(p, m === p.personId ? null : m);
  }

  const fresh = ready.filter((p) => p.isNew);
  if (fresh.length) {
    await store.insertPeople(
      mapAll(fresh, (p) => Object.assign(rowOf(p), { id: p.personId, created_at: now, owner_id: p.ownerId ?? null, manager_id: managerOf.get(p) ?? null })),
    );
  }
  for (const p of ready) if (!p.isNew) await store.updatePerson(p.personId, changedColumns(rowOf(p), p.current));
  const linkOf = (p: Planned): PersonSourcesTable => ({
    source,
    external_id: p.entry.externalId,
    person_id: p.personId,
    dn: p.entry.dn ?? null,
    manager_ref: refOf.get(p) ?? null,
    content_hash: p.hash,
    seen_at: now,
  });
  const newLinks = ready.filter((p) => p.newLink);
  if (newLinks.length) await store.insertLinks(mapAll(newLinks, linkOf));
  if (newLinks.length < ready.length) await store.upsertLinks(mapWhere(ready, (p) => !p.newLink, linkOf));
  // Skipped people that exist lose the addresses they handed to someone in this batch (all are
  // released, the others put back below). People whose addresses stay exactly as they are keep
  // their rows untouched.
  const touched = plans.filter((p) => !p.isNew && !p.ownerId && !shared(p));
  const held = touched.length ? await store.emailsOf(mapAll(touched, (p) => p.personId)) : new Map<string, { email: string; is_primary: number }[]>();
  const keep = new Set<string>();
  for (const p of ready) {
    if (p.isNew || p.ownerId || shared(p)) continue;
    // The rows this person would get: p.emails, the first one primary.
    const stored = held.get(p.personId) ?? [];
    const same =
      stored.length === p.emails.length &&
      stored.every((r) => {
        const at = p.emails.indexOf(r.email);
        return at >= 0 && (r.is_primary === 1) === (at === 0);
      });
    if (same) keep.add(p.personId);
  }
  const release = mapWhere(
    touched,
    (p) => !keep.has(p.personId),
    (p) => p.personId,
  );
  if (release.length) await store.deleteEmailsOf(release);
  // A skipped person keeps the addresses nobody in this batch took from them.
  const claimed = new Set(flatMapAll(ready, (p) => (p.ownerId ? [] : p.emails)));
  const readyIds = new Set(mapAll(ready, (p) => p.personId));
  const keptRows = flatMapAll(touched, (p) =>
    readyIds.has(p.personId)
      ? []
      : mapWhere(
          held.get(p.personId) ?? [],
          (r) => !claimed.has(r.email),
          (r) => ({ email: r.email, person_id: p.personId, is_primary: r.is_primary }),
        ),
  );
  // Addresses held by people outside the batch were refused above and the ones released inside
  // it were deleted just now, so plain inserts cannot collide.
  // Outlook contacts' addresses stay private (no rows); a shared person keeps its other addresses.
  const emailRows: { email: string; person_id: string; is_primary: number }[] = [];
  for (const p of ready) {
    if (p.ownerId || keep.has(p.personId)) continue;
    const primary = shared(p) ? 0 : 1;
    for (let i = 0; i < p.emails.length; i++) emailRows.push({ email: p.emails[i]!, person_id: p.personId, is_primary: i === 0 ? primary : 0 });
  }
  for (const r of keptRows) emailRows.push(r);
  if (emailRows.length) await store.insertEmails(emailRows);

  const withoutPhoto = mapWhere(
    ready,
    (p) => !p.isNew && p.entry.photo === null && !shared(p),
    (p) => p.personId,
  );
  if (withoutPhoto.length) await store.deletePhotosOf(withoutPhoto);
  // A photo whose bytes did not change (same etag) is not written again.
  const withPhoto = ready.filter((p) => p.entry.photo && (p.isNew || etagOf.get(p) !== p.current?.photo_etag));
  if (withPhoto.length) {
    await store.upsertPhotos(
      mapAll(withPhoto, (p) => ({
        person_id: p.personId,
        bytes: p.entry.photo!,
        content_type: sniffImageType(p.entry.photo!),
        etag: etagOf.get(p)!,
        updated_at: now,
      })),
    );
  }

  // Existing people whose manager stays the same are not written again.
  const updated = ready.filter((p) => !p.isNew && (!p.current || p.current.manager_id !== (managerOf.get(p) ?? null)));
  if (updated.length) await store.setManagers(mapAll(updated, (p) => [p.personId, managerOf.get(p) ?? null] as const));
  out.unresolvedManagers = unresolved > 0;
  for (const p of ready) {
    if (p.isNew) out.added++;
    else out.updated++;
    if (p.entry.disabled && !p.wasDisabled) out.disabled++;
  }
}

/** The groups column: sorted distinct names, merged with the stored ones of a shared person. */
function groupsJson(groups: readonly string[], stored: string | undefined): string {
  if (stored === undefined) {
    // Sources hand them sorted and distinct (the usual case): as they are.
    let ordered = true;
    for (let i = 1; i < groups.length && ordered; i++) ordered = groups[i - 1]! < groups[i]!;
    if (ordered) return JSON.stringify(groups);
  }
  return JSON.stringify([...new Set([...groups, ...(stored ? (JSON.parse(stored) as string[]) : [])])].sort());
}

/** What people search matches: name, addresses, title, department and office, lower-cased. */
function searchText(displayName: string, emails: readonly string[], title: string | null, department: string | null, office: string | null): string {
  let text = displayName;
  for (const part of emails) if (part) text = text ? `${text} ${part}` : part;
  if (title) text = text ? `${text} ${title}` : title;
  if (department) text = text ? `${text} ${department}` : department;
  if (office) text = text ? `${text} ${office}` : office;
  return text.toLowerCase();
}

/**
 * The columns of `row` that differ from what is stored, and updated_at: rewriting an indexed
 * column with the value it already has still rewrites its index entry.
 */
export function changedColumns(row: PersonRow, current: CurrentRow | undefined): Partial<PersonRow> {
  if (!current) return row;
  const out: Partial<Record<keyof PersonRow, unknown>> = { updated_at: row.updated_at };
  for (const k of Object.keys(row) as (keyof PersonRow)[]) {
    if (k === 'updated_at') continue;
    const stored = (current as unknown as Record<string, unknown>)[k];
    if (stored === undefined || stored !== row[k]) out[k] = row[k];
  }
  return out as Partial<PersonRow>;
}

/** Person ids of manager references (`dn:…` / `id:…`) among the links of a source. */
async function lookupManagers(store: BatchStore, source: string, refs: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const dns = mapWhere(
    refs,
    (r) => r.startsWith('dn:'),
    (r) => r.slice(3),
  );
  const ids = mapWhere(
    refs,
    (r) => r.startsWith('id:'),
    (r) => r.slice(3),
  );
  if (dns.length) for (const [dn, pid] of await store.personIdsByDn(source, dns)) out.set(`dn:${dn}`, pid);
  if (ids.length) for (const [id, pid] of await store.personIdsByExternalId(source, ids)) out.set(`id:${id}`, pid);
  return out;
}

/**
 * Sets people.manager_id for the given links from their manager references (DN or external id
 * within the same source). Returns how many references found nobody.
 */
export async function resolveManagerLinks(store: BatchStore, source: string, links: readonly { personId: string; ref: string | null }[]): Promise<number> {
  if (links.length === 0) return 0;
  const dns = [...new Set(links.filter((l) => l.ref?.startsWith('dn:')).map((l) => l.ref!.slice(3)))];
  const ids = [...new Set(links.filter((l) => l.ref?.startsWith('id:')).map((l) => l.ref!.slice(3)))];
  const byDn = dns.length ? await store.personIdsByDn(source, dns) : new Map<string, string>();
  const byId = ids.length ? await store.personIdsByExternalId(source, ids) : new Map<string, string>();
  let unresolved = 0;
  const pairs: [string, string | null][] = [];
  for (const l of links) {
    let m = !l.ref ? null : l.ref.startsWith('dn:') ? (byDn.get(l.ref.slice(3)) ?? null) : (byId.get(l.ref.slice(3)) ?? null);
    if (l.ref && !m) unresolved++;
    if (m === l.personId) m = null;
    pairs.push([l.personId, m]);
  }
  await store.setManagers(pairs);
  return unresolved;
}

/** Re-resolves every link of a source whose manager reference is still unresolved. */
export async function resolvePendingManagers(db: Db, store: BatchStore, source: string): Promise<number> {
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
  return resolveManagerLinks(store, source, links);
}
