import type { Logger } from '../../core/log/index.js';
import type { GraphApi } from '../../directory-sync/sources/graph/index.js';
import type { PresenceInputs } from '../presence/index.js';
import type { Mailbox } from './graph-mailboxes.js';
import { graphDateTime, htmlToText } from './graph-values.js';

export interface AutomaticRepliesSetting {
  status?: 'disabled' | 'alwaysEnabled' | 'scheduled';
  internalReplyMessage?: string | null;
  scheduledStartDateTime?: { dateTime?: string; timeZone?: string } | null;
  scheduledEndDateTime?: { dateTime?: string; timeZone?: string } | null;
}

/** Whether automatic replies are on at `now`, and the internal message as plain text. */
export function oofOf(s: AutomaticRepliesSetting, now: number): { active: boolean; message: string | null } {
  let active = s.status === 'alwaysEnabled';
  if (s.status === 'scheduled') {
    const from = graphDateTime(s.scheduledStartDateTime);
    const to = graphDateTime(s.scheduledEndDateTime);
    active = from !== null && to !== null && from <= now && now < to;
  }
  const message = active ? htmlToText(s.internalReplyMessage ?? '').slice(0, 1000) || null : null;
  return { active, message };
}

/**
 * Out of office from Exchange: automatic-replies settings of the watched people, 20 per $batch,
 * pushed into presence only when they change.
 */
export class OofRefresher {
  readonly #last = new Map<string, string>();
  constructor(
    private readonly api: GraphApi,
    private readonly presence: PresenceInputs,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async refresh(people: readonly Mailbox[], signal?: AbortSignal): Promise<number> {
    if (people.length === 0) return 0;
    const byUser = new Map(people.map((p) => [p.userId, p]));
    const res = await this.api.batch(
      people.map((p) => ({ id: p.userId, method: 'GET' as const, url: `/users/${encodeURIComponent(p.userId)}/mailboxSettings/automaticRepliesSetting` })),
      { signal },
    );
    let changed = 0;
    for (const [userId, r] of res) {
      const p = byUser.get(userId);
      if (!p) continue;
      if (r.status !== 200) {
        if (r.status !== 404) this.log.debug({ userId, status: r.status }, 'graph: automatic replies not readable');
        continue;
      }
      const oof = oofOf(r.body as AutomaticRepliesSetting, this.now());
      const key = JSON.stringify(oof);
      if (this.#last.get(p.personId) === key) continue;
      await this.presence.setOutOfOffice(p.personId, { ...oof, source: 'graph' });
      this.#last.set(p.personId, key);
      changed++;
    }
    return changed;
  }
}
