import type { Kysely } from 'kysely';
import type { Migration } from '../../core/store/index.js';

/** Table types of the documents module (identity only: sessions are ephemeral and never hit the store). */
export interface DocumentTables {
  documents: {
    doc_key: string;
    /** The id this document should carry in its settings; panes holding another id re-stamp. */
    stamp: string;
    /** 1 once a URL is bound; a stamp seen again with a new URL after that is a copy. */
    url_bound: number;
    created_at: number;
    /** The document this one was made for as a copy (a known stamp arrived with another URL). */
    copied_from: string | null;
  };
  /** Stamps seen for a document (its own and ones co-authors wrote before converging). A stamp names one document. */
  document_stamps: { stamp: string; doc_key: string };
  /** sha256 of each URL identity key (see document-url.ts): URLs themselves are never stored. */
  document_urls: { url_hash: string; doc_key: string };
}

export const documentsMigrations: readonly Migration[] = [
  {
    name: 'documents.001-identity',
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('documents')
        .addColumn('doc_key', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('stamp', 'varchar(36)', (c) => c.notNull().unique())
        .addColumn('url_bound', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('document_stamps')
        .addColumn('stamp', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('doc_key', 'varchar(32)', (c) => c.notNull().references('documents.doc_key').onDelete('cascade'))
        .execute();
      await db.schema
        .createTable('document_urls')
        .addColumn('url_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('doc_key', 'varchar(32)', (c) => c.notNull().references('documents.doc_key').onDelete('cascade'))
        .execute();
      await db.schema.createIndex('document_urls_doc').on('document_urls').column('doc_key').execute();
      await db.schema.createIndex('document_stamps_doc').on('document_stamps').column('doc_key').execute();
    },
  },
  {
    name: 'documents.002-copied-from',
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema.alterTable('documents').addColumn('copied_from', 'varchar(32)').execute();
    },
  },
];
