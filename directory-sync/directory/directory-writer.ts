import { createHash, hash, randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DirectoryEntry } from '../model/directory-entry.js';
import type { DirectoryTables } from './tables.js';

export type UpsertOutcome = 'added' | 'updated' | 'unchanged' | 'skipped';

export interface UpsertResult {
  readonly outcome: UpsertOutcome;
  readonly personId?: string;
  readonly warnings: readonly string[];
}

export const MAX_PHOTO_BYTES = 100 * 1024;

/**
 * Stable hash of what an entry says, so an unchanged entry costs a read and no write. One-shot
 * SHA-1 (not a security boundary: only our own change detection), the photo hashed with the rest.
 */
export function contentHash(entry: DirectoryEntry): string {
  const { photo, ...rest } = entry;
  return contentHashOf(JSON.stringify(rest), photo);
}

/** contentHash of an entry from its JSON without the photo (for a source that serializes entries anyway). */
export function contentHashOf(json: string, photo: Uint8Array | null | undefined): string {
  // Same digest as hashing json + photo concatenated, without copying the photo.
  return photo && photo.byteLength ? createHash('sha1').update(json).update(photo).digest('base64url') : hash('sha1', json, 'base64url');
}

export function photoEtag(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 27);
}

export function sniffImageType(bytes: Uint8Array): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'image/png';
  if (bytes[0] === 0x47 && bytes[1] === 0x49) return 'image/gif';
  if (bytes[0] === 0x52 && bytes[1] === 0x49) return 'image/webp';
  return 'image/jpeg';
}

/**
 * Writes directory entries of one source into the store, inside the caller's transaction.
 * Keyed by (source, externalId): a rename or move keeps the same person.
 */
export class DirectoryWriter {
  constructor(readonly source: string) {}

