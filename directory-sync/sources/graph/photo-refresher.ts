import type { Kysely } from 'kysely';
import type { Migration, Store } from '../../../core/store/index.js';
import { MAX_PHOTO_BYTES, photoEtag, sniffImageType } from '../../directory/directory-writer.js';
import type { DirectoryTables } from '../../directory/tables.js';
import type { GraphApi } from './graph-client.js';

/** What the refresher knows of each Graph user's photo: Graph's media ETag when last fetched. */
export interface GraphPhotosTable {
  user_id: string;
  person_id: string;
  graph_etag: string | null;
  checked_at: number;
}

type Db = Kysely<DirectoryTables & { graph_photos: GraphPhotosTable }>;

export const graphPhotoMigrations: readonly Migration[] = [
  {
    name: 'graph.001-photos',
    async up(db) {
      await db.schema
        .createTable('graph_photos')
        .addColumn('user_id', 'varchar(200)', (c) => c.primaryKey())
        .addColumn('person_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('graph_etag', 'text')
        .addColumn('checked_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
];

export interface PhotoRefreshReport {
  checked: number;
  updated: number;
  removed: number;
  unchanged: number;
  tooLarge: number;
  failed: number;
}

/**
 * Photos are not delta-tracked by Graph, so they are refreshed on their own: the photo metadata of
 * each Graph user (20 per $batch) gives its media ETag; only a changed ETag (or a photo missing
 * from the store) costs a download. Photos over the size cap are skipped and remembered, so they
 * are not downloaded again until they change. Each chunk commits on its own: an interrupted
 * refresh resumes with the users not checked since `olderThanMs`.
 */
export async function refreshGraphPhotos(
  store: Store,
  api: GraphApi,
  options: { maxBytes?: number; olderThanMs?: number; limit?: number; signal?: AbortSignal; now?: () => number } = {},
): Promise<PhotoRefreshReport> {
  const db = store.db as Db;
  const maxBytes = options.maxBytes ?? MAX_PHOTO_BYTES;
  const now = options.now ?? Date.now;
  const cutoff = now() - (options.olderThanMs ?? 0);
  const report: PhotoRefreshReport = { checked: 0, updated: 0, removed: 0, unchanged: 0, tooLarge: 0, failed: 0 };
  let after = '';
  for (;;) {
    if (options.signal?.aborted) break;
    const rows = await db
      .selectFrom('person_sources')
      .innerJoin('people', 'people.id', 'person_sources.person_id')
      .leftJoin('graph_photos', 'graph_photos.user_id', 'person_sources.external_id')
      .leftJoin('person_photos', 'person_photos.person_id', 'person_sources.person_id')
      .select([
        'person_sources.external_id as userId',
        'person_sources.person_id as personId',
        'graph_photos.graph_etag as graphEtag',
        'graph_photos.checked_at as checkedAt',
        'person_photos.person_id as hasPhoto',
      ])
      .where('person_sources.source', '=', 'graph')
      .where('person_sources.external_id', '>', after)
      .where('person_sources.external_id', 'not like', 'orgcontact:%')
      .where('person_sources.external_id', 'not like', 'pc:%')
      .where('people.deleted_at', 'is', null)
      .orderBy('person_sources.external_id')
      .limit(200)
      .execute();
    if (rows.length === 0) break;
    after = rows[rows.length - 1].userId;
    const due = rows.filter((r) => r.checkedAt === null || r.checkedAt <= cutoff);
    if (due.length === 0) continue;
    const meta = await api.batch(
      due.map((r) => ({ id: r.userId, method: 'GET' as const, url: `/users/${encodeURIComponent(r.userId)}/photo` })),
      { signal: options.signal },
    );
    const writes: { userId: string; personId: string; graphEtag: string | null; bytes?: Uint8Array | null }[] = [];
    await Promise.all(
      due.map(async (r) => {
        report.checked++;
        const m = meta.get(r.userId);
        if (!m || (m.status !== 200 && m.status !== 404)) {
          report.failed++;
          return;
        }
        if (m.status === 404) {
          // Only a photo Graph gave us is taken away; another source's (AD thumbnailPhoto) stays.
          if (r.graphEtag !== null && r.hasPhoto) {
            writes.push({ userId: r.userId, personId: r.personId, graphEtag: null, bytes: null });
            report.removed++;
          } else writes.push({ userId: r.userId, personId: r.personId, graphEtag: r.graphEtag });
          return;
        }
        const etag = String((m.body as Record<string, unknown>)?.['@odata.mediaEtag'] ?? '');
        if (etag && ((etag === r.graphEtag && r.hasPhoto) || r.graphEtag === `toolarge:${etag}`)) {
          report.unchanged++;
          writes.push({ userId: r.userId, personId: r.personId, graphEtag: r.graphEtag });
          return;
        }
        try {
          const got = await api.getBytes(`/users/${encodeURIComponent(r.userId)}/photo/$value`, { signal: options.signal });
          if (got.status === 404 || !got.bytes) {
            writes.push({ userId: r.userId, personId: r.personId, graphEtag: null, bytes: r.graphEtag !== null ? null : undefined });
          } else if (got.bytes.byteLength > maxBytes || got.bytes.byteLength === 0) {
            report.tooLarge++;
            writes.push({ userId: r.userId, personId: r.personId, graphEtag: `toolarge:${etag}` });
          } else {
            report.updated++;
            writes.push({ userId: r.userId, personId: r.personId, graphEtag: etag, bytes: got.bytes });
          }
        } catch {
          report.failed++;
        }
      }),
    );
    const t = now();
    await db.transaction().execute(async (trx) => {
      for (const w of writes) {
        if (w.bytes) {
          const pe = photoEtag(w.bytes);
          const ct = sniffImageType(w.bytes);
          await trx
            .insertInto('person_photos')
            .values({ person_id: w.personId, bytes: w.bytes, content_type: ct, etag: pe, updated_at: t })
            .onConflict((oc) => oc.column('person_id').doUpdateSet({ bytes: w.bytes!, content_type: ct, etag: pe, updated_at: t }))
            .execute();
          await trx.updateTable('people').set({ photo_etag: pe }).where('id', '=', w.personId).execute();
        } else if (w.bytes === null) {
          await trx.deleteFrom('person_photos').where('person_id', '=', w.personId).execute();
          await trx.updateTable('people').set({ photo_etag: null }).where('id', '=', w.personId).execute();
        }
        await trx
          .insertInto('graph_photos')
          .values({ user_id: w.userId, person_id: w.personId, graph_etag: w.graphEtag, checked_at: t })
          .onConflict((oc) => oc.column('user_id').doUpdateSet({ person_id: w.personId, graph_etag: w.graphEtag, checked_at: t }))
          .execute();
      }
    });
    if (options.limit && report.checked >= options.limit) break;
  }
  return report;
}
