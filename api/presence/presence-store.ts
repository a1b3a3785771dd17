import type { Kysely } from 'kysely';
import { GroupCommit, type Migration, type Store } from '../../core/store/index.js';
import type { ManualAvailability } from '../contract/presence.js';
import type { ExternalInput, ManualInput, OofInput } from './aggregate.js';
import type { Activity, Availability, CalendarEvent } from './presence-api.js';

/** Tables owned by presence. Times are epoch milliseconds. */
export interface PresenceTables {
  presence_manual: { person_id: string; availability: string; note: string | null; expires_at: number; set_at: number };
  presence_oof: { person_id: string; source: string; active: number; message: string | null; updated_at: number };
  presence_blocks: { owner_id: string; blocked_id: string; created_at: number };
  presence_calendar: { person_id: string; source: string; events: string; updated_at: number };
  presence_external: { person_id: string; source: string; availability: string; activity: string; updated_at: number; expires_at: number | null };
}

export const presenceMigrations: readonly Migration[] = [
  {
    name: 'presence.001-inputs',
    async up(db) {
      await db.schema
        .createTable('presence_manual')
        .addColumn('person_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('availability', 'varchar(32)', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('set_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('presence_oof')
        .addColumn('person_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('source', 'varchar(64)', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('message', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('presence_oof_pk', ['person_id', 'source'])
        .execute();
      await db.schema
        .createTable('presence_blocks')
        .addColumn('owner_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('blocked_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('presence_blocks_pk', ['owner_id', 'blocked_id'])
        .execute();
      await db.schema
        .createTable('presence_calendar')
        .addColumn('person_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('source', 'varchar(64)', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('presence_calendar_pk', ['person_id', 'source'])
        .execute();
      await db.schema
        .createTable('presence_external')
        .addColumn('person_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('source', 'varchar(64)', (c) => c.notNull())
        .addColumn('availability', 'varchar(32)', (c) => c.notNull())
        .addColumn('activity', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('presence_external_pk', ['person_id', 'source'])
        .execute();
    },
  },
  {
    // An external endpoint (Teams) is an endpoint like a pane: when its source stops renewing it, it
    // must go away instead of showing its last state for ever. Null: never (rows written before).
    name: 'presence.002-external-expiry',
    async up(db) {
      await db.schema.alterTable('presence_external').addColumn('expires_at', 'bigint').execute();
    },
  },
];

/** The durable inputs of one person (endpoints are not here: they live as long as their sockets). */
export interface StoredInputs {
  manual: ManualInput | null;
  oof: OofInput[];
  calendar: Map<string, CalendarEvent[]>;
  external: Map<string, ExternalInput>;
}

/** The source of truth for manual state, out-of-office, calendar, external endpoints and blocks. */
type Write = (trx: Kysely<PresenceTables>) => Promise<unknown>;

export class PresenceStore {
  readonly #db: Kysely<PresenceTables>;
  /** Status changes arrive in bursts (a meeting starts, everyone's calendar flips): one commit serves them all. */
  readonly #writes: GroupCommit<Write, undefined>;
  constructor(readonly store: Store) {
    this.#db = store.db as Kysely<PresenceTables>;
    this.#writes = new GroupCommit<Write, undefined>((batch) =>
      this.#db.transaction().execute(async (trx) => {
        for (const write of batch) await write(trx);
        return batch.map(() => undefined);
      }),
    );
  }

  /** Resolves once the write is committed (with whatever else was waiting). */
  #write(write: Write): Promise<void> {
    return this.#writes.submit(write);
  }

  async load(personId: string): Promise<StoredInputs> {
    const [manual, oof, calendar, external] = await Promise.all([
      this.#db.selectFrom('presence_manual').selectAll().where('person_id', '=', personId).executeTakeFirst(),
      this.#db.selectFrom('presence_oof').selectAll().where('person_id', '=', personId).execute(),
      this.#db.selectFrom('presence_calendar').selectAll().where('person_id', '=', personId).execute(),
      this.#db.selectFrom('presence_external').selectAll().where('person_id', '=', personId).execute(),
    ]);
    return {
      manual: manual
        ? { availability: manual.availability as ManualAvailability, note: manual.note, expiresAt: manual.expires_at, setAt: manual.set_at }
        : null,
      oof: oof.map((o) => ({ source: o.source, active: o.active === 1, message: o.message, updatedAt: o.updated_at })),
      calendar: new Map(calendar.map((c) => [c.source, JSON.parse(c.events) as CalendarEvent[]])),
      external: new Map(
        external.map((x) => [
          x.source,
          {
            source: x.source,
            availability: x.availability as Availability,
            activity: x.activity as Activity,
            expiresAt: x.expires_at === null ? null : Number(x.expires_at),
          },
        ]),
      ),
    };
  }

  async setManual(personId: string, manual: ManualInput | null): Promise<void> {
    if (!manual) {
      await this.#write((db) => db.deleteFrom('presence_manual').where('person_id', '=', personId).execute());
      return;
    }
    const row = { availability: manual.availability, note: manual.note, expires_at: manual.expiresAt, set_at: manual.setAt };
    await this.#write((db) =>
      db
        .insertInto('presence_manual')
        .values({ person_id: personId, ...row })
        .onConflict((oc) => oc.column('person_id').doUpdateSet(row))
        .execute(),
    );
  }

  async setOof(personId: string, oof: OofInput): Promise<void> {
    const row = { active: oof.active ? 1 : 0, message: oof.message, updated_at: oof.updatedAt };
    await this.#write((db) =>
      db
        .insertInto('presence_oof')
        .values({ person_id: personId, source: oof.source, ...row })
        .onConflict((oc) => oc.columns(['person_id', 'source']).doUpdateSet(row))
        .execute(),
    );
  }

  async setCalendar(personId: string, source: string, events: readonly CalendarEvent[], now: number): Promise<void> {
    const row = { events: JSON.stringify(events), updated_at: now };
    await this.#write((db) =>
      db
        .insertInto('presence_calendar')
        .values({ person_id: personId, source, ...row })
        .onConflict((oc) => oc.columns(['person_id', 'source']).doUpdateSet(row))
        .execute(),
    );
  }

  async setExternal(
    personId: string,
    source: string,
    state: { availability: Availability; activity: Activity } | null,
    now: number,
    expiresAt: number | null,
  ): Promise<void> {
    if (!state) {
      await this.#write((db) => db.deleteFrom('presence_external').where('person_id', '=', personId).where('source', '=', source).execute());
      return;
    }
    const row = { availability: state.availability, activity: state.activity, updated_at: now, expires_at: expiresAt };
    await this.#write((db) =>
      db
        .insertInto('presence_external')
        .values({ person_id: personId, source, ...row })
        .onConflict((oc) => oc.columns(['person_id', 'source']).doUpdateSet(row))
        .execute(),
    );
  }

  /** Everyone a person blocked. */
  async blockedBy(ownerId: string): Promise<string[]> {
    const rows = await this.#db.selectFrom('presence_blocks').select('blocked_id').where('owner_id', '=', ownerId).orderBy('created_at').execute();
    return rows.map((r) => r.blocked_id);
  }

  /** Every block list, each in the order it was made (blocking is rare: these are small). */
  async allBlocks(): Promise<Map<string, string[]>> {
    const rows = await this.#db.selectFrom('presence_blocks').select(['owner_id', 'blocked_id']).orderBy('created_at').execute();
    const out = new Map<string, string[]>();
    for (const r of rows) {
      let list = out.get(r.owner_id);
      if (!list) out.set(r.owner_id, (list = []));
      list.push(r.blocked_id);
    }
    return out;
  }

  async block(ownerId: string, blockedId: string, now: number): Promise<void> {
    await this.#db
      .insertInto('presence_blocks')
      .values({ owner_id: ownerId, blocked_id: blockedId, created_at: now })
      .onConflict((oc) => oc.columns(['owner_id', 'blocked_id']).doNothing())
      .execute();
  }

  async unblock(ownerId: string, blockedId: string): Promise<void> {
    await this.#db.deleteFrom('presence_blocks').where('owner_id', '=', ownerId).where('blocked_id', '=', blockedId).execute();
  }

  /** People whose external endpoint from `source` is stored (the demo simulator clears its own on start). */
  async clearExternalSource(source: string): Promise<string[]> {
    const rows = await this.#db.selectFrom('presence_external').select('person_id').where('source', '=', source).execute();
    await this.#db.deleteFrom('presence_external').where('source', '=', source).execute();
    return rows.map((r) => r.person_id);
  }
}
