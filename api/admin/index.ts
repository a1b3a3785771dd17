import Router from '@koa/router';
import { SyncBusyError, UnknownSourceError, type DirectorySync } from '../../directory-sync/index.js';
import { requireAdmin } from '../auth/index.js';
import { syncRunRoute } from '../contract/index.js';
import type { Feature, FeatureDeps } from '../feature.js';
import { conflict, notFound, readJson } from '../http/index.js';

const SOURCE = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * Admin routes (members of ADMIN_GROUP only): directory sync status and on-demand runs.
 * A run is started and answered at once (202); its outcome shows up in GET /v1/admin/sync.
 */
export function createAdminFeature(deps: FeatureDeps, sync: DirectorySync): Feature {
  const router = new Router();
  router.use('/v1/admin', requireAdmin());

  router.get('/v1/admin/sync', async (ctx) => {
    ctx.body = await sync.status();
  });

  router.post('/v1/admin/sync/:source/run', async (ctx) => {
    const name = ctx.params.source;
    const request = await readJson(ctx, syncRunRoute.body);
    if (!SOURCE.test(name) || !sync.sourceNames().includes(name)) throw notFound(`No configured directory source named ${name.slice(0, 64)}`);
    try {
      const { runId, done } = await sync.run(name, request);
      // The run goes on after the response; its report lands in sync_runs either way.
      done.catch((err: unknown) => deps.log.error({ err, runId }, 'admin-started sync run crashed'));
      deps.log.info({ runId, source: name, by: ctx.state.principal.personId, ...request }, 'sync run started by an admin');
      ctx.status = 202;
      ctx.body = { runId, source: name, status: 'running' };
    } catch (err) {
      if (err instanceof SyncBusyError) throw conflict('A directory sync run is already in progress');
      if (err instanceof UnknownSourceError) throw notFound(err.message);
      throw err;
    }
  });

  return { name: 'admin', router };
}
