import type { GraphApi } from '../../directory-sync/sources/graph/index.js';
import { ACTIVITIES, AVAILABILITIES, type Activity, type Availability, type PresenceInputs } from '../presence/index.js';
import type { Mailbox } from './graph-mailboxes.js';

interface GraphPresence {
  id: string;
  availability?: string;
  activity?: string;
}

const ACTIVITY_ALIASES: Record<string, Activity> = {
  InAConferenceCall: 'InACall',
  UrgentInterruptionsOnly: 'DoNotDisturb',
  Inactive: 'Inactive',
};

/** Teams presence → one external endpoint of the person; Offline/unknown removes the endpoint. */
export function teamsState(p: GraphPresence): { availability: Availability; activity: Activity } | null {
  const availability = AVAILABILITIES.find((a) => a === p.availability);
  if (!availability || availability === 'Offline' || availability === 'PresenceUnknown') return null;
  const activity =
    ACTIVITY_ALIASES[p.activity ?? ''] ??
    ACTIVITIES.find((a) => a === p.activity) ??
    (ACTIVITIES.find((a) => a === availability) as Activity | undefined) ??
    'Available';
  return { availability, activity };
}

/**
 * Teams presence for the watched people: `getPresencesByUserId`, at most 650 ids per request; the
 * client's presence budget keeps the tenant within 1,500 requests per 30 s.
 *
 * Each state is written with a time to live (`ttlMs`, three refresh intervals): if Graph cannot be
 * read, or a person is no longer refreshed, their Teams state expires like a pane that went silent
 * instead of showing its last value for ever. An unchanged state is written again once half its time
 * to live has passed (that renewal changes no one's presence, so nothing is pushed).
 */
export class TeamsPresenceRefresher {
  readonly #last = new Map<string, { key: string; writtenAt: number }>();
  constructor(
    private readonly api: GraphApi,
    private readonly presence: PresenceInputs,
    /** Undefined: states never expire (nothing refreshes them periodically). */
    private readonly ttlMs: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async refresh(people: readonly Mailbox[], signal?: AbortSignal): Promise<number> {
    const byUser = new Map(people.map((p) => [p.userId, p]));
    const ids = [...byUser.keys()];
    let changed = 0;
    for (let i = 0; i < ids.length; i += 650) {
      const res = await this.api.post<{ value: GraphPresence[] }>(
        '/communications/getPresencesByUserId',
        { ids: ids.slice(i, i + 650) },
        { idempotent: true, signal },
      );
      for (const p of res.value ?? []) {
        const who = byUser.get(p.id);
        if (!who) continue;
        const state = teamsState(p);
        const key = JSON.stringify(state);
        const last = this.#last.get(who.personId);
        const now = this.now();
        const same = last?.key === key;
        // Offline is a deletion: nothing to renew.
        if (same && (state === null || this.ttlMs === undefined || now - last.writtenAt < this.ttlMs / 2)) continue;
        await this.presence.setExternalEndpoint(who.personId, 'teams', state, this.ttlMs);
        this.#last.set(who.personId, { key, writtenAt: now });
        if (!same) changed++;
      }
    }
    return changed;
  }
}
