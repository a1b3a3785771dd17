import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Logger } from '../../core/log/index.js';
import type { Store } from '../../core/store/index.js';
import type { DirectoryTables } from '../directory/tables.js';
import type { DirectorySource, ReadSummary, Watermark } from '../sources/source.js';
import { applyBatch, KyselyBatchStore, resolvePendingManagers, SqliteBatchStore, type BatchStore, type Db } from './batch-applier.js';
import { StoreLease } from './lease.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { addWarnings, newReport, runRow, type SyncProgress, type SyncReport } from './report.js';
import type { SyncTables } from './tables.js';

export interface SyncLimits {
  /** Most deletions one run may apply (SYNC_DELETE_CAP). */
  readonly deleteCap: number;
  /** ... and at most this percentage of the source (SYNC_DELETE_CAP_PERCENT). */
  readonly deleteCapPercent: number;
  /** Time between "missing" and "deleted" (SYNC_DELETE_GRACE_SECONDS). */
  readonly graceSeconds: number;
}

export const DEFAULT_LIMITS: SyncLimits = { deleteCap: 500, deleteCapPercent: 10, graceSeconds: 0 };

export interface RunSyncOptions {
  readonly store: Store;
  /** Read everything and reconcile deletions (otherwise: changes since the watermark). */
  readonly full?: boolean;
  /** Compute the plan, change nothing (the run is still recorded, as a dry run). */
  readonly dryRun?: boolean;
  /** Apply deletions even over the cap. */
  readonly allowDeletes?: boolean;
  readonly limits?: Partial<SyncLimits>;
  /** Aborting stops the run between batches: what was committed stays, nothing is deleted. */
  readonly signal?: AbortSignal;
  /** The whole run fails (and deletes nothing) after this long. */
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: SyncProgress) => void;
  /** Called after each committed batch (tests use it to stop a run at a precise point). */
  readonly onBatch?: (index: number) => void;
  readonly log?: Logger;
  /** The lease to hold; `false` for none (the caller coordinates). Default: a new StoreLease. */
  readonly lease?: StoreLease | false;
  /** The lease given is already acquired (for this run id): the run only releases it. */
  readonly leaseHeld?: boolean;
  readonly runId?: string;
}

type Tx = <T>(fn: (db: Db) => Promise<T>) => Promise<T>;
type AllTables = DirectoryTables & SyncTables;

class Rollback extends Error {}

/** A source stuck in a read must not hold the run past its timeout or an abort. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

const parseWatermark = (s: string | null | undefined): Watermark | null => {
  if (!s) return null;
  try {
    return JSON.parse(s) as Watermark;
  } catch {
    return null;
  }
};

async function saveState(
  db: Db,
  source: string,
  now: number,
  set: { watermark?: Watermark; needs_full?: string | null; managers_dirty?: number; last_full_at?: number; last_run_id?: string },
): Promise<void> {
  const values = {
    ...(set.watermark !== undefined ? { watermark: JSON.stringify(set.watermark) } : {}),
    ...(set.needs_full !== undefined ? { needs_full: set.needs_full } : {}),
    ...(set.managers_dirty !== undefined ? { managers_dirty: set.managers_dirty } : {}),
    ...(set.last_full_at !== undefined ? { last_full_at: set.last_full_at } : {}),
    ...(set.last_run_id !== undefined ? { last_run_id: set.last_run_id } : {}),
    updated_at: now,
  };
  await db
    .insertInto('sync_state')
    .values({ source, watermark: null, needs_full: null, managers_dirty: 0, last_full_at: null, last_run_id: null, ...values })
    .onConflict((oc) => oc.column('source').doUpdateSet(values))
    .execute();
}

/**
 * Marks the links of `source` under an external-id prefix the pass could not read as seen: a
 * complete pass then reconciles everything else and leaves them alone.
 */
async function keepSeen(t: Db, source: string, prefix: string, now: number): Promise<void> {
  const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  await t
    .updateTable('person_sources')
    .set({ seen_at: now })
    .where('source', '=', source)
    .where(sql<boolean>`external_id like ${pattern} escape '\\'`)
    .execute();
}

/**
 * Runs one sync pass of `source` into the store and returns its report (also stored in sync_runs).
 * Each batch the source yields is applied in one transaction together with the watermark it
 * carries, so a run killed at any point and started again converges to the same store.
 * Deletions happen only after a read that finished: two-phase (missing, then deleted after the
 * grace period, once a tombstone or a complete full pass confirms it) and capped, with this
 * source's links to people another source also has counted in the cap. Throws SyncBusyError when
 * another run holds the lease; read errors do not throw, they end the run with status `failed`.
 * A full pass the source could not complete ends `incomplete`.
 */
