import type { Kysely } from 'kysely';
import type { Logger } from '../../core/log/index.js';
import type { Store } from '../../core/store/index.js';
import type { DirectoryTables } from '../../directory-sync/directory/index.js';
import type { PresenceEngine } from './engine.js';
import type { Activity, Availability } from './presence-api.js';
import type { PresenceStore } from './presence-store.js';

/** DEMO ONLY. The source name of the simulated endpoints, so they are easy to find and remove. */
export const DEMO_SOURCE = 'demo-simulator';

const STATES: readonly { availability: Availability; activity: Activity; weight: number }[] = [
  { availability: 'Available', activity: 'Available', weight: 5 },
  { availability: 'Busy', activity: 'InAMeeting', weight: 3 },
  { availability: 'Busy', activity: 'InACall', weight: 1 },
  { availability: 'Busy', activity: 'Busy', weight: 1 },
  { availability: 'AvailableIdle', activity: 'Inactive', weight: 2 },
  { availability: 'Away', activity: 'Away', weight: 2 },
  { availability: 'BeRightBack', activity: 'BeRightBack', weight: 1 },
  { availability: 'DoNotDisturb', activity: 'Presenting', weight: 1 },
  { availability: 'Offline', activity: 'Offline', weight: 2 },
];

export interface DemoSimulator {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * DEMO ONLY (demo mode or DEMO_SIMULATOR=true): makes the demo people "use Teams" so the
 * demo page is alive. Each tick changes one or two of them through an external endpoint, never
 * anyone who is signed in here (their real presence must show). Stopping removes all of it.
 */
export function createDemoSimulator(deps: {
  engine: PresenceEngine;
  store: Store;
  presenceStore: PresenceStore;
  log: Logger;
  intervalMs?: number;
  random?: () => number;
}): DemoSimulator {
  const random = deps.random ?? Math.random;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const weighted = () => {
    let r = random() * STATES.reduce((n, s) => n + s.weight, 0);
    for (const s of STATES) if ((r -= s.weight) < 0) return s;
    return STATES[0];
  };
  let people: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let watcher: NodeJS.Timeout | undefined;
  /** People whose simulated state was taken away because they signed in here. */
  const real = new Set<string>();

  const setState = async (pid: string) => {
    if (deps.engine.hasLocalEndpoint(pid)) {
      if (!real.has(pid)) await deps.engine.setExternalEndpoint(pid, DEMO_SOURCE, null);
      real.add(pid);
      return;
    }
    real.delete(pid);
    const s = weighted();
    await deps.engine.setExternalEndpoint(pid, DEMO_SOURCE, { availability: s.availability, activity: s.activity });
  };

  const tick = async () => {
    for (let i = 0, n = 1 + Math.floor(random() * 2); i < n && people.length; i++) await setState(pick(people));
  };

  /**
   * Picks the simulated people (the demo directory may still be loading, so this runs again now
   * and then); newcomers get a first state at once.
   */
  const load = async () => {
    const db = deps.store.db as Kysely<DirectoryTables>;
    const rows = await db
      .selectFrom('people')
      .select('id')
      .where('kind', '=', 'person')
      .where('deleted_at', 'is', null)
      .where('owner_id', 'is', null)
      .where('disabled', '=', 0)
      .orderBy('display_name')
      .limit(400)
      .execute();
    const known = new Set(people);
    const fresh = rows.map((r) => r.id).filter((id) => !known.has(id));
    if (fresh.length === 0) return;
    people = [...people, ...fresh];
    for (const pid of fresh) await setState(pid);
    // A couple of people are out of office, so the OOF marker shows too.
    if (known.size === 0)
      for (const pid of fresh.slice(3, 5))
        await deps.engine.setOutOfOffice(pid, { active: true, message: 'Out of office this week (demo). Back on Monday.', source: DEMO_SOURCE });
    deps.log.info({ people: people.length }, 'DEMO ONLY: presence activity simulator running');
  };

  return {
    async start() {
      for (const pid of await deps.presenceStore.clearExternalSource(DEMO_SOURCE)) await deps.engine.setExternalEndpoint(pid, DEMO_SOURCE, null);
      await load();
      let ticks = 0;
      timer = setInterval(
        () => void (ticks++ % 15 === 0 ? load() : tick()).catch((err: unknown) => deps.log.warn({ err }, 'demo simulator tick failed')),
        deps.intervalMs ?? 4000,
      );
      timer.unref();
      // Someone who signs in must show their real presence within a second, not at their next random turn.
      watcher = setInterval(() => {
        for (const pid of people)
          if (!real.has(pid) && deps.engine.hasLocalEndpoint(pid)) void setState(pid).catch((err: unknown) => deps.log.warn({ err }, 'demo simulator failed'));
      }, 1000);
      watcher.unref();
    },
    async stop() {
      clearInterval(timer);
      clearInterval(watcher);
      for (const pid of people) {
        await deps.engine.setExternalEndpoint(pid, DEMO_SOURCE, null).catch(() => {});
      }
      for (const pid of people.slice(3, 5)) await deps.engine.setOutOfOffice(pid, { active: false, message: null, source: DEMO_SOURCE }).catch(() => {});
      people = [];
    },
  };
}
