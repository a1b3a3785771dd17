import { z } from 'zod';
import { defineRoute, email } from './route.js';

/** Largest message text, in UTF-8 bytes. */
export const MAX_MESSAGE_BYTES = 8 * 1024;
export const MAX_PARTICIPANTS = 100;
export const MAX_TOPIC = 200;
export const MAX_HISTORY_PAGE = 200;

/** UTF-8 length without allocating (runs on every message, server and panes). */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Message text: not blank, at most 8 KB of UTF-8, no NUL. Stored as typed; the panes render it as Markdown-lite, never as HTML. */
export const messageText = z
  .string()
  .refine((s) => s.trim().length > 0, { message: 'must not be empty' })
  .refine((s) => utf8Bytes(s) <= MAX_MESSAGE_BYTES, { message: `must be at most ${MAX_MESSAGE_BYTES} bytes of UTF-8` })
  .refine((s) => !s.includes('\u0000'), { message: 'must not contain NUL' });

/** Chosen by the client once per message and reused on every retry of it. */
export const clientMessageId = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be 1-100 characters of A-Z a-z 0-9 _ . : -');
export const conversationId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a conversation id');
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const chatMessage = z.object({
  /** `<conversationId>:<seq>`. */
  id: z.string(),
  conversationId: z.string(),
  /** Gap-free per conversation, from 1, assigned by the server in the insert transaction. */
  seq: z.number().int(),
  senderId: z.string(),
  clientMessageId: z.string(),
  text: z.string(),
  createdAt: z.number().int(),
});
export type ChatMessageDto = z.infer<typeof chatMessage>;

export const chatMember = z.object({ id: z.string(), displayName: z.string(), email: z.string().nullable() });
export type ChatMemberDto = z.infer<typeof chatMember>;

/** What every member sees alike about a conversation. */
export const conversationInfo = z.object({
  id: z.string(),
  kind: z.enum(['direct', 'group']),
  topic: z.string().nullable(),
  members: z.array(chatMember),
  lastSeq: z.number().int(),
  lastMessageAt: z.number().int().nullable(),
  createdAt: z.number().int(),
});
export type ConversationInfoDto = z.infer<typeof conversationInfo>;

/** A conversation as one member sees it: with that member's read marker and unread count. */
export const conversationView = conversationInfo.extend({
  readSeq: z.number().int(),
  unread: z.number().int(),
  lastMessage: chatMessage.nullable(),
});
export type ConversationViewDto = z.infer<typeof conversationView>;

export const memberPresence = chatMember.extend({ availability: z.string(), doNotDisturb: z.boolean() });

export const sendResult = z.object({
  message: chatMessage,
  /** True when this was a retry of a message already stored (same clientMessageId, same content). */
  duplicate: z.boolean(),
  /** Members (person ids) on Do Not Disturb: delivered, but their panes raise no notification. */
  doNotDisturb: z.array(z.string()),
});
export type SendResultDto = z.infer<typeof sendResult>;

// ---------------------------------------------------------------- HTTP routes

export const createConversationRoute = defineRoute({
  method: 'post',
  path: '/v1/conversations',
  tag: 'chat',
  summary: 'Start a conversation: one other participant and no topic is the pair conversation (always the same one); otherwise a group',
  auth: 'user',
  body: z.strictObject({
    participants: z.array(email).min(1).max(MAX_PARTICIPANTS),
    topic: z.string().trim().min(1).max(MAX_TOPIC).optional(),
  }),
  response: conversationView,
});

export const listConversationsRoute = defineRoute({
  method: 'get',
  path: '/v1/conversations',
  tag: 'chat',
  summary: 'Your conversations, most recent first, with unread counts',
  auth: 'user',
  query: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
  response: z.object({ conversations: z.array(conversationView), unreadTotal: z.number().int() }),
});

export const getConversationRoute = defineRoute({
  method: 'get',
  path: '/v1/conversations/{id}',
  tag: 'chat',
  summary: 'One conversation, with the presence (and Do Not Disturb) of its members',
  auth: 'user',
  response: conversationView.extend({ members: z.array(memberPresence) }),
});

export const updateConversationRoute = defineRoute({
  method: 'put',
  path: '/v1/conversations/{id}',
  tag: 'chat',
  summary: 'Set the topic of a group conversation',
  auth: 'user',
  body: z.strictObject({ topic: z.string().trim().min(1).max(MAX_TOPIC) }),
  response: conversationView,
});