export async function runSync(source: DirectorySource, options: RunSyncOptions): Promise<SyncReport> {
  const { store, dryRun = false, allowDeletes = false, log } = options;
  const limits: SyncLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const db = store.db as Kysely<AllTables>;
  const runId = options.runId ?? randomUUID();
  const lease = options.lease === false ? null : (options.lease ?? new StoreLease(store));
  if (lease && !options.leaseHeld) await lease.acquire(runId);

  const started = Date.now();
  if (lease) {
    // We hold the lease, so a run still marked running was cut short (its process died).
    await db
      .updateTable('sync_runs')
      .set({ status: 'aborted', finished_at: started, error: 'the process ended during the run' })
      .where('status', '=', 'running')
      .where('id', '<>', runId)
      .execute()
      .catch(async (err: unknown) => {
        await lease.release();
        throw err;
      });
  }
  const state = await db
    .selectFrom('sync_state')
    .selectAll()
    .where('source', '=', source.name)
    .executeTakeFirst()
    .catch(async (err: unknown) => {
      await lease?.release().catch(() => undefined);
      throw err;
    });
  let full = !!options.full || !state?.watermark || !!state.needs_full;
  const report = newReport(runId, source.name, full ? 'full' : 'incremental', dryRun, started);
  if (state?.needs_full && !options.full) addWarnings(report, [`full pass: ${state.needs_full}`]);

  const signals = [options.signal, lease?.lost, options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined].filter((s): s is AbortSignal => !!s);
  const signal = signals.length ? AbortSignal.any(signals) : new AbortController().signal;

  try {
    await db.insertInto('sync_runs').values(runRow(report)).execute();
  } catch (err) {
    await lease?.release();
    throw err;
  }

  // Set for a run that writes (not a dry run) on SQLite.
  let checkpointer: WalCheckpointer | undefined;
  const body = async (tx: Tx) => {
    let watermark = parseWatermark(state?.watermark);
    // managers_dirty: 0 all resolved; 1 unresolved references since the last resolution pass;
    // 2 the references left point outside the store (retried only when something changes).
    let managersDirty = state?.managers_dirty ?? 0;
    let hasPending =
      (await tx((t) => t.selectFrom('sync_pending_deletes').select('external_id').where('source', '=', source.name).limit(1).execute())).length > 0;
    for (let attempt = 0; ; attempt++) {
      const passStart = Date.now();
      report.mode = full ? 'full' : 'incremental';
      // Until a full pass completes, the next run must be full too (a killed full pass is redone).
      if (full) await tx((t) => saveState(t, source.name, passStart, { needs_full: state?.needs_full ?? 'full pass not completed' }));
      const gen = source.read({ full, watermark, signal });
      let summary: ReadSummary | undefined;
      let batchIndex = 0;
      try {
        for (;;) {
          if (signal.aborted) throw signal.reason ?? new Error('aborted');
          const next = await untilAborted(gen.next(), signal);
          if (next.done) {
            summary = next.value;
            break;
          }
          if (signal.aborted) throw signal.reason ?? new Error('aborted');
          const batch = next.value;
          const warnings: string[] = [...(batch.warnings ?? [])];
          const now = Math.max(Date.now(), passStart);
          const outcome = await tx(async (t) => {
            const o = await applyBatch(batchStore(t), source.name, batch.upserts, now, batch.hashes);
            if (hasPending && o.liveIds.length) {
              for (let i = 0; i < o.liveIds.length; i += 500) {
                await t
                  .deleteFrom('sync_pending_deletes')
                  .where('source', '=', source.name)
                  .where('external_id', 'in', o.liveIds.slice(i, i + 500))
                  .execute();
              }
            }
            for (const prefix of batch.keep ?? []) await keepSeen(t, source.name, prefix, now);
            const deletes = [...new Set(batch.deletes)];
            for (let i = 0; i < deletes.length; i += 500) {
              await t
                .insertInto('sync_pending_deletes')
                .values(deletes.slice(i, i + 500).map((external_id) => ({ source: source.name, external_id, reported_at: now })))
                .onConflict((oc) => oc.columns(['source', 'external_id']).doNothing())
                .execute();
            }
            if (batch.watermark || (o.unresolvedManagers && managersDirty !== 1)) {
              await saveState(t, source.name, now, {
                ...(batch.watermark ? { watermark: batch.watermark } : {}),
                ...(o.unresolvedManagers ? { managers_dirty: 1 } : {}),
              });
            }
            return o;
          });
          checkpointer?.committed(batch.upserts.length);
          if (batch.deletes.length) hasPending = true;
          if (batch.watermark) watermark = batch.watermark;
          if (outcome.unresolvedManagers) managersDirty = 1;
          report.entries += batch.upserts.length;
          report.added += outcome.added;
          report.updated += outcome.updated;
          report.unchanged += outcome.unchanged;
          report.disabled += outcome.disabled;
          report.skipped += outcome.skipped;
          addWarnings(report, [...warnings, ...outcome.warnings]);
          progress('reading');
          options.onBatch?.(batchIndex++);
        }
      } finally {
        // Not awaited: a generator stuck in a read only returns once that read settles.
        if (!summary) void gen.return?.(undefined as never).catch(() => undefined);
      }
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      if (summary.needsFull && !full && attempt === 0) {
        addWarnings(report, [`the source asks for a full pass: ${summary.needsFull}`]);
        full = true;
        continue;
      }
      if (summary.needsFull) {
        // A full pass that cannot stand (e.g. it moved to another DC): kept, but it deletes
        // nothing it did not see and the next run is full again. The run ends `incomplete`.
        addWarnings(report, [`the pass is not complete: ${summary.needsFull}; the next run is a full pass`]);
        await tx((t) => saveState(t, source.name, passStart, { needs_full: summary!.needsFull! }));
      } else if (full && !summary.complete) {
        // A full pass the source could not finish (an LDIF file rewritten while read, mailboxes
        // not all read): same outcome. needs_full, set when the pass started, stays.
        addWarnings(report, ['the full pass is not complete: nothing was deleted for what it did not see; the next run is a full pass']);
      }
      await finish(tx, summary, passStart, managersDirty, hasPending, full);
      return;
    }
  };

  // On SQLite, raw prepared statements on the same connection (so inside the Kysely transaction).
  const batchStore = (t: Db): BatchStore => (store.sqlite ? new SqliteBatchStore(store.sqlite) : new KyselyBatchStore(t));

  const progress = (phase: SyncProgress['phase']) => {
    const elapsedMs = Date.now() - started;
    options.onProgress?.({
      source: source.name,
      phase,
      entries: report.entries,
      perSecond: elapsedMs > 0 ? Math.round((report.entries * 1000) / elapsedMs) : 0,
      elapsedMs,
    });
  };

  const finish = async (tx: Tx, summary: ReadSummary, passStart: number, managersDirty: number, hasPendingNow: boolean, full: boolean) => {
    progress('reconciling');
    await tx(async (t) => {
      const now = Math.max(Date.now(), passStart);
      const S = source.name;
      if (managersDirty === 1 || (managersDirty === 2 && report.added + report.updated > 0)) {
        const unresolved = await resolvePendingManagers(t, batchStore(t), S);
        managersDirty = unresolved > 0 ? 2 : 0;
      }
      // Deletions. After a complete full pass: every link not seen since the pass started (that
      // covers tombstones too: an id the source still has was upserted and left the pending list).
      // Otherwise: the pending tombstones and held-back deletions only.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- shared by queries over different joins
      const onlyThisSource = (eb: any) =>
        eb.not(eb.exists(eb.selectFrom('person_sources as o').select('o.person_id').whereRef('o.person_id', '=', 'people.id').where('o.source', '<>', S)));
      const candidates = summary.complete
        ? t
            .selectFrom('person_sources')
            .innerJoin('people', 'people.id', 'person_sources.person_id')
            .where('person_sources.source', '=', S)
            .where('person_sources.seen_at', '<', passStart)
            .where('people.deleted_at', 'is', null)
            .where('people.missing_since', 'is', null)
            .where(onlyThisSource)
        : t
            // CROSS JOIN: on SQLite it keeps the (few) tombstones as the outer loop; without
            // statistics the planner would walk every link of the source instead. Same rows.
            .selectFrom('sync_pending_deletes as d')
            .crossJoin('person_sources')
            .innerJoin('people', 'people.id', 'person_sources.person_id')
            .whereRef('person_sources.source', '=', 'd.source')
            .whereRef('person_sources.external_id', '=', 'd.external_id')
            .where('d.source', '=', S)
            .where('people.deleted_at', 'is', null)
            .where('people.missing_since', 'is', null)
            .where(onlyThisSource);
      // A person another source still has (hybrid AD + Entra) is not deleted: only this source's link
      // goes, so a later deletion by the other source is not held back by a stale link. Reversible:
      // the next pass that sees the entry joins it again (immutable id or address).
      const sharedGone = (
        summary.complete
          ? t.selectFrom('person_sources').where('person_sources.source', '=', S).where('person_sources.seen_at', '<', passStart)
          : t
              .selectFrom('sync_pending_deletes as d')
              .crossJoin('person_sources')
              .whereRef('person_sources.source', '=', 'd.source')
              .whereRef('person_sources.external_id', '=', 'd.external_id')
              .where('d.source', '=', S)
      )
        .innerJoin('people', 'people.id', 'person_sources.person_id')
        .where('people.deleted_at', 'is', null)
        .where((eb) => eb.not(onlyThisSource(eb)))
        .select('person_sources.external_id');
      const pendingExists =
        hasPendingNow || (await t.selectFrom('sync_pending_deletes').select('external_id').where('source', '=', S).limit(1).execute()).length > 0;
      // Without tombstones the incremental queries find nothing, and SQLite's planner (no
      // statistics) would walk every link of the source to learn that: skip them.
      const look = summary.complete || pendingExists;
      const unlink = look ? (await sharedGone.execute()).map((r) => r.external_id) : [];
      const toMark = look ? Number((await candidates.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n) : 0;
      // Removing a link is capped like a deletion: a pass that reads the wrong scope (or nothing)
      // of a source whose people another source also has would otherwise drop every one of its
      // links unchecked. Over the cap, neither the deletions nor the link removals are applied.
      const removals = toMark + unlink.length;
      let blocked = false;
      let blockedFull = false;
      if (removals > 0) {
        const live = Number(
          (
            await t
              .selectFrom('person_sources')
              .innerJoin('people', 'people.id', 'person_sources.person_id')
              .where('person_sources.source', '=', S)
              .where('people.deleted_at', 'is', null)
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
        // The source's size: what this store held from it before the run, or what a full pass read
        // from it if that is fewer. The smaller one keeps the cap strict both when a read comes back
        // short and when many new people arrive in the run that removes others.
        const heldBefore = Math.max(0, live - report.added);
        const size = summary.total === undefined ? heldBefore : Math.min(heldBefore, summary.total);
        const cap = Math.min(limits.deleteCap, Math.ceil((size * limits.deleteCapPercent) / 100));
        if (removals > cap && !allowDeletes) {
          blocked = true;
          report.status = 'deletions_blocked';
          report.blockedDeletions = removals;
          const what = unlink.length
            ? `${removals} deletions (${toMark} people to delete, and this source's link to ${unlink.length} people another source also has)`
            : `${removals} deletions`;
          addWarnings(report, [
            `${what} exceed the cap of ${cap} (min of SYNC_DELETE_CAP=${limits.deleteCap} and ${limits.deleteCapPercent}% of the source's ${size} people); none applied. Check the source, then run with --allow-deletes`,
          ]);
          // What a full pass did not see is only true of that pass: kept as pending deletions, an
          // incremental run (which re-reads changed people only) would apply them later to people
          // the source has again, e.g. once an OU the pass could not read is readable again. The
          // next run is a full pass instead, which looks again; --allow-deletes applies what it finds.
          if (summary.complete) blockedFull = true;
        } else {
          const ids = toMark > 0 ? (await candidates.select('people.id').execute()).map((r) => r.id) : [];
          for (let i = 0; i < ids.length; i += 500) {
            const res = await t
              .updateTable('people')
              .set({ missing_since: now, updated_at: now })
              .where('id', 'in', ids.slice(i, i + 500))
              .executeTakeFirst();
            report.missing += Number(res.numUpdatedRows);
          }
          for (let i = 0; i < unlink.length; i += 500)
            await t
              .deleteFrom('person_sources')
              .where('source', '=', S)
              .where('external_id', 'in', unlink.slice(i, i + 500))
              .execute();
          report.unlinked = unlink.length;
          if (unlink.length)
            addWarnings(report, [
              `${unlink.length === 1 ? '1 person gone from this source is' : `${unlink.length} people gone from this source are`} kept through another source that still has them: only this source's link was removed`,
            ]);
        }
      }
      // Second phase: purge people missing for longer than the grace period, when something
      // confirms they are still gone: a tombstone the source reported (its pending row stays until
      // the purge; an entry restored since changed and was read again, which removed the row), or
      // this complete full pass, trusted (not over the cap), which did not see them. An incremental
      // pass confirms nothing about people a full pass merely did not see: an entry that became
      // readable again unchanged (an ACL or a filter fixed) is not in it.
      // Starts from people marked missing (indexed, and few), not from every link of the source.
      const trustedPass = summary.complete && !blocked;
      const purgeable = t
        .selectFrom('people')
        .select('people.id')
        .where('people.missing_since', 'is not', null)
        .where('people.missing_since', '<=', now - limits.graceSeconds * 1000)
        .where('people.deleted_at', 'is', null)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('person_sources as s')
              .select('s.person_id')
              .whereRef('s.person_id', '=', 'people.id')
              .where('s.source', '=', S)
              .where((e) => {
                const reported = e.exists(
                  e
                    .selectFrom('sync_pending_deletes as pd')
                    .select('pd.external_id')
                    .whereRef('pd.source', '=', 's.source')
                    .whereRef('pd.external_id', '=', 's.external_id'),
                );
                return trustedPass ? e.or([e('s.seen_at', '<', passStart), reported]) : reported;
              }),
          ),
        )
        .where(onlyThisSource);
      const purgedIds = (await purgeable.execute()).map((r) => r.id);
      for (let i = 0; i < purgedIds.length; i += 500) {
        const part = purgedIds.slice(i, i + 500);
        const res = await t.updateTable('people').set({ deleted_at: now, updated_at: now }).where('id', 'in', part).executeTakeFirst();
        report.deleted += Number(res.numUpdatedRows);
        // A purged person's addresses are free for someone else.
        await t.deleteFrom('person_emails').where('person_id', 'in', part).execute();
      }
      // Tombstones done with: applied and purged, unlinked, or for ids the store does not hold. A
      // tombstone whose person waits out the grace period stays (it is what allows the purge).
      // Over the cap they all stay, for --allow-deletes.
      if (pendingExists && !blocked)
        await t
          .deleteFrom('sync_pending_deletes')
          .where('sync_pending_deletes.source', '=', S)
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom('person_sources as ps')
                  .innerJoin('people as p', 'p.id', 'ps.person_id')
                  .select('ps.person_id')
                  .whereRef('ps.source', '=', 'sync_pending_deletes.source')
                  .whereRef('ps.external_id', '=', 'sync_pending_deletes.external_id')
                  .where('p.missing_since', 'is not', null)
                  .where('p.deleted_at', 'is', null),
              ),
            ),
          )
          .execute();
      await saveState(t, S, now, {
        ...(summary.watermark ? { watermark: summary.watermark } : {}),
        ...(blockedFull
          ? { needs_full: `${report.blockedDeletions} deletions over the cap wait for a full pass with --allow-deletes` }
          : summary.complete
            ? { needs_full: null, last_full_at: now }
            : {}),
        managers_dirty: managersDirty,
        last_run_id: runId,
      });
    });
    if (summary.complete) report.mode = 'full';
    // A full pass that did not complete reconciled nothing: not `ok`, so scripts and the admin
    // status can tell (the CLI exits 5). Its upserts are applied and the next run is full again.
    if (report.status === 'running') report.status = full && !summary.complete ? 'incomplete' : 'ok';
  };

  try {
    if (dryRun) {
      await db
        .transaction()
        .execute(async (outer) => {
          await body((fn) => fn(outer));
          throw new Rollback();
        })
        .catch((err: unknown) => {
          if (!(err instanceof Rollback)) throw err;
        });
    } else {
      // Big runs write megabytes per batch: checkpointing the WAL after every commit (SQLite's
      // default of 1000 pages) would cost a sync per batch. Checkpoint once at the end instead.
      if (store.dialect === 'sqlite') await sql`pragma wal_autocheckpoint = 65536`.execute(db);
      checkpointer = store.sqlite ? new WalCheckpointer(store.sqlite) : undefined;
      try {
        await body((fn) => db.transaction().execute((t) => fn(t)));
      } finally {
        await checkpointer?.stop();
        if (store.dialect === 'sqlite') {
          await sql`pragma wal_autocheckpoint = 1000`.execute(db);
          await sql`pragma wal_checkpoint(PASSIVE)`.execute(db).catch(() => undefined);
        }
      }
    }
  } catch (err) {
    const aborted = options.signal?.aborted;
    const lostLease = !aborted && !!lease?.lost?.aborted;
    const timedOut = !aborted && !lostLease && signal.aborted;
    report.status = aborted ? 'aborted' : 'failed';
    report.error = timedOut
      ? `timed out after ${options.timeoutMs} ms`
      : aborted
        ? 'aborted'
        : lostLease
          ? 'the sync lease was taken over by another run (this process stalled past its expiry); stopped'
          : err instanceof Error
            ? err.message
            : String(err);
    log?.warn({ err, source: source.name, runId }, 'sync run did not complete; nothing was deleted');
  } finally {
    report.finishedAt = Date.now();
    try {
      await db.updateTable('sync_runs').set(runRow(report)).where('id', '=', runId).execute();
    } finally {
      await lease?.release().catch(() => undefined);
    }
    progress('done');
  }
  return report;
}
