import Router from '@koa/router';
import { TtlCache } from '../../core/cache/index.js';
import type { Context } from 'koa';
import type { DirectoryReader } from '../../directory-sync/directory/index.js';
import { presenceQueryRoute, putMyPresenceRoute, putOutOfOfficeRoute, type MyPresenceDto } from '../contract/presence.js';
import { badRequest, jsonArrayBytes, notFound, readJson } from '../http/index.js';
import type { AddressBook } from './address-book.js';
import { jsonString, presenceJson, unknownPresence, viewFor } from './aggregate.js';
import type { PresenceEngine } from './engine.js';
import type { PresenceView } from './presence-api.js';

const ID = /^[A-Za-z0-9-]{1,64}$/;
/** The out-of-office source a user sets by hand (Exchange feeds its own source). */
export const USER_OOF_SOURCE = 'user';
const MAX_MANUAL_EXPIRY_MS = 366 * 24 * 3600_000;
const UNKNOWN_JSON = presenceJson(unknownPresence());
const encode = (text: string) => Buffer.from(text);
/** Short: bounds how long a kept answer can outlive the address book entry it came from (a directory change clears both at once). */
const ANSWER_TTL_MS = 60_000;

/** HTTP routes of presence: query, your own state, out-of-office, blocks. */
export function createPresenceRouter(engine: PresenceEngine, directory: DirectoryReader, addresses: AddressBook, now: () => number = Date.now): Router {
  const router = new Router();
  const me = (ctx: Context) => ctx.state.principal.personId as string;
  /** A query's answer for one address as given, valid while that person's published view is the same object. */
  const answers = new TtlCache<string, { generation: number; view: PresenceView; cell: { readonly view: PresenceView }; personId: string; bytes: Buffer }>(
    100_000,
  );

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
    // Blocked by nobody (nearly everyone): no per-person check.
    const mayBeBlocked = engine.isBlockedByAnyone(viewer);
    const generation = addresses.generation;
    const now = Date.now();
    // Panes ask for the same addresses over and over (every pane, every item): an address's answer
    // is kept while the address book has not been cleared and its person's view is the same object
    // (read through the person's cell: a query touches each kept answer and little else).
    const parts = new Array<Buffer>(emails.length);
    let misses: number[] | undefined;
    for (let i = 0; i < emails.length; i++) {
      const kept = answers.get(emails[i]!, now);
      if (
        kept &&
        kept.generation === generation &&
        kept.cell.view === kept.view &&
        !(mayBeBlocked && kept.personId !== viewer && engine.hasBlocked(kept.personId, viewer))
      )
        parts[i] = kept.bytes;
      else (misses ??= []).push(i);
    }
    if (misses) await answerMisses(emails, misses, parts, viewer, mayBeBlocked, generation, now);
    ctx.type = 'application/json';
    ctx.body = jsonArrayBytes('{"results":[', parts, ']}');
  });

  /** The addresses without a kept answer: resolved, their views computed if need be, answers kept. */
  const answerMisses = async (
    emails: readonly string[],
    misses: readonly number[],
    parts: Buffer[],
    viewer: string,
    mayBeBlocked: boolean,
    generation: number,
    now: number,
  ): Promise<void> => {
    const people = await addresses.resolveEach(misses.map((i) => emails[i]!));
    const uncached = people.filter((p) => p !== null && !engine.cached(p.id)).map((p) => p!.id);
    const computed = uncached.length ? await engine.currentMany(uncached) : undefined;
    misses.forEach((i, k) => {
      const email = emails[i]!;
      const person = people[k];
      const view = person ? (engine.cached(person.id) ?? computed?.get(person.id)) : undefined;
      if (!person || !view) parts[i] = encode(`{"email":${jsonString(email)},"personId":null,"presence":${UNKNOWN_JSON}}`);
      else if (mayBeBlocked && person.id !== viewer && engine.hasBlocked(person.id, viewer))
        parts[i] = encode(`{"email":${jsonString(email)},"personId":${jsonString(person.id)},"presence":${JSON.stringify(viewFor(view, 'blocked'))}}`);
      else {
        parts[i] = encode(`{"email":${jsonString(email)},"personId":${jsonString(person.id)},"presence":${presenceJson(view)}}`);
        // Unknown addresses are not kept here: the address book re-checks them sooner (new hires).
        const cell = engine.cell(person.id);
        if (cell) answers.set(email, { generation, view, cell, personId: person.id, bytes: parts[i]! }, now + ANSWER_TTL_MS);
      }
    });
  };

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
    // Only people of the directory sign in, message and watch presence: a contact (an external one,
    // or someone's private Outlook contact, whose summary the answer would reveal) is nobody to block.
    if (!ID.test(other) || (await directory.getSummary(other))?.kind !== 'person') throw notFound('No such person');
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
