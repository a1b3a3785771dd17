import Router from '@koa/router';
import type { Context } from 'koa';
import type { DirectoryReader } from '../../directory-sync/directory/index.js';
import { presenceQueryRoute, putMyPresenceRoute, putOutOfOfficeRoute, type MyPresenceDto } from '../contract/presence.js';
import { badRequest, notFound, readJson } from '../http/index.js';
import type { AddressBook } from './address-book.js';
import { jsonString, presenceJson, unknownPresence, viewFor } from './aggregate.js';
import type { PresenceEngine } from './engine.js';
import type { PresenceView } from './presence-api.js';

const ID = /^[A-Za-z0-9-]{1,64}$/;
/** The out-of-office source a user sets by hand (Exchange feeds its own source). */
export const USER_OOF_SOURCE = 'user';
const MAX_MANUAL_EXPIRY_MS = 366 * 24 * 3600_000;
const UNKNOWN_JSON = presenceJson(unknownPresence());
const tails = new WeakMap<PresenceView, string>();
/** `"<personId>","presence":{…}}` of a query result, built once per published view (a view belongs to one person). */
function resultTail(personId: string, view: PresenceView): string {
  let tail = tails.get(view);
  if (tail === undefined) tails.set(view, (tail = `${jsonString(personId)},"presence":${presenceJson(view)}}`));
  return tail;
}

/** HTTP routes of presence: query, your own state, out-of-office, blocks. */
export function createPresenceRouter(engine: PresenceEngine, directory: DirectoryReader, addresses: AddressBook, now: () => number = Date.now): Router {
  const router = new Router();
  const me = (ctx: Context) => ctx.state.principal.personId as string;

  const myPresence = async (personId: string): Promise<MyPresenceDto> => {
    const [presence, inputs] = await Promise.all([engine.current(personId), engine.storedInputs(personId)]);
    const manual = inputs.manual && inputs.manual.expiresAt > now() ? inputs.manual : null;
    const oof = inputs.oof.find((o) => o.source === USER_OOF_SOURCE);
    return {
      presence,
      manual: manual ? { availability: manual.availability, note: manual.note, expiresAt: new Date(manual.expiresAt).toISOString() } : null,
      outOfOffice: { active: oof?.active ?? false, message: oof?.message ?? null },
    };
  };

  router.post('/v1/presence/query', async (ctx) => {
    const { emails } = await readJson(ctx, presenceQueryRoute.body);
    const viewer = me(ctx);
    const people = await addresses.resolveEach(emails);
    const views = new Array<PresenceView | undefined>(emails.length);
    let uncached: string[] | undefined;
    for (let i = 0; i < people.length; i++) {
      const p = people[i];
      if (!p) continue;
      const view = engine.cached(p.id);
      if (view) views[i] = view;
      else (uncached ??= []).push(p.id);
    }
    const computed = uncached ? await engine.currentMany(uncached) : undefined;
    // Blocked by nobody (nearly everyone): no per-person check.
    const mayBeBlocked = engine.isBlockedByAnyone(viewer);
    // Built as text from views serialised once per version: this route is hot (every pane, every item).
    const parts = new Array<string>(emails.length);
    for (let i = 0; i < emails.length; i++) {
      const person = people[i];
      const view = person ? (views[i] ?? computed?.get(person.id)) : undefined;
      const head = `{"email":${jsonString(emails[i]!)},"personId":`;
      if (!person || !view) parts[i] = `${head}null,"presence":${UNKNOWN_JSON}}`;
      else if (mayBeBlocked && person.id !== viewer && engine.hasBlocked(person.id, viewer))
        parts[i] = `${head}${jsonString(person.id)},"presence":${JSON.stringify(viewFor(view, 'blocked'))}}`;
      else parts[i] = head + resultTail(person.id, view);
    }
    ctx.type = 'application/json';
    ctx.body = `{"results":[${parts.join(',')}]}`;
  });

  router.get('/v1/me/presence', async (ctx) => {
    ctx.body = await myPresence(me(ctx));
  });

  router.put('/v1/me/presence', async (ctx) => {
    const body = await readJson(ctx, putMyPresenceRoute.body);
    let expiresAt: number | undefined;
    if (body.expiresAt !== undefined) {
      expiresAt = Date.parse(body.expiresAt);
      if (!(expiresAt > now())) throw badRequest('expiresAt must be in the future');
      if (expiresAt - now() > MAX_MANUAL_EXPIRY_MS) throw badRequest('expiresAt must be within a year');
    }
    await engine.setManual(me(ctx), { availability: body.availability, note: body.note || null, expiresAt });
    ctx.body = await myPresence(me(ctx));
  });

  router.delete('/v1/me/presence', async (ctx) => {
    await engine.setManual(me(ctx), null);
    ctx.body = await myPresence(me(ctx));
  });

  router.put('/v1/me/out-of-office', async (ctx) => {
    const body = await readJson(ctx, putOutOfOfficeRoute.body);
    await engine.setOutOfOffice(me(ctx), { active: body.active, message: body.message || null, source: USER_OOF_SOURCE });
    ctx.body = await myPresence(me(ctx));
  });

  const blockedList = async (ownerId: string) => {
    const ids = await engine.blockedBy(ownerId);
    const people = await Promise.all(ids.map((id) => directory.getSummary(id)));
    return { people: people.filter((p) => p !== null) };
  };

  router.get('/v1/me/blocked', async (ctx) => {
    ctx.body = await blockedList(me(ctx));
  });

  router.put('/v1/me/blocked/:personId', async (ctx) => {
    const other = ctx.params.personId;
    if (!ID.test(other) || !(await directory.getSummary(other))) throw notFound('No such person');
    if (other === me(ctx)) throw badRequest('You cannot block yourself');
    await engine.block(me(ctx), other);
    ctx.body = await blockedList(me(ctx));
  });

  router.delete('/v1/me/blocked/:personId', async (ctx) => {
    const other = ctx.params.personId;
    if (!ID.test(other)) throw notFound('No such person');
    await engine.unblock(me(ctx), other);
    ctx.body = await blockedList(me(ctx));
  });

  return router;
}