export const addMembersRoute = defineRoute({
  method: 'post',
  path: '/v1/conversations/{id}/members',
  tag: 'chat',
  summary: 'Add people to a group conversation',
  auth: 'user',
  body: z.strictObject({ emails: z.array(email).min(1).max(MAX_PARTICIPANTS) }),
  response: conversationView,
});

export const removeMemberRoute = defineRoute({
  method: 'delete',
  path: '/v1/conversations/{id}/members/{personId}',
  tag: 'chat',
  summary: 'Remove a member from a group (its creator, or yourself: leaving); `me` means yourself',
  auth: 'user',
});

export const historyQuery = z
  .strictObject({
    after: z.coerce.number().int().min(0).optional(),
    before: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).default(50),
  })
  .refine((q) => q.after === undefined || q.before === undefined, { message: 'use after or before, not both' });

export const historyRoute = defineRoute({
  method: 'get',
  path: '/v1/conversations/{id}/messages',
  tag: 'chat',
  summary: 'History in seq order: after=SEQ pages forward, before=SEQ pages back, neither gives the latest',
  auth: 'user',
  query: historyQuery,
  response: z.object({ messages: z.array(chatMessage), lastSeq: z.number().int(), hasMore: z.boolean() }),
});

export const sendMessageBody = z.strictObject({ clientMessageId, text: messageText });

export const sendMessageRoute = defineRoute({
  method: 'post',
  path: '/v1/conversations/{id}/messages',
  tag: 'chat',
  summary: 'Send a message; idempotent on clientMessageId (a retry returns the stored message, other content is 409)',
  auth: 'user',
  body: sendMessageBody,
  response: sendResult,
});

export const readMarkerRoute = defineRoute({
  method: 'post',
  path: '/v1/conversations/{id}/read',
  tag: 'chat',
  summary: 'Move your read marker forward (high-water: never backwards)',
  auth: 'user',
  body: z.strictObject({ seq }),
  response: z.object({ readSeq: z.number().int(), unread: z.number().int() }),
});

export const searchMessagesRoute = defineRoute({
  method: 'get',
  path: '/v1/conversations/search',
  tag: 'chat',
  summary: 'Search the text of messages in your conversations, newest first',
  auth: 'user',
  query: z.strictObject({ q: z.string().trim().min(1).max(200), limit: z.coerce.number().int().min(1).max(100).default(20) }),
  response: z.object({ results: z.array(chatMessage) }),
});

// ---------------------------------------------------------------- realtime frames

/** Client → server frames. */
export const chatSendFrame = z.strictObject({ type: z.literal('chat.send'), conversationId, clientMessageId, text: messageText });
export const chatReadFrame = z.strictObject({ type: z.literal('chat.read'), conversationId, seq });
export const chatTypingFrame = z.strictObject({ type: z.literal('chat.typing'), conversationId });
export const MAX_SYNC_CONVERSATIONS = 1000;
/** Resume: the last seq seen per conversation; the server sends what came after, then `chat.synced`. */
export const chatSyncFrame = z.strictObject({
  type: z.literal('chat.sync'),
  conversations: z.array(z.strictObject({ id: conversationId, afterSeq: seq })).max(MAX_SYNC_CONVERSATIONS),
});

/** Server → client frames (documented here for the panes; the server builds them). */
export interface ChatMessageFrame {
  type: 'chat.message';
  conversationId: string;
  message: ChatMessageDto;
  /** False for the sender's own endpoints, for recipients on Do Not Disturb, and for resumed history. */
  notify: boolean;
}
export type ChatAckFrame =
  | { type: 'chat.ack'; ok: true; clientMessageId: string; conversationId: string; message: ChatMessageDto; duplicate: boolean; doNotDisturb: string[] }
  | { type: 'chat.ack'; ok: false; clientMessageId: string; conversationId: string; error: { status: number; code: string; message: string } };
export interface ChatReadFrame {
  type: 'chat.read';
  conversationId: string;
  personId: string;
  seq: number;
}
export interface ChatTypingFrame {
  type: 'chat.typing';
  conversationId: string;
  personId: string;
  displayName: string;
}
export interface ChatSyncedFrame {
  type: 'chat.synced';
  conversations: ConversationViewDto[];
  /** False when there was more to send than one sync answers: send chat.sync again with the new seqs. */
  complete: boolean;
}
export interface ChatConversationFrame {
  type: 'chat.conversation';
  conversation: ConversationInfoDto;
}
export interface ChatRemovedFrame {
  type: 'chat.removed';
  conversationId: string;
}
export type ChatServerFrame = ChatMessageFrame | ChatAckFrame | ChatReadFrame | ChatTypingFrame | ChatSyncedFrame | ChatConversationFrame | ChatRemovedFrame;
