import type { ColumnType } from 'kysely';
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
  /** 'failed': given up after `failures` reached the writer's cap (logged). */
  state: 'pending' | 'saved' | 'failed';
  message_id: string | null;
  /** Creates sent (an item may exist): the next attempt looks for it first. */
  attempts: number;
  updated_at: number;
  /** Failed attempts so far, of any kind (folder, mailbox, create). */
  failures: ColumnType<number, number | undefined, number>;
  /** A pending item is not retried before this (backoff after failures). */
  retry_at: ColumnType<number, number | undefined, number>;
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
  {
    // Items that fail are retried with backoff and given up after a cap, instead of staying the
    // oldest pending rows for ever and holding back every retry behind them.
    name: 'graph.003-history-retry',
    async up(db) {
      await db.schema
        .alterTable('graph_history_items')
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('graph_history_items')
        .addColumn('retry_at', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('graph_history_items_retry').on('graph_history_items').columns(['state', 'retry_at']).execute();
    },
  },
];
