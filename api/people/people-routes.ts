import Router from '@koa/router';
import type { DirectoryReader } from '../../directory-sync/directory/index.js';
import { lookupRoute, searchRoute } from '../contract/index.js';
import { notFound, parseWith, readJson } from '../http/index.js';
import type { Feature } from '../feature.js';

const ID = /^[A-Za-z0-9-]{1,64}$/;

/** Directory read routes: who am I, lookups by address, search, contact cards, photos. */
export function createPeopleFeature(deps: { directory: DirectoryReader; authMode: 'dev' | 'oidc' }): Feature {
  const { directory } = deps;
  const router = new Router();

  router.get('/v1/me', async (ctx) => {
    const person = await directory.getCard(ctx.state.principal.personId);
    if (!person) throw notFound('You are no longer in the directory');
    ctx.body = { person, isAdmin: ctx.state.principal.isAdmin, authMode: deps.authMode };
  });

  router.post('/v1/people/lookup', async (ctx) => {
    const { emails } = await readJson(ctx, lookupRoute.body);
    const found = await directory.lookupEmails(emails);
    ctx.body = { results: emails.map((email) => ({ email, person: found.get(email) ?? null })) };
  });

  router.get('/v1/people/search', async (ctx) => {
    const { q, limit } = parseWith(searchRoute.query, ctx.query);
    ctx.body = { results: await directory.search(q, limit) };
  });

  router.get('/v1/people/:id', async (ctx) => {
    // Someone's Outlook contacts are theirs alone: for anyone else the id does not exist.
    const card = ID.test(ctx.params.id) ? await directory.getCard(ctx.params.id, ctx.state.principal.personId) : null;
    if (!card) throw notFound('No such person');
    ctx.body = card;
  });

  router.get('/v1/people/:id/photo', async (ctx) => {
    const photo = ID.test(ctx.params.id) ? await directory.getPhoto(ctx.params.id, ctx.state.principal.personId) : null;
    if (!photo) throw notFound('No photo');
    const etag = `"${photo.etag}"`;
    ctx.set('ETag', etag);
    ctx.set('Cache-Control', 'private, max-age=300');
    if (
      ctx
        .get('If-None-Match')
        .split(',')
        .map((s) => s.trim())
        .includes(etag)
    ) {
      ctx.status = 304;
      return;
    }
    ctx.type = photo.contentType;
    ctx.body = Buffer.from(photo.bytes);
  });

  return { name: 'people', router };
}
