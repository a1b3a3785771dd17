import { describe, expect, it } from '@jest/globals';
import { aggregate, defaultManualExpiry, machineState, nextVersion, samePresence, viewFor, type AggregateInputs, type EndpointInput } from './aggregate.js';

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const MIN = 60_000;
const timers = { idleMs: 5 * MIN, awayMs: 5 * MIN };

const ep = (id: string, state: EndpointInput['state'], at = T0, lastActiveAt = at): EndpointInput => ({ id, state, stateAt: at, lastActiveAt });
const inputs = (over: Partial<AggregateInputs> = {}): AggregateInputs => ({
  endpoints: [],
  manual: null,
  oof: [],
  calendar: [],
  external: [],
  lastActive: null,
  ...over,
});
const at = (i: AggregateInputs, now: number) => aggregate(i, now, timers).presence;

describe('endpoints', () => {
  it('is Offline with no live endpoint, whatever the manual state', () => {
    expect(at(inputs(), T0)).toMatchObject({ availability: 'Offline', activity: 'Offline' });
    const manual = { availability: 'Busy' as const, note: 'deep work', expiresAt: T0 + MIN, setAt: T0 };
    expect(at(inputs({ manual }), T0)).toMatchObject({ availability: 'Offline', activity: 'Offline', note: 'deep work' });
  });

  it('ages an active endpoint: Inactive after 5 min, Away 5 min later (fake clock)', () => {
    const i = inputs({ endpoints: [ep('a', 'active')] });
    expect(at(i, T0 + 4 * MIN)).toMatchObject({ availability: 'Available', activity: 'Available' });
    expect(at(i, T0 + 5 * MIN)).toMatchObject({ availability: 'AvailableIdle', activity: 'Inactive' });
    expect(at(i, T0 + 9 * MIN)).toMatchObject({ availability: 'AvailableIdle' });
    expect(at(i, T0 + 10 * MIN)).toMatchObject({ availability: 'Away', activity: 'Away' });
    expect(aggregate(i, T0, timers).nextChangeAt).toBe(T0 + 5 * MIN);
    expect(aggregate(i, T0 + 6 * MIN, timers).nextChangeAt).toBe(T0 + 10 * MIN);
    expect(aggregate(i, T0 + 11 * MIN, timers).nextChangeAt).toBeNull();
  });

  it('moves a reported inactive endpoint to Away 5 min after the report', () => {
    const e = ep('a', 'inactive', T0, T0 - 5 * MIN);
    expect(machineState(e, T0 + 4 * MIN, timers)).toEqual({ state: 'inactive', changesAt: T0 + 5 * MIN });
    expect(machineState(e, T0 + 5 * MIN, timers).state).toBe('away');
  });

  it('lets the most active endpoint win', () => {
    const mixed = inputs({ endpoints: [ep('a', 'away'), ep('b', 'inactive'), ep('c', 'active')] });
    expect(at(mixed, T0)).toMatchObject({ availability: 'Available' });
    expect(at(inputs({ endpoints: [ep('a', 'away'), ep('b', 'inactive')] }), T0)).toMatchObject({ availability: 'AvailableIdle' });
    expect(at(inputs({ endpoints: [ep('a', 'away'), ep('b', 'away')] }), T0)).toMatchObject({ availability: 'Away' });
  });

  it('reports the latest activity time of any endpoint, and keeps the last known one when offline', () => {
    const r = at(inputs({ endpoints: [ep('a', 'active', T0, T0 - MIN), ep('b', 'away', T0, T0 - 3 * MIN)] }), T0);
    expect(r.lastActive).toBe(T0 - MIN);
    expect(at(inputs({ lastActive: T0 - 9 * MIN }), T0).lastActive).toBe(T0 - 9 * MIN);
  });
});

