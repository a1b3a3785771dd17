import type { Migration } from '../../core/store/index.js';

export const directoryMigrations: readonly Migration[] = [
  {
    name: 'directory.001-people',
    async up(db, dialect) {
      const blob = dialect === 'postgres' ? 'bytea' : 'blob';
      await db.schema
        .createTable('people')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('given_name', 'text')
        .addColumn('surname', 'text')
        .addColumn('title', 'text')
        .addColumn('department', 'text')
        .addColumn('company', 'text')
        .addColumn('office', 'text')
        .addColumn('phones', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('primary_email', 'text')
        .addColumn('upn', 'text')
        .addColumn('immutable_id', 'text')
        .addColumn('manager_id', 'varchar(64)')
        .addColumn('owner_id', 'varchar(64)')
        .addColumn('groups', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('missing_since', 'bigint')
        .addColumn('deleted_at', 'bigint')
        .addColumn('photo_etag', 'text')
        .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('people_upn').on('people').column('upn').execute();
      await db.schema.createIndex('people_immutable_id').on('people').column('immutable_id').execute();
      await db.schema.createIndex('people_manager').on('people').column('manager_id').execute();
      await db.schema
        .createTable('person_sources')
        .addColumn('source', 'varchar(64)', (c) => c.notNull())
        .addColumn('external_id', 'varchar(200)', (c) => c.notNull())
        .addColumn('person_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('dn', 'text')
        .addColumn('manager_ref', 'text')
        .addColumn('content_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('person_sources_pk', ['source', 'external_id'])
        .execute();
      await db.schema.createIndex('person_sources_person').on('person_sources').column('person_id').execute();
      await db.schema.createIndex('person_sources_dn').on('person_sources').columns(['source', 'dn']).execute();
      await db.schema
        .createTable('person_emails')
        .addColumn('email', 'varchar(320)', (c) => c.primaryKey())
        .addColumn('person_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('is_primary', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('person_emails_person').on('person_emails').column('person_id').execute();
      await db.schema
        .createTable('person_photos')
        .addColumn('person_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('bytes', blob, (c) => c.notNull())
        .addColumn('content_type', 'varchar(64)', (c) => c.notNull())
        .addColumn('etag', 'varchar(64)', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
];
