import Router from '@koa/router';
import { linkedParticipantsRoute, resolveDocumentRoute, type DocParticipantDto } from '../contract/documents.js';
import { badRequest, notFound, readJson, RateLimiter, tooManyRequests } from '../http/index.js';
import { isDocKey, normaliseStamp } from './doc-key.js';
import type { DocumentRegistry } from './document-registry.js';
import type { DocumentSessions } from './document-sessions.js';
import { classifyDocumentUrl, documentUrlKeys } from './document-url.js';

/** The known document a link names (its URL in any spelling, or the product's own key link), or null. Never creates one. */
export async function findLinkedDocument(registry: DocumentRegistry, url: string): Promise<string | null> {
  const link = classifyDocumentUrl(url);
  if (link?.kind === 'product') return (await registry.find(link.docKey))?.docKey ?? null;
  return link ? registry.findByUrlKeys(link.keys) : null;
}

/**
 * HTTP side of documents. Holding a key, stamp or URL is the permission to see who is in that
 * document; there is no route that lists documents, and unknown keys answer 404.
 */
export function documentRoutes(registry: DocumentRegistry, sessions: DocumentSessions): Router {
  const router = new Router();
  // Resolving creates documents: bound it per person so nobody fills the table.
  const resolveLimit = new RateLimiter(5, 60);

  router.post('/v1/documents/resolve', async (ctx) => {
    const body = await readJson(ctx, resolveDocumentRoute.body);
    const stamp = body.docId ? (normaliseStamp(body.docId) ?? undefined) : undefined;
    const urlKeys = body.url ? documentUrlKeys(body.url) : [];
    const product = body.url ? classifyDocumentUrl(body.url) : null;
    if (product?.kind === 'product') {
      // The product's own link carries the key: it only finds, never creates.
      const found = await registry.find(product.docKey);
      if (!found) throw notFound('Unknown document');
      ctx.body = found;
      return;
    }
    if (!stamp && !urlKeys.length) throw badRequest('The URL does not name a document we can identify; send the stamped docId');
    const wait = resolveLimit.take(ctx.state.principal.personId);
    if (wait > 0) throw tooManyRequests(wait);
    ctx.body = await registry.resolve({ stamp, urlKeys });
  });

  router.get('/v1/documents/:docKey/participants', async (ctx) => {
    const docKey = ctx.params.docKey;
    if (!isDocKey(docKey) || !(await registry.find(docKey))) throw notFound('Unknown document');
    ctx.body = { docKey, participants: await sessions.participants(docKey) };
  });

  router.post('/v1/documents/participants', async (ctx) => {
    const { urls } = await readJson(ctx, linkedParticipantsRoute.body);
    const results: { url: string; docKey: string | null; participants: DocParticipantDto[] }[] = [];
    for (const url of urls) {
      const docKey = await findLinkedDocument(registry, url);
      results.push({ url, docKey, participants: docKey ? await sessions.participants(docKey) : [] });
    }
    ctx.body = { results };
  });

  return router;
}