describe('manual state', () => {
  it('wins over endpoints and calendar while unexpired, then expires', () => {
    const manual = { availability: 'DoNotDisturb' as const, note: 'Focus', expiresAt: T0 + 30 * MIN, setAt: T0 };
    const calendar = [{ start: T0, end: T0 + 60 * MIN, showAs: 'busy' as const, isMeeting: true }];
    const i = inputs({ endpoints: [ep('a', 'active', T0, T0)], manual, calendar });
    expect(at(i, T0 + MIN)).toMatchObject({ availability: 'DoNotDisturb', activity: 'DoNotDisturb', note: 'Focus' });
    expect(aggregate(i, T0 + MIN, timers).nextChangeAt).toBe(T0 + 5 * MIN);
    const later = inputs({ endpoints: [ep('a', 'active', T0 + 29 * MIN)], manual, calendar });
    expect(aggregate(later, T0 + 29 * MIN, timers).nextChangeAt).toBe(T0 + 30 * MIN);
    expect(at(later, T0 + 30 * MIN)).toMatchObject({ availability: 'Busy', activity: 'InAMeeting', note: null });
  });

  it('maps appear offline to Offline / OffWork while an endpoint is live', () => {
    const manual = { availability: 'Offline' as const, note: null, expiresAt: T0 + MIN, setAt: T0 };
    expect(at(inputs({ endpoints: [ep('a', 'active')], manual }), T0)).toMatchObject({ availability: 'Offline', activity: 'OffWork' });
  });

  it('defaults expiry: Busy and DND one day, others seven days', () => {
    expect(defaultManualExpiry('Busy', T0)).toBe(T0 + 24 * 60 * MIN);
    expect(defaultManualExpiry('DoNotDisturb', T0)).toBe(T0 + 24 * 60 * MIN);
    expect(defaultManualExpiry('BeRightBack', T0)).toBe(T0 + 7 * 24 * 60 * MIN);
    expect(defaultManualExpiry('Offline', T0)).toBe(T0 + 7 * 24 * 60 * MIN);
  });
});

describe('calendar and out of office', () => {
  const meeting = { start: T0 + 10 * MIN, end: T0 + 40 * MIN, showAs: 'busy' as const, isMeeting: true };
  const block = { start: T0 + 10 * MIN, end: T0 + 40 * MIN, showAs: 'busy' as const, isMeeting: false };

  it('is Busy / InAMeeting during a meeting and Available around it', () => {
    const e = (now: number) => inputs({ endpoints: [ep('a', 'active', now)], calendar: [meeting] });
    expect(at(e(T0), T0)).toMatchObject({ availability: 'Available' });
    expect(aggregate(e(T0), T0, timers).nextChangeAt).toBe(T0 + 5 * MIN);
    expect(at(e(T0 + 10 * MIN), T0 + 10 * MIN)).toMatchObject({ availability: 'Busy', activity: 'InAMeeting' });
    expect(at(e(T0 + 40 * MIN), T0 + 40 * MIN)).toMatchObject({ availability: 'Available' });
  });

  it('shows a plain busy block as Busy, idle as BusyIdle, and ignores free and tentative', () => {
    expect(at(inputs({ endpoints: [ep('a', 'active', T0 + 10 * MIN)], calendar: [block] }), T0 + 10 * MIN)).toMatchObject({
      availability: 'Busy',
      activity: 'Busy',
    });
    expect(at(inputs({ endpoints: [ep('a', 'inactive', T0 + 10 * MIN)], calendar: [meeting] }), T0 + 11 * MIN)).toMatchObject({
      availability: 'BusyIdle',
      activity: 'InAMeeting',
    });
    const soft = [
      { ...block, showAs: 'free' as const },
      { ...block, showAs: 'tentative' as const },
    ];
    expect(at(inputs({ endpoints: [ep('a', 'active', T0 + 10 * MIN)], calendar: soft }), T0 + 10 * MIN)).toMatchObject({ availability: 'Available' });
  });

  it('an away endpoint beats the calendar', () => {
    expect(at(inputs({ endpoints: [ep('a', 'away', T0 + 10 * MIN)], calendar: [meeting] }), T0 + 11 * MIN)).toMatchObject({ availability: 'Away' });
  });

  it('turns on the OOF flag for an out-of-office calendar event and for any active OOF source', () => {
    const oofEvent = { start: T0, end: T0 + 60 * MIN, showAs: 'oof' as const, isMeeting: false };
    expect(at(inputs({ endpoints: [ep('a', 'active')], calendar: [oofEvent] }), T0)).toMatchObject({
      availability: 'Busy',
      activity: 'OutOfOffice',
      outOfOffice: { active: true, message: null },
    });
    const oof = [
      { source: 'user', active: true, message: 'On leave', updatedAt: T0 - 2 * MIN },
      { source: 'exchange', active: true, message: 'Away until Monday', updatedAt: T0 - MIN },
      { source: 'old', active: false, message: 'ignored', updatedAt: T0 },
    ];
    // OOF is an overlay: availability still follows the endpoints, and shows even when Offline.
    expect(at(inputs({ endpoints: [ep('a', 'active')], oof }), T0)).toMatchObject({
      availability: 'Available',
      outOfOffice: { active: true, message: 'Away until Monday' },
    });
    expect(at(inputs({ oof }), T0)).toMatchObject({ availability: 'Offline', outOfOffice: { active: true } });
    expect(at(inputs({ oof: [oof[2]] }), T0).outOfOffice).toEqual({ active: false, message: null });
  });
});

