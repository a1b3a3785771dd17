import type { EndpointActivity, ManualAvailability } from '../contract/presence.js';
import type { Activity, Availability, CalendarEvent, OutOfOffice, PresenceView } from './presence-api.js';

/**
 * Presence aggregation as a pure function of the inputs and a clock (Lync's aggregation script,
 * shaped like Graph): no live endpoint → Offline; else the manual state wins; else the calendar
 * combined with the most active endpoint, merged with external endpoints (Teams).
 */

/** One open pane. Times are server times (epoch ms): clients' clocks are never trusted. */
export interface EndpointInput {
  readonly id: string;
  readonly state: EndpointActivity;
  /** When the current state was reported. */
  readonly stateAt: number;
  /** When the endpoint last reported `active`. */
  readonly lastActiveAt: number;
}

export interface ManualInput {
  readonly availability: ManualAvailability;
  readonly note: string | null;
  readonly expiresAt: number;
  readonly setAt: number;
}

export interface OofInput {
  readonly source: string;
  readonly active: boolean;
  readonly message: string | null;
  readonly updatedAt: number;
}

export interface ExternalInput {
  readonly source: string;
  readonly availability: Availability;
  readonly activity: Activity;
  /** When it stops counting unless its source renews it; null: never. */
  readonly expiresAt: number | null;
}

/** An external endpoint that counts at `now`: not expired, and saying something (Offline says nothing). */
export const liveExternal = (x: ExternalInput, now: number) =>
  (x.expiresAt === null || x.expiresAt > now) && x.availability !== 'Offline' && x.availability !== 'PresenceUnknown';

export interface AggregateInputs {
  readonly endpoints: readonly EndpointInput[];
  readonly manual: ManualInput | null;
  readonly oof: readonly OofInput[];
  readonly calendar: readonly CalendarEvent[];
  readonly external: readonly ExternalInput[];
  /** The last activity time already published, so Offline people keep their "last seen". */
  readonly lastActive: number | null;
}

export interface IdleTimers {
  /** Active → Inactive after this long without input (Lync default 5 min). */
  readonly idleMs: number;
  /** Inactive → Away after this much more (Lync default 5 min). */
  readonly awayMs: number;
}

export const DEFAULT_TIMERS: IdleTimers = Object.freeze({ idleMs: 5 * 60_000, awayMs: 5 * 60_000 });

export type Aggregated = Omit<PresenceView, 'version'>;

export interface AggregateResult {
  readonly presence: Aggregated;
  /** The earliest time the result may change with no new input (timers, expiry, calendar); null if never. */
  readonly nextChangeAt: number | null;
}

const MACHINE_RANK: Record<EndpointActivity, number> = { active: 0, inactive: 1, away: 2 };

/** An endpoint's machine state now: the reported state, aged by the idle timers. */
export function machineState(ep: EndpointInput, now: number, timers: IdleTimers): { state: EndpointActivity; changesAt: number | null } {
  if (ep.state === 'away') return { state: 'away', changesAt: null };
  if (ep.state === 'inactive') {
    const awayAt = ep.stateAt + timers.awayMs;
    return now >= awayAt ? { state: 'away', changesAt: null } : { state: 'inactive', changesAt: awayAt };
  }
  const inactiveAt = ep.lastActiveAt + timers.idleMs;
  const awayAt = inactiveAt + timers.awayMs;
  if (now >= awayAt) return { state: 'away', changesAt: null };
  if (now >= inactiveAt) return { state: 'inactive', changesAt: awayAt };
  return { state: 'active', changesAt: inactiveAt };
}

const MANUAL: Record<ManualAvailability, { availability: Availability; activity: Activity }> = {
  Available: { availability: 'Available', activity: 'Available' },
  Busy: { availability: 'Busy', activity: 'Busy' },
  DoNotDisturb: { availability: 'DoNotDisturb', activity: 'DoNotDisturb' },
  BeRightBack: { availability: 'BeRightBack', activity: 'BeRightBack' },
  Away: { availability: 'Away', activity: 'Away' },
  // Appear offline: Teams shows offline / OffWork.
  Offline: { availability: 'Offline', activity: 'OffWork' },
};

/** Which of several concurrent sessions speaks for the person (Graph: DND > Busy > Available > Away). */
const SESSION_RANK: Record<Availability, number> = {
  DoNotDisturb: 0,
  Busy: 1,
  BusyIdle: 2,
  Available: 3,
  AvailableIdle: 4,
  BeRightBack: 5,
  Away: 6,
  Offline: 7,
  PresenceUnknown: 8,
};

const activeEvent = (e: CalendarEvent, now: number) => e.start <= now && now < e.end;
const isBusyEvent = (e: CalendarEvent) => e.showAs === 'busy' || e.showAs === 'oof';

