/** The chat module's tables, as Kysely sees them. */
export interface ConversationsTable {
  id: string;
  kind: 'direct' | 'group';
  topic: string | null;
  /** "idA|idB" (ordered) for a direct conversation: unique, so a pair maps to one conversation whoever starts it. */
  pair_key: string | null;
  created_by: string;
  created_at: number;
  /** The per-conversation counter: the seq of the newest message, bumped in the insert transaction. */
  last_seq: number;
  last_message_at: number | null;
}

export interface MembersTable {
  conversation_id: string;
  person_id: string;
  joined_at: number;
  /** High-water read marker. */
  read_seq: number;
  /** Up to which seq the missed-message notifier has been called (recorded before it is called). */
  notified_seq: number;
}

export interface MessagesTable {
  conversation_id: string;
  seq: number;
  sender_id: string;
  client_message_id: string;
  text: string;
  created_at: number;
}

export interface ChatTables {
  chat_conversations: ConversationsTable;
  chat_members: MembersTable;
  chat_messages: MessagesTable;
}
