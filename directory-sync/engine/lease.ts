import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Store } from '../../core/store/index.js';
import type { SyncTables } from './tables.js';

/** Another run holds the lease. */
export class SyncBusyError extends Error {
  constructor(readonly holder: { owner: string; runId: string | null; expiresAt: number }) {
    super(`another sync run is in progress (${holder.runId ?? 'unknown run'}, held by ${holder.owner})`);
    this.name = 'SyncBusyError';
  }
}

/** This process's identity as a lease owner: host and pid, so a dead holder on this host can be detected. */
export const processOwner = (): string => `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lease row in the store (SQLite or PostgreSQL): runs never overlap, across processes too.
 * Taking it is one conditional UPDATE, so two processes cannot both win. A holder that died
 * leaves a row that expires after `ttlMs`; one that died on this host is taken over at once.
 */
export class StoreLease {
  readonly #db: Kysely<SyncTables>;
  #timer: NodeJS.Timeout | undefined;
  /** The run this instance holds the lease for: a second acquire meanwhile (same process) is refused too. */
  #heldFor: string | undefined;
  #lost: AbortController | undefined;

  constructor(
    store: Store,
    readonly name = 'directory-sync',
    readonly owner = processOwner(),
    readonly ttlMs = 30_000,
  ) {
    this.#db = store.db as Kysely<SyncTables>;
  }

  /**
   * Aborted when a renewal finds the lease taken by someone else (this process stalled past the
   * expiry and another run started): the run holding this signal must stop writing.
   */
  get lost(): AbortSignal | undefined {
    return this.#lost?.signal;
  }

  /** Takes the lease or throws SyncBusyError. Renews it in the background until release(). */
  async acquire(runId: string): Promise<void> {
    if (this.#heldFor !== undefined) throw new SyncBusyError({ owner: this.owner, runId: this.#heldFor, expiresAt: Date.now() + this.ttlMs });
    // Claimed before the first await: two acquires in one process cannot both pass the check.
    this.#heldFor = runId;
    try {
      await this.#take(runId);
    } catch (err) {
      this.#heldFor = undefined;
      throw err;
    }
    this.#lost = new AbortController();
    this.#timer = setInterval(
      () => {
        void this.renew().then(
          (held) => {
            if (!held && this.#heldFor !== undefined) this.#lost?.abort(new Error('the sync lease was taken over by another run'));
          },
          () => {},
        );
      },
      Math.max(1000, Math.floor(this.ttlMs / 3)),
    );
    this.#timer.unref();
  }

  async #take(runId: string): Promise<void> {
    const now = Date.now();
    await this.#db
      .insertInto('sync_lease')
      .values({ name: this.name, owner: '', run_id: null, expires_at: 0 })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    let res = await this.#db
      .updateTable('sync_lease')
      .set({ owner: this.owner, run_id: runId, expires_at: now + this.ttlMs })
      .where('name', '=', this.name)
      .where((eb) => eb.or([eb('expires_at', '<', now), eb('owner', '=', this.owner), eb('owner', '=', '')]))
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      const row = await this.#db.selectFrom('sync_lease').selectAll().where('name', '=', this.name).executeTakeFirstOrThrow();
      const [host, pid] = row.owner.split(':');
      if (host === hostname() && Number(pid) !== process.pid && !pidAlive(Number(pid))) {
        // The holder was killed on this machine: no need to wait for expiry.
        res = await this.#db
          .updateTable('sync_lease')
          .set({ owner: this.owner, run_id: runId, expires_at: now + this.ttlMs })
          .where('name', '=', this.name)
          .where('owner', '=', row.owner)
          .executeTakeFirst();
      }
      if (Number(res.numUpdatedRows) !== 1) throw new SyncBusyError({ owner: row.owner, runId: row.run_id, expiresAt: row.expires_at });
    }
  }

  async renew(): Promise<boolean> {
    const res = await this.#db
      .updateTable('sync_lease')
      .set({ expires_at: Date.now() + this.ttlMs })
      .where('name', '=', this.name)
      .where('owner', '=', this.owner)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async release(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#heldFor = undefined;
    await this.#db
      .updateTable('sync_lease')
      .set({ owner: '', run_id: null, expires_at: 0 })
      .where('name', '=', this.name)
      .where('owner', '=', this.owner)
      .execute();
  }

  /** Who holds the lease now, if anyone. */
  async holder(): Promise<{ owner: string; runId: string | null; expiresAt: number } | null> {
    const row = await this.#db.selectFrom('sync_lease').selectAll().where('name', '=', this.name).executeTakeFirst();
    if (!row || !row.owner || row.expires_at < Date.now()) return null;
    return { owner: row.owner, runId: row.run_id, expiresAt: row.expires_at };
  }
}