/** Aggregates one person's inputs at `now`. Pure: same inputs and clock, same answer. */
export function aggregate(inputs: AggregateInputs, now: number, timers: IdleTimers = DEFAULT_TIMERS): AggregateResult {
  let nextChangeAt: number | null = null;
  const changeAt = (t: number | null) => {
    if (t !== null && t > now && (nextChangeAt === null || t < nextChangeAt)) nextChangeAt = t;
  };

  // Out of office: any active source, or a calendar event shown as out of office.
  const oofSources = inputs.oof.filter((o) => o.active).sort((a, b) => b.updatedAt - a.updatedAt);
  const oofEvent = inputs.calendar.some((e) => e.showAs === 'oof' && activeEvent(e, now));
  const outOfOffice: OutOfOffice = {
    active: oofSources.length > 0 || oofEvent,
    message: oofSources.find((o) => o.message)?.message ?? null,
  };
  for (const e of inputs.calendar) {
    changeAt(e.start);
    changeAt(e.end);
  }

  const manual = inputs.manual && inputs.manual.expiresAt > now ? inputs.manual : null;
  if (manual) changeAt(manual.expiresAt);
  const note = manual?.note ?? null;

  let machine: EndpointActivity | null = null;
  let lastActive = inputs.lastActive;
  for (const ep of inputs.endpoints) {
    const m = machineState(ep, now, timers);
    changeAt(m.changesAt);
    if (machine === null || MACHINE_RANK[m.state] < MACHINE_RANK[machine]) machine = m.state;
    if (lastActive === null || ep.lastActiveAt > lastActive) lastActive = ep.lastActiveAt;
  }
  const external = inputs.external.filter((x) => liveExternal(x, now));
  for (const x of external) changeAt(x.expiresAt);
  const live = inputs.endpoints.length > 0 || external.length > 0;

  const result = (availability: Availability, activity: Activity): AggregateResult => ({
    presence: { availability, activity, note, outOfOffice, lastActive },
    nextChangeAt,
  });

  if (!live) return result('Offline', 'Offline');
  if (manual) return result(MANUAL[manual.availability].availability, MANUAL[manual.availability].activity);

  const candidates: { availability: Availability; activity: Activity }[] = [];
  if (machine !== null) {
    const event = inputs.calendar.find((e) => isBusyEvent(e) && activeEvent(e, now));
    const busyActivity: Activity | null = event ? (event.showAs === 'oof' ? 'OutOfOffice' : event.isMeeting ? 'InAMeeting' : 'Busy') : null;
    if (machine === 'away') candidates.push({ availability: 'Away', activity: 'Away' });
    else if (machine === 'inactive')
      candidates.push(busyActivity ? { availability: 'BusyIdle', activity: busyActivity } : { availability: 'AvailableIdle', activity: 'Inactive' });
    else candidates.push(busyActivity ? { availability: 'Busy', activity: busyActivity } : { availability: 'Available', activity: 'Available' });
  }
  for (const x of external) candidates.push({ availability: x.availability, activity: x.activity });
  let best = candidates[0];
  for (const c of candidates) if (SESSION_RANK[c.availability] < SESSION_RANK[best.availability]) best = c;
  return result(best.availability, best.activity);
}

/** How a viewer relates to the person whose presence they see. */
export type ViewerRelation = 'self' | 'colleague' | 'external' | 'blocked';

const COARSE_ACTIVITY: Record<Availability, Activity> = {
  Available: 'Available',
  AvailableIdle: 'Inactive',
  Busy: 'Busy',
  BusyIdle: 'Busy',
  DoNotDisturb: 'DoNotDisturb',
  BeRightBack: 'BeRightBack',
  Away: 'Away',
  Offline: 'Offline',
  PresenceUnknown: 'PresenceUnknown',
};

/** Unknown addresses and blocked viewers see this (with version 0 for unknown people). */
export const unknownPresence = (version = 0): PresenceView => ({
  availability: 'PresenceUnknown',
  activity: 'PresenceUnknown',
  note: null,
  outOfOffice: { active: false, message: null },
  lastActive: null,
  version,
});

/** Filters a presence for one viewer: blocked see nothing, externals see availability only. */
export function viewFor(view: PresenceView, relation: ViewerRelation): PresenceView {
  switch (relation) {
    case 'self':
    case 'colleague':
      return view;
    case 'blocked':
      return unknownPresence(view.version);
    case 'external':
      return {
        availability: view.availability,
        activity: COARSE_ACTIVITY[view.availability],
        note: null,
        outOfOffice: { active: false, message: null },
        lastActive: null,
        version: view.version,
      };
  }
}

/** Default expiry of a manual state: Busy and Do not disturb 1 day, the others 7 days (Graph). */
export function defaultManualExpiry(availability: ManualAvailability, now: number): number {
  const day = 24 * 3600_000;
  return now + (availability === 'Busy' || availability === 'DoNotDisturb' ? day : 7 * day);
}

/** The next version of a person's presence: clock-based so it never goes backwards across restarts. */
export const nextVersion = (last: number, now: number): number => Math.max(now * 1000, last + 1);

/**
 * True when two presences differ in nothing a viewer acts on. `lastActive` alone does not count:
 * every input of an active user moves it, and republishing that would push a change to every
 * subscriber each minute; it rides along with the next real change (such as going idle).
 */
export function samePresence(a: Aggregated, b: Aggregated): boolean {
  return (
    a.availability === b.availability &&
    a.activity === b.activity &&
    a.note === b.note &&
    a.outOfOffice.active === b.outOfOffice.active &&
    a.outOfOffice.message === b.outOfOffice.message
  );
}

const jsonCache = new WeakMap<PresenceView, string>();

/** JSON of a view, serialised once per published view (queries and fan-out send the same one often). */
export function presenceJson(view: PresenceView): string {
  let json = jsonCache.get(view);
  if (json === undefined) jsonCache.set(view, (json = JSON.stringify(view)));
  return json;
}

const PLAIN = /^[\w.@+'-]*$/;

/** JSON string literal, skipping JSON.stringify for the plain addresses and ids that make up most frames. */
export const jsonString = (s: string): string => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));
