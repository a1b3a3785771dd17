import type { Migration } from '../../core/store/index.js';

export const chatMigrations: readonly Migration[] = [
  {
    name: 'chat.001-conversations-messages',
    async up(db) {
      await db.schema
        .createTable('chat_conversations')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('kind', 'varchar(10)', (c) => c.notNull())
        .addColumn('topic', 'text')
        .addColumn('pair_key', 'varchar(200)', (c) => c.unique())
        .addColumn('created_by', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('last_message_at', 'bigint')
        .execute();
      await db.schema
        .createTable('chat_members')
        .addColumn('conversation_id', 'varchar(64)', (c) => c.notNull().references('chat_conversations.id').onDelete('cascade'))
        .addColumn('person_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('joined_at', 'bigint', (c) => c.notNull())
        .addColumn('read_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('notified_seq', 'bigint', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('chat_members_pk', ['conversation_id', 'person_id'])
        .execute();
      await db.schema.createIndex('chat_members_person').on('chat_members').columns(['person_id', 'conversation_id']).execute();
      await db.schema
        .createTable('chat_messages')
        .addColumn('conversation_id', 'varchar(64)', (c) => c.notNull().references('chat_conversations.id').onDelete('cascade'))
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('sender_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('client_message_id', 'varchar(100)', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('chat_messages_pk', ['conversation_id', 'seq'])
        // Idempotency is enforced by the store, not by a cache: one row per (sender, clientMessageId).
        .addUniqueConstraint('chat_messages_client_id', ['sender_id', 'client_message_id'])
        .execute();
    },
  },
];
