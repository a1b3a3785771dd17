import { describe, expect, it } from '@jest/globals';
import type { EndpointActivity } from './presence-types.js';
import { ACTIVE_REPEAT_MS, ActivityReporter, activityFor, AWAY_MS, IDLE_MS } from './activity-reporter.js';

const MIN = 60_000;

/** A reporter on a hand-moved clock, recording what it sent. */
function reporter(options: { up?: () => boolean } = {}) {
  let now = Date.UTC(2026, 11, 4, 9, 0, 0);
  let visible = true;
  const sent: EndpointActivity[] = [];
  const r = new ActivityReporter(
    (state) => {
      if (options.up && !options.up()) return false;
      sent.push(state);
      return true;
    },
    () => visible,
    () => now,
  );
  return {
    r,
    sent,
    advance: (ms: number) => (now += ms),
    setVisible: (v: boolean) => (visible = v),
  };
}

describe('activityFor', () => {
  it('is active, then inactive after 5 minutes without input, then away 5 minutes later', () => {
    expect(IDLE_MS).toBe(5 * MIN);
    expect(AWAY_MS).toBe(5 * MIN);
    expect(activityFor(0, true)).toBe('active');
    expect(activityFor(5 * MIN - 1, true)).toBe('active');
    expect(activityFor(5 * MIN, true)).toBe('inactive');
    expect(activityFor(10 * MIN - 1, true)).toBe('inactive');
    expect(activityFor(10 * MIN, true)).toBe('away');
  });

  it('is inactive at once while the pane is hidden, and away after 10 minutes all the same', () => {
    expect(activityFor(0, false)).toBe('inactive');
    expect(activityFor(10 * MIN, false)).toBe('away');
  });
});

describe('ActivityReporter', () => {
  it('sends active on input, repeats it at most once a minute while input goes on', () => {
    const t = reporter();
    t.r.input();
    t.advance(20_000);
    t.r.input();
    t.advance(20_000);
    t.r.input();
    expect(t.sent).toEqual(['active']);
    t.advance(ACTIVE_REPEAT_MS - 40_000);
    t.r.input();
    expect(t.sent).toEqual(['active', 'active']);
  });

  it('goes inactive after 5 idle minutes and away 5 minutes later, each sent once, then active on input', () => {
    const t = reporter();
    t.r.input();
    for (let i = 0; i < 44; i++) {
      t.advance(15_000);
      t.r.report();
    }
    // 11 minutes of checks every 15 s after one input: active (repeated each minute while it
    // lasts), then inactive once at 5 minutes and away once at 10.
    expect(t.sent.filter((s) => s !== 'active')).toEqual(['inactive', 'away']);
    expect(t.sent.indexOf('inactive')).toBeLessThan(t.sent.indexOf('away'));
    t.r.input();
    expect(t.sent.at(-1)).toBe('active');
  });

  it('reports inactive as soon as the pane is hidden, and active when it is shown again', () => {
    const t = reporter();
    t.r.input();
    t.setVisible(false);
    t.r.visibilityChanged();
    expect(t.sent).toEqual(['active', 'inactive']);
    // Input events in a hidden pane (none should come, but focus can) do not make it active.
    t.r.input();
    expect(t.sent).toEqual(['active', 'inactive']);
    t.advance(MIN);
    t.setVisible(true);
    t.r.visibilityChanged();
    expect(t.sent).toEqual(['active', 'inactive', 'active']);
  });

  it('tells a new socket the current state even when it was sent before', () => {
    const t = reporter();
    t.r.input();
    t.advance(6 * MIN);
    t.r.report();
    expect(t.sent).toEqual(['active', 'inactive']);
    t.r.reconnected();
    expect(t.sent).toEqual(['active', 'inactive', 'inactive']);
  });

  it('sends again at the next check what it could not send while the socket was down', () => {
    let up = false;
    const t = reporter({ up: () => up });
    t.r.input();
    expect(t.sent).toEqual([]);
    up = true;
    t.advance(15_000);
    t.r.report();
    expect(t.sent).toEqual(['active']);
  });
});
