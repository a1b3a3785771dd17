import Router from '@koa/router';
import {
  addMembersRoute,
  conversationId,
  createConversationRoute,
  historyRoute,
  listConversationsRoute,
  readMarkerRoute,
  searchMessagesRoute,
  sendMessageBody,
  updateConversationRoute,
} from '../contract/index.js';
import { notFound, parseWith, readJson } from '../http/index.js';
import type { ChatService } from './chat-service.js';

const PERSON = /^(me|[A-Za-z0-9-]{1,64})$/;
const BODY_LIMIT = 64 * 1024;

/** The HTTP face of chat (DESIGN: /v1/conversations…). Non-members get 404 for everything about a conversation. */
export function createChatRouter(chat: ChatService): Router {
  const router = new Router();
  const idOf = (raw: string) => {
    if (!conversationId.safeParse(raw).success) throw notFound('No such conversation');
    return raw;
  };

  router.post('/v1/conversations', async (ctx) => {
    const { participants, topic } = await readJson(ctx, createConversationRoute.body, BODY_LIMIT);
    ctx.body = await chat.create(ctx.state.principal, participants, topic);
  });

  router.get('/v1/conversations', async (ctx) => {
    const { limit } = parseWith(listConversationsRoute.query, ctx.query);
    ctx.body = await chat.list(ctx.state.principal.personId, limit);
  });

  // Before /:id so "search" is not taken for a conversation id.
  router.get('/v1/conversations/search', async (ctx) => {
    const { q, limit } = parseWith(searchMessagesRoute.query, ctx.query);
    ctx.body = { results: await chat.search(ctx.state.principal.personId, q, limit) };
  });

  router.get('/v1/conversations/:id', async (ctx) => {
    ctx.body = await chat.details(ctx.state.principal.personId, idOf(ctx.params.id));
  });

  router.put('/v1/conversations/:id', async (ctx) => {
    const id = idOf(ctx.params.id);
    const { topic } = await readJson(ctx, updateConversationRoute.body, BODY_LIMIT);
    ctx.body = await chat.setTopic(ctx.state.principal, id, topic);
  });

  router.post('/v1/conversations/:id/members', async (ctx) => {
    const id = idOf(ctx.params.id);
    const { emails } = await readJson(ctx, addMembersRoute.body, BODY_LIMIT);
    ctx.body = await chat.addMembers(ctx.state.principal, id, emails);
  });

  router.delete('/v1/conversations/:id/members/:personId', async (ctx) => {
    const id = idOf(ctx.params.id);
    if (!PERSON.test(ctx.params.personId)) throw notFound('Not a member of this conversation');
    await chat.removeMember(ctx.state.principal, id, ctx.params.personId);
    ctx.status = 204;
  });

  router.get('/v1/conversations/:id/messages', async (ctx) => {
    const id = idOf(ctx.params.id);
    const page = parseWith(historyRoute.query, ctx.query);
    ctx.body = await chat.history(ctx.state.principal.personId, id, page);
  });

  router.post('/v1/conversations/:id/messages', async (ctx) => {
    const id = idOf(ctx.params.id);
    const { clientMessageId, text } = await readJson(ctx, sendMessageBody, BODY_LIMIT);
    const result = await chat.send(ctx.state.principal, id, clientMessageId, text);
    ctx.status = result.duplicate ? 200 : 201;
    ctx.body = result;
  });

  router.post('/v1/conversations/:id/read', async (ctx) => {
    const id = idOf(ctx.params.id);
    const { seq } = await readJson(ctx, readMarkerRoute.body, BODY_LIMIT);
    ctx.body = await chat.markRead(ctx.state.principal, id, seq);
  });

  return router;
}
