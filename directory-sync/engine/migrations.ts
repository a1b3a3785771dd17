import type { Migration } from '../../core/store/index.js';

export const syncMigrations: readonly Migration[] = [
  {
    name: 'sync.001-state-runs-lease',
    async up(db) {
      await db.schema
        .createTable('sync_state')
        .addColumn('source', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('watermark', 'text')
        .addColumn('needs_full', 'text')
        .addColumn('managers_dirty', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_full_at', 'bigint')
        .addColumn('last_run_id', 'varchar(64)')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sync_runs')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('source', 'varchar(64)', (c) => c.notNull())
        .addColumn('mode', 'varchar(16)', (c) => c.notNull())
        .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .addColumn('status', 'varchar(32)', (c) => c.notNull())
        .addColumn('entries', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('added', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('missing', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('blocked_deletions', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('warning_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('warnings', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('sync_runs_source_started').on('sync_runs').columns(['source', 'started_at']).execute();
      await db.schema
        .createTable('sync_lease')
        .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('owner', 'varchar(200)', (c) => c.notNull())
        .addColumn('run_id', 'varchar(64)')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sync_pending_deletes')
        .addColumn('source', 'varchar(64)', (c) => c.notNull())
        .addColumn('external_id', 'varchar(200)', (c) => c.notNull())
        .addColumn('reported_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('sync_pending_deletes_pk', ['source', 'external_id'])
        .execute();
      // Reconciliation looks for links of one source not seen since the pass started.
      await db.schema.createIndex('person_sources_seen').on('person_sources').columns(['source', 'seen_at']).execute();
    },
  },
  {
    name: 'sync.002-people-missing-index',
    async up(db) {
      // Purges look for people marked missing.
      await db.schema.createIndex('people_missing_since').on('people').column('missing_since').execute();
    },
  },
];
