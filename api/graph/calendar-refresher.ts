import type { Logger } from '../../core/log/index.js';
import type { GraphApi } from '../../directory-sync/sources/graph/index.js';
import type { CalendarEvent, PresenceInputs } from '../presence/index.js';
import { isNoMailbox, type GraphMailboxes, type Mailbox } from './graph-mailboxes.js';
import { graphDateTime } from './graph-values.js';

interface ScheduleItem {
  status?: string;
  start?: { dateTime?: string; timeZone?: string };
  end?: { dateTime?: string; timeZone?: string };
}
interface ScheduleInformation {
  scheduleId: string;
  scheduleItems?: ScheduleItem[];
  error?: { message?: string; responseCode?: string };
}
interface CalendarViewEvent {
  showAs?: string;
  isCancelled?: boolean;
  start?: { dateTime?: string };
  end?: { dateTime?: string };
  attendees?: unknown[];
}

const SHOW_AS: Record<string, CalendarEvent['showAs']> = {
  busy: 'busy',
  tentative: 'tentative',
  oof: 'oof',
  workingElsewhere: 'workingElsewhere',
  free: 'free',
};
const UTC = { Prefer: 'outlook.timezone="UTC"' };

/**
 * Free/busy from Exchange: `getSchedule` for up to 20 people per request (asked through one of
 * their own mailboxes), over a window around now. A busy block happening now is a meeting when the
 * event has attendees: for those people only, the calendar view says so. Changes go to presence.
 */
export class CalendarRefresher {
  readonly #last = new Map<string, string>();
  /** What was last pushed per person: a meeting check that fails keeps their meeting flags. */
  readonly #events = new Map<string, CalendarEvent[]>();
  /** A user through whom getSchedule last worked: asks for a group in which nobody has a mailbox. */
  #asker: string | undefined;
  constructor(
    private readonly api: GraphApi,
    private readonly presence: PresenceInputs,
    private readonly mailboxes: Pick<GraphMailboxes, 'lacksMailbox' | 'learnNoMailbox'>,
    private readonly log: Logger,
    private readonly windowMs = { before: 60 * 60_000, after: 8 * 60 * 60_000 },
    private readonly now: () => number = Date.now,
  ) {}

  async refresh(people: readonly Mailbox[], signal?: AbortSignal): Promise<number> {
    const now = this.now();
    const from = new Date(now - this.windowMs.before).toISOString().replace(/Z$/, '');
    const to = new Date(now + this.windowMs.after).toISOString().replace(/Z$/, '');
    const byEmail = new Map(people.map((p) => [p.email.toLowerCase(), p]));
    const found = new Map<string, CalendarEvent[]>();
    const chunks: Mailbox[][] = [];
    for (let i = 0; i < people.length; i += 20) chunks.push(people.slice(i, i + 20));
    // One failing chunk (say its asking mailbox has no calendar) must not cost the others their update.
    const settled = await Promise.allSettled(
      chunks.map(async (chunk) => {
        const res = await this.#getSchedule(
          chunk,
          {
            schedules: chunk.map((p) => p.email),
            startTime: { dateTime: from, timeZone: 'UTC' },
            endTime: { dateTime: to, timeZone: 'UTC' },
            availabilityViewInterval: 15,
          },
          signal,
        );
        for (const info of res.value ?? []) {
          const p = byEmail.get(String(info.scheduleId).toLowerCase());
          if (!p || info.error) continue;
          const events: CalendarEvent[] = [];
          for (const it of info.scheduleItems ?? []) {
            const start = graphDateTime(it.start);
            const end = graphDateTime(it.end);
            const showAs = SHOW_AS[it.status ?? ''];
            if (start === null || end === null || !showAs || showAs === 'free') continue;
            events.push({ start, end, showAs, isMeeting: false });
          }
          found.set(p.personId, events);
        }
      }),
    );
    for (const r of settled)
      if (r.status === 'rejected') this.log.warn({ err: r.reason }, 'graph: getSchedule failed for a group of people; retrying at the next refresh');
    // Meetings (with attendees) among the blocks happening now.
    const busyNow = people.filter((p) =>
      found.get(p.personId)?.some((e) => e.start <= now && now < e.end && (e.showAs === 'busy' || e.showAs === 'tentative')),
    );
    if (busyNow.length) {
      const nowFrom = new Date(now).toISOString();
      const nowTo = new Date(now + 60_000).toISOString();
      let views = new Map<string, { status: number; body?: unknown }>();
      try {
        views = await this.api.batch(
          busyNow.map((p) => ({
            id: p.personId,
            method: 'GET' as const,
            url: `/users/${encodeURIComponent(p.userId)}/calendarView?startDateTime=${nowFrom}&endDateTime=${nowTo}&$select=showAs,start,end,attendees,isCancelled`,
            headers: UTC,
          })),
          { signal },
        );
      } catch (err) {
        if (signal?.aborted) throw err;
        // The free/busy already read is still right: only whether a block is a meeting is unknown.
        this.log.warn({ err }, 'graph: meeting check failed; meeting flags kept as they were until the next refresh');
      }
      for (const p of busyNow) {
        const events = found.get(p.personId)!;
        const r = views.get(p.personId);
        if (r?.status !== 200) {
          // Unknown this time: a block keeps the flag it had (a meeting does not turn into Busy).
          const before = this.#events.get(p.personId) ?? [];
          const was = (e: CalendarEvent) => before.some((b) => b.isMeeting && b.start === e.start && b.end === e.end);
          found.set(
            p.personId,
            events.map((e) => (was(e) ? { ...e, isMeeting: true } : e)),
          );
          continue;
        }
        const meetings = ((r.body as { value?: CalendarViewEvent[] })?.value ?? []).filter((e) => !e.isCancelled && (e.attendees?.length ?? 0) > 0);
        found.set(
          p.personId,
          events.map((e) => (meetings.some((m) => graphDateTime(m.start) === e.start && graphDateTime(m.end) === e.end) ? { ...e, isMeeting: true } : e)),
        );
      }
    }
    let changed = 0;
    for (const [personId, events] of found) {
      const key = JSON.stringify(events);
      if (this.#last.get(personId) === key) continue;
      await this.presence.setCalendar(personId, 'graph', events);
      this.#last.set(personId, key);
      this.#events.set(personId, events);
      changed++;
    }
    return changed;
  }

  /**
   * getSchedule must be asked through a mailbox, and Graph refuses the whole request (404
   * MailboxNotEnabledForRESTAPI) when the asking user has none: the next member of the group is
   * tried, then whoever worked last, and the refusal is remembered for the next refreshes.
   */
  async #getSchedule(chunk: readonly Mailbox[], body: unknown, signal?: AbortSignal): Promise<{ value: ScheduleInformation[] }> {
    const candidates = [...new Set([...chunk.map((p) => p.userId), ...(this.#asker ? [this.#asker] : [])])];
    for (const userId of candidates) {
      if (this.mailboxes.lacksMailbox(userId)) continue;
      try {
        const res = await this.api.post<{ value: ScheduleInformation[] }>(`/users/${encodeURIComponent(userId)}/calendar/getSchedule`, body, {
          idempotent: true,
          headers: UTC,
          signal,
        });
        this.#asker = userId;
        return res;
      } catch (err) {
        if (!isNoMailbox(err)) throw err;
        this.mailboxes.learnNoMailbox(userId);
        if (this.#asker === userId) this.#asker = undefined;
      }
    }
    throw new Error('graph: nobody in this group has a mailbox to ask getSchedule through');
  }
}