  async upsert(db: Kysely<DirectoryTables> | Transaction<DirectoryTables>, entry: DirectoryEntry, now = Date.now()): Promise<UpsertResult> {
    const warnings: string[] = [];
    const label = entry.dn ?? entry.externalId;
    if (!entry.primaryEmail) return { outcome: 'skipped', warnings: [`${label}: no e-mail address, skipped`] };
    const hash = contentHash(entry);
    const link = await db
      .selectFrom('person_sources')
      .select(['person_id', 'content_hash'])
      .where('source', '=', this.source)
      .where('external_id', '=', entry.externalId)
      .executeTakeFirst();
    if (link && link.content_hash === hash) {
      await db.updateTable('person_sources').set({ seen_at: now }).where('source', '=', this.source).where('external_id', '=', entry.externalId).execute();
      // An unchanged entry that was marked missing (or deleted) is back.
      await db
        .updateTable('people')
        .set({ missing_since: null, deleted_at: null })
        .where('id', '=', link.person_id)
        .where((eb) => eb.or([eb('missing_since', 'is not', null), eb('deleted_at', 'is not', null)]))
        .execute();
      return { outcome: 'unchanged', personId: link.person_id, warnings };
    }

    let personId = link?.person_id;
    if (!personId && entry.immutableId) {
      const joined = await db.selectFrom('people').select('id').where('immutable_id', '=', entry.immutableId).executeTakeFirst();
      personId = joined?.id;
    }
    const isNew = !personId;
    personId ??= randomUUID();

    let photo = entry.photo ?? null;
    if (photo && photo.byteLength > MAX_PHOTO_BYTES) {
      warnings.push(`${label}: photo of ${photo.byteLength} bytes is over ${MAX_PHOTO_BYTES}, dropped`);
      photo = null;
    }
    const emails = [entry.primaryEmail, ...entry.aliases.filter((a) => a !== entry.primaryEmail)];
    const claimed = await db
      .selectFrom('person_emails')
      .select(['email', 'person_id'])
      .where('email', 'in', emails)
      .where('person_id', '!=', personId)
      .execute();
    const taken = new Set(claimed.map((c) => c.email));
    for (const c of claimed) warnings.push(`${label}: address ${c.email} already belongs to another person, not added`);
    if (taken.has(entry.primaryEmail) && emails.length === taken.size) {
      return { outcome: 'skipped', warnings: [...warnings, `${label}: every address is claimed by another person, skipped`] };
    }
    const primary = taken.has(entry.primaryEmail) ? emails.find((e) => !taken.has(e))! : entry.primaryEmail;

    const row = {
      kind: entry.kind,
      display_name: entry.displayName || primary,
      given_name: entry.givenName ?? null,
      surname: entry.surname ?? null,
      title: entry.title ?? null,
      department: entry.department ?? null,
      company: entry.company ?? null,
      office: entry.office ?? null,
      phones: JSON.stringify(entry.phones),
      primary_email: primary,
      upn: entry.upn?.toLowerCase() ?? null,
      immutable_id: entry.immutableId ?? null,
      groups: JSON.stringify([...entry.groups].sort()),
      disabled: entry.disabled ? 1 : 0,
      missing_since: null,
      deleted_at: null,
      photo_etag: photo ? photoEtag(photo) : null,
      search_text: [entry.displayName, primary, ...emails, entry.title, entry.department, entry.office].filter(Boolean).join(' ').toLowerCase(),
      updated_at: now,
    };
    if (isNew) {
      await db
        .insertInto('people')
        .values({ id: personId, manager_id: null, owner_id: null, created_at: now, ...row })
        .execute();
    } else {
      await db.updateTable('people').set(row).where('id', '=', personId).execute();
    }
    const managerRef = entry.manager?.externalId ? `id:${entry.manager.externalId}` : entry.manager?.dn ? `dn:${entry.manager.dn.toLowerCase()}` : null;
    await db
      .insertInto('person_sources')
      .values({
        source: this.source,
        external_id: entry.externalId,
        person_id: personId,
        dn: entry.dn?.toLowerCase() ?? null,
        manager_ref: managerRef,
        content_hash: hash,
        seen_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['source', 'external_id'])
          .doUpdateSet({ person_id: personId, dn: entry.dn?.toLowerCase() ?? null, manager_ref: managerRef, content_hash: hash, seen_at: now }),
      )
      .execute();

    await db.deleteFrom('person_emails').where('person_id', '=', personId).execute();
    const own = emails.filter((e) => !taken.has(e));
    if (own.length)
      await db
        .insertInto('person_emails')
        .values(own.map((email) => ({ email, person_id: personId, is_primary: email === primary ? 1 : 0 })))
        .execute();

    if (photo) {
      const etag = photoEtag(photo);
      await db
        .insertInto('person_photos')
        .values({ person_id: personId, bytes: photo, content_type: sniffImageType(photo), etag, updated_at: now })
        .onConflict((oc) => oc.column('person_id').doUpdateSet({ bytes: photo, content_type: sniffImageType(photo), etag, updated_at: now }))
        .execute();
    } else {
      await db.deleteFrom('person_photos').where('person_id', '=', personId).execute();
    }
    return { outcome: isNew ? 'added' : 'updated', personId, warnings };
  }

  /** Second pass: turns manager DNs / ids of this source into person links. */
  async resolveManagers(db: Kysely<DirectoryTables> | Transaction<DirectoryTables>): Promise<void> {
    const links = await db.selectFrom('person_sources').select(['person_id', 'manager_ref']).where('source', '=', this.source).execute();
    const byDn = new Map<string, string>();
    const byId = new Map<string, string>();
    const all = await db.selectFrom('person_sources').select(['person_id', 'dn', 'external_id']).where('source', '=', this.source).execute();
    for (const r of all) {
      if (r.dn) byDn.set(r.dn, r.person_id);
      byId.set(r.external_id, r.person_id);
    }
    for (const l of links) {
      const ref = l.manager_ref;
      const managerId = !ref ? null : ref.startsWith('dn:') ? (byDn.get(ref.slice(3)) ?? null) : (byId.get(ref.slice(3)) ?? null);
      await db
        .updateTable('people')
        .set({ manager_id: managerId === l.person_id ? null : managerId })
        .where('id', '=', l.person_id)
        .execute();
    }
  }
}
