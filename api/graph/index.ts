import Router from '@koa/router';
import type { Kysely } from 'kysely';
import { toSummary, type DirectoryTables } from '../../directory-sync/directory/index.js';
import { createGraphApi, graphSettingsFrom, refreshGraphPhotos, type GraphApi } from '../../directory-sync/sources/graph/index.js';
import type { ChatFeature } from '../chat/index.js';
import type { Feature, FeatureDeps } from '../feature.js';
import type { PresenceService } from '../presence/index.js';
import { CalendarRefresher } from './calendar-refresher.js';
import { ConversationHistoryWriter } from './conversation-history.js';
import { GraphMailboxes } from './graph-mailboxes.js';
import { MissedMessageMailer } from './missed-message-mailer.js';
import { OofRefresher } from './oof-refresher.js';
import { Periodic } from './periodic.js';
import { TeamsPresenceRefresher } from './teams-presence.js';
import { NewlyWatched, WatchList } from './watch-list.js';

export { graphMigrations, type GraphTables } from './graph-tables.js';
export { oofOf } from './oof-refresher.js';
export { teamsState } from './teams-presence.js';
export { splitBursts, ConversationHistoryWriter, HISTORY_FOLDER } from './conversation-history.js';
export { MissedMessageMailer } from './missed-message-mailer.js';

export interface GraphIntegration extends Feature {
  /** The Graph client, when Graph is configured (tests and the admin side use it). */
  readonly api: GraphApi | null;
}

/**
 * Exchange and Microsoft 365 through Microsoft Graph, when GRAPH_TENANT_ID is set: out of office,
 * free/busy and (GRAPH_TEAMS_PRESENCE) Teams presence into the presence engine for the people
 * somebody watches; user photos; (GRAPH_MISSED_MESSAGE_MAIL) missed-message e-mail;
 * (GRAPH_CONVERSATION_HISTORY) conversation history in the mailbox; `GET /v1/me/contacts`.
 * Tuning keys (tests): graph.oofRefreshMs, graph.calendarRefreshMs, graph.teamsRefreshMs,
 * graph.photoRefreshMs, graph.newWatchersMs, graph.historyMs, graph.historySilenceMs, graph.maxWatched,
 * graph.retryBaseMs.
 */
export function createGraphIntegration(
  deps: FeatureDeps,
  withFeatures: { presence: PresenceService; chat: ChatFeature; watched?: () => readonly string[] },
): GraphIntegration {
  const { config, tuning } = deps;
  const log = deps.log.child({ mod: 'graph' });
  const router = contactsRouter(deps);
  const settings = graphSettingsFrom(config);
  if (!settings) return { name: 'graph', router, api: null };

  const env = config.env;
  const api = createGraphApi(settings, {
    policy:
      tuning['graph.retryBaseMs'] !== undefined
        ? { baseDelayMs: tuning['graph.retryBaseMs'], jitterMs: Math.min(250, tuning['graph.retryBaseMs']) }
        : undefined,
    events: { onRetry: (e) => log.info({ status: e.status, attempt: e.attempt, delayMs: e.delayMs }, 'graph: throttled, retrying') },
  });
  const mailboxes = new GraphMailboxes(deps.store);
  const maxWatched = tuning['graph.maxWatched'] ?? 5000;
  const list = () => new WatchList(mailboxes, withFeatures.watched, maxWatched);
  const ms = (key: string, seconds: number) => tuning[key] ?? seconds * 1000;
  const tasks: Periodic[] = [];

  const oof = new OofRefresher(api, withFeatures.presence, log);
  const oofList = list();
  tasks.push(new Periodic('oof', ms('graph.oofRefreshMs', env.GRAPH_OOF_REFRESH_SECONDS), async (signal) => oof.refresh(await oofList.next(), signal), log));
  const calendar = new CalendarRefresher(api, withFeatures.presence, mailboxes, log);
  const calList = list();
  tasks.push(
    new Periodic(
      'calendar',
      ms('graph.calendarRefreshMs', env.GRAPH_CALENDAR_REFRESH_SECONDS),
      async (signal) => calendar.refresh(await calList.next(), signal),
      log,
    ),
  );
  const teamsEveryMs = ms('graph.teamsRefreshMs', env.GRAPH_TEAMS_REFRESH_SECONDS);
  // Three refreshes may fail (or be throttled) before a Teams state is given up as stale; with the
  // periodic refresh turned off nothing would renew it, so it is kept until it changes.
  const teams = env.GRAPH_TEAMS_PRESENCE ? new TeamsPresenceRefresher(api, withFeatures.presence, teamsEveryMs > 0 ? 3 * teamsEveryMs : undefined) : null;
  if (withFeatures.watched) {
    // People someone just started watching: their Exchange/Teams state within seconds.
    const fresh = new NewlyWatched(mailboxes, withFeatures.watched, maxWatched);
    tasks.push(
      new Periodic(
        'new-watchers',
        tuning['graph.newWatchersMs'] ?? 5000,
        async (signal) => {
          const people = await fresh.next();
          if (people.length === 0) return;
          await Promise.allSettled([oof.refresh(people, signal), calendar.refresh(people, signal), teams?.refresh(people, signal)]);
        },
        log,
      ),
    );
  }
  if (teams) {
    const teamsList = list();
    tasks.push(new Periodic('teams', teamsEveryMs, async (signal) => teams.refresh(await teamsList.next(), signal), log));
  }
  // New people get their photo within minutes; known photos are re-checked (ETag) every interval.
  const photoMs = ms('graph.photoRefreshMs', env.GRAPH_PHOTO_REFRESH_SECONDS);
  tasks.push(new Periodic('photos', Math.min(photoMs, 300_000), (signal) => refreshGraphPhotos(deps.store, api, { olderThanMs: photoMs, signal }), log));
  if (env.GRAPH_MISSED_MESSAGE_MAIL) {
    withFeatures.chat.setNotifier(new MissedMessageMailer(deps.store, api, mailboxes, { serviceMailbox: env.GRAPH_MAIL_SENDER, log }));
  }
  if (env.GRAPH_CONVERSATION_HISTORY) {
    const historyMs = tuning['graph.historyMs'] ?? 60_000;
    const history = new ConversationHistoryWriter(deps.store, api, mailboxes, {
      silenceMs: tuning['graph.historySilenceMs'] ?? 10 * 60_000,
      horizonMs: 7 * 24 * 3600_000,
      log,
      // A first failure is retried at the next pass, later ones ever more rarely.
      retryBaseMs: historyMs,
    });
    tasks.push(new Periodic('history', historyMs, (signal) => history.run(signal), log));
  }

  return {
    name: 'graph',
    router,
    api,
    async start() {
      for (const t of tasks) t.start();
    },
    async stop() {
      await Promise.all(tasks.map((t) => t.stop()));
      api.close();
    },
  };
}

/** `GET /v1/me/contacts`: the caller's Outlook contacts (external contacts they own). */
function contactsRouter(deps: FeatureDeps): Router {
  const router = new Router();
  const db = deps.store.db as Kysely<DirectoryTables>;
  router.get('/v1/me/contacts', async (ctx) => {
    const rows = await db
      .selectFrom('people')
      .select(['id', 'kind', 'display_name', 'primary_email', 'title', 'department', 'photo_etag', 'disabled'])
      .where('owner_id', '=', ctx.state.principal.personId)
      .where('deleted_at', 'is', null)
      .orderBy('display_name')
      .limit(2000)
      .execute();
    ctx.body = { results: rows.map(toSummary) };
  });
  return router;
}
