import type { Migration } from '../../core/store/index.js';
import { graphPhotoMigrations, type GraphPhotosTable } from '../../directory-sync/sources/graph/photo-refresher.js';

/** Missed-message mails sent: one per (recipient, conversation, first seq) ever. */
export interface GraphMissedMailTable {
  recipient_id: string;
  conversation_id: string;
  first_seq: number;
  sent_at: number;
}

/** Conversation bursts saved (or being saved) into a participant's "Conversation History" folder. */
export interface GraphHistoryItemsTable {
  conversation_id: string;
  person_id: string;
  first_seq: number;
  last_seq: number;
  /** The internetMessageId we give the item: finds it again after an uncertain create. */
  message_key: string;
  state: 'pending' | 'saved';
  message_id: string | null;
  attempts: number;
  updated_at: number;
}

export interface GraphTables {
  graph_photos: GraphPhotosTable;
  graph_missed_mail: GraphMissedMailTable;
  graph_history_items: GraphHistoryItemsTable;
}

export const graphMigrations: readonly Migration[] = [
  ...graphPhotoMigrations,
  {
    name: 'graph.002-mail',
    async up(db) {
      await db.schema
        .createTable('graph_missed_mail')
        .addColumn('recipient_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('conversation_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('first_seq', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('graph_missed_mail_pk', ['recipient_id', 'conversation_id', 'first_seq'])
        .execute();
      await db.schema
        .createTable('graph_history_items')
        .addColumn('conversation_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('person_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('first_seq', 'bigint', (c) => c.notNull())
        .addColumn('last_seq', 'bigint', (c) => c.notNull())
        .addColumn('message_key', 'varchar(200)', (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('graph_history_items_pk', ['conversation_id', 'person_id', 'first_seq'])
        .execute();
    },
  },
];
