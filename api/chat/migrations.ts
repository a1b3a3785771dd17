import { sql, type Kysely } from 'kysely';
import type { Migration } from '../../core/store/index.js';

/** The messages table as both migrations create it: one row per (conversation, seq). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function createMessagesTable(db: Kysely<any>): Promise<void> {
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
}

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
      await createMessagesTable(db);
    },
  },
  {
    // The first cut of 001 had a random-keyed `id` column; a message's id is now `<conversation>:<seq>`.
    // Stores created from that cut are brought in line, keeping their messages.
    name: 'chat.002-message-id-from-seq',
    async up(db, dialect) {
      const table = (await db.introspection.getTables()).find((t) => t.name === 'chat_messages');
      if (!table?.columns.some((c) => c.name === 'id')) return;
      if (dialect === 'postgres') {
        await sql`alter table chat_messages drop column id`.execute(db);
        return;
      }
      // SQLite cannot drop a UNIQUE column: rebuild the table.
      await sql`alter table chat_messages rename to chat_messages_old`.execute(db);
      await createMessagesTable(db);
      await sql`insert into chat_messages (conversation_id, seq, sender_id, client_message_id, text, created_at)
        select conversation_id, seq, sender_id, client_message_id, text, created_at from chat_messages_old`.execute(db);
      await sql`drop table chat_messages_old`.execute(db);
    },
  },
];