describe('external endpoints (Teams)', () => {
  it('counts as a live endpoint and merges by DND > Busy > Available > Away', () => {
    expect(at(inputs({ external: [{ source: 'teams', availability: 'Busy', activity: 'InACall', expiresAt: null }] }), T0)).toMatchObject({
      availability: 'Busy',
      activity: 'InACall',
    });
    expect(
      at(inputs({ endpoints: [ep('a', 'active')], external: [{ source: 'teams', availability: 'Away', activity: 'Away', expiresAt: null }] }), T0),
    ).toMatchObject({
      availability: 'Available',
    });
    expect(
      at(inputs({ endpoints: [ep('a', 'away')], external: [{ source: 'teams', availability: 'Available', activity: 'Available', expiresAt: null }] }), T0),
    ).toMatchObject({
      availability: 'Available',
    });
    expect(
      at(
        inputs({ endpoints: [ep('a', 'active')], external: [{ source: 'teams', availability: 'DoNotDisturb', activity: 'Presenting', expiresAt: null }] }),
        T0,
      ),
    ).toMatchObject({ availability: 'DoNotDisturb', activity: 'Presenting' });
    expect(at(inputs({ external: [{ source: 'teams', availability: 'Offline', activity: 'Offline', expiresAt: null }] }), T0)).toMatchObject({
      availability: 'Offline',
    });
  });

  it('stops counting when its source does not renew it in time, and says when', () => {
    const teams = { source: 'teams', availability: 'Busy' as const, activity: 'InACall' as const, expiresAt: T0 + 3 * MIN };
    expect(aggregate(inputs({ external: [teams] }), T0)).toMatchObject({ presence: { availability: 'Busy' }, nextChangeAt: T0 + 3 * MIN });
    expect(aggregate(inputs({ external: [teams] }), T0 + 3 * MIN)).toMatchObject({ presence: { availability: 'Offline' }, nextChangeAt: null });
    // With a pane open, the person falls back to the pane's state.
    expect(at(inputs({ endpoints: [ep('a', 'active')], external: [teams] }), T0 + 4 * MIN)).toMatchObject({ availability: 'Available' });
  });
});

describe('views per viewer', () => {
  const view = {
    availability: 'Busy' as const,
    activity: 'InAMeeting' as const,
    note: 'Quarterly review',
    outOfOffice: { active: true, message: 'Back Monday' },
    lastActive: T0,
    version: 42,
  };

  it('shows everything to colleagues and oneself', () => {
    expect(viewFor(view, 'colleague')).toEqual(view);
    expect(viewFor(view, 'self')).toEqual(view);
  });

  it('shows blocked viewers PresenceUnknown with no note', () => {
    expect(viewFor(view, 'blocked')).toEqual({
      availability: 'PresenceUnknown',
      activity: 'PresenceUnknown',
      note: null,
      outOfOffice: { active: false, message: null },
      lastActive: null,
      version: 42,
    });
  });

  it('shows external viewers availability only', () => {
    expect(viewFor(view, 'external')).toEqual({
      availability: 'Busy',
      activity: 'Busy',
      note: null,
      outOfOffice: { active: false, message: null },
      lastActive: null,
      version: 42,
    });
  });
});

describe('versions and change detection', () => {
  it('never goes backwards, even when the clock does', () => {
    const v1 = nextVersion(0, T0);
    expect(v1).toBe(T0 * 1000);
    expect(nextVersion(v1, T0)).toBe(v1 + 1);
    expect(nextVersion(v1 + 1, T0 - 5000)).toBe(v1 + 2);
    expect(Number.isSafeInteger(nextVersion(0, T0 + 100 * 365 * 24 * 3600_000))).toBe(true);
  });

  it('ignores lastActive alone when deciding whether to publish', () => {
    const a = at(inputs({ endpoints: [ep('a', 'active', T0)] }), T0);
    const b = at(inputs({ endpoints: [ep('a', 'active', T0 + MIN)] }), T0 + MIN);
    expect(a.lastActive).not.toBe(b.lastActive);
    expect(samePresence(a, b)).toBe(true);
    expect(samePresence(a, { ...b, note: 'x' })).toBe(false);
  });
});

describe('jsonString', () => {
  it('is JSON.stringify for every string, plain or not', async () => {
    const { jsonString } = await import('./aggregate.js');
    for (const s of ['alice.archer@contoso.test', "o'brien+tag@x.test", 'a"b@x.test', 'back\\slash@x', 'ünï@x.test', 'line\nbreak', '0191b2c3-aaaa-7bbb']) {
      expect(JSON.parse(jsonString(s))).toBe(s);
      expect(jsonString(s)).toBe(JSON.stringify(s));
    }
  });
});
