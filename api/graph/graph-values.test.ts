import { describe, expect, it } from '@jest/globals';
import { splitBursts } from './conversation-history.js';
import { graphDateTime, htmlToText } from './graph-values.js';
import { oofOf } from './oof-refresher.js';
import { teamsState } from './teams-presence.js';

describe('graph values', () => {
  it('reads Graph date-times (7 fractional digits, UTC)', () => {
    expect(graphDateTime({ dateTime: '2026-03-01T10:00:00.0000000', timeZone: 'UTC' })).toBe(Date.parse('2026-03-01T10:00:00Z'));
    expect(graphDateTime({ dateTime: '2026-03-01T10:00:00+02:00' })).toBe(Date.parse('2026-03-01T08:00:00Z'));
    expect(graphDateTime(null)).toBeNull();
  });

  it('turns automatic-reply HTML into plain text', () => {
    expect(htmlToText('<html><head><style>p{}</style></head><body><p>Out&nbsp;until <b>Monday</b></p><p>Ask &lt;Bob&gt;</p></body></html>')).toBe(
      'Out until Monday\nAsk <Bob>',
    );
  });

  it('decides out of office from status and schedule', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    const at = (iso: string) => ({ dateTime: iso, timeZone: 'UTC' });
    expect(oofOf({ status: 'alwaysEnabled', internalReplyMessage: '<p>Away</p>' }, now)).toEqual({ active: true, message: 'Away' });
    expect(
      oofOf(
        { status: 'scheduled', scheduledStartDateTime: at('2026-03-01T00:00:00'), scheduledEndDateTime: at('2026-03-02T00:00:00'), internalReplyMessage: 'x' },
        now,
      ).active,
    ).toBe(true);
    expect(
      oofOf(
        { status: 'scheduled', scheduledStartDateTime: at('2026-03-02T00:00:00'), scheduledEndDateTime: at('2026-03-03T00:00:00'), internalReplyMessage: 'x' },
        now,
      ),
    ).toEqual({ active: false, message: null });
    expect(oofOf({ status: 'disabled', internalReplyMessage: 'x' }, now)).toEqual({ active: false, message: null });
  });

  it('maps Teams presence onto the product model; offline removes the endpoint', () => {
    expect(teamsState({ id: 'a', availability: 'Busy', activity: 'InAConferenceCall' })).toEqual({ availability: 'Busy', activity: 'InACall' });
    expect(teamsState({ id: 'a', availability: 'DoNotDisturb', activity: 'UrgentInterruptionsOnly' })).toEqual({
      availability: 'DoNotDisturb',
      activity: 'DoNotDisturb',
    });
    expect(teamsState({ id: 'a', availability: 'Offline', activity: 'OffWork' })).toBeNull();
    expect(teamsState({ id: 'a', availability: 'PresenceUnknown' })).toBeNull();
    expect(teamsState({ id: 'a', availability: 'Nonsense' })).toBeNull();
  });

  it('splits a conversation into bursts at 10 minutes of silence', () => {
    const m = (min: number) => ({ created_at: min * 60_000 });
    expect(splitBursts([m(0), m(5), m(15), m(26), m(30)], 10 * 60_000).map((b) => b.length)).toEqual([2, 1, 2]);
    expect(splitBursts([], 600_000)).toEqual([]);
  });
});
