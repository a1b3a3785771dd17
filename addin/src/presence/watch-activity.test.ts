import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Frame } from '../api/index.js';
import type { DocumentHost, MailHost } from '../office/index.js';
import { CHECK_MS, watchActivity, type ActivityPage } from './watch-activity.js';

const MIN = 60_000;

/** A fake host event source: what the mail or Word host hands its listeners. */
function hostEvent() {
  const listeners = new Set<() => void>();
  return {
    on: (l: () => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    fire: () => listeners.forEach((l) => l()),
    count: () => listeners.size,
  };
}

function setup(app: 'outlook' | 'word') {
  const sent: string[] = [];
  const realtime = {
    send: (f: Frame) => (sent.push(String(f.state)), true),
    onOpen: () => () => {},
  };
  const item = hostEvent();
  const selection = hostEvent();
  const mail = app === 'outlook' ? ({ onItemChanged: item.on } as unknown as MailHost) : null;
  const document = app === 'word' ? ({ onSelectionChanged: selection.on } as unknown as DocumentHost) : null;
  const page: ActivityPage = { window: new EventTarget(), document: Object.assign(new EventTarget(), { visibilityState: 'visible' }) };
  const stop = watchActivity(realtime, { mail, document }, page);
  /** Moves the clock, letting the pane's 15 s idle checks run. */
  const idle = (ms: number) => jest.advanceTimersByTime(ms);
  return { sent, item, selection, page, stop, idle };
}

beforeEach(() => {
  jest.useFakeTimers({ now: Date.UTC(2026, 11, 4, 9, 0, 0) });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('watchActivity', () => {
  it('counts a moved Word selection as input: active again after 6 idle minutes', () => {
    const t = setup('word');
    t.idle(6 * MIN);
    expect(t.sent.at(-1)).toBe('inactive');
    t.selection.fire();
    expect(t.sent.at(-1)).toBe('active');
    // Someone who keeps working in the document stays active: no inactive at the 5-minute mark.
    for (let i = 0; i < 8; i++) {
      t.idle(MIN);
      t.selection.fire();
    }
    expect(t.sent.at(-1)).toBe('active');
    expect(t.sent.filter((s) => s !== 'active')).toEqual(['inactive']);
    t.stop();
  });

  it('counts an Outlook item change or recipients change as input', () => {
    const t = setup('outlook');
    t.idle(11 * MIN);
    expect(t.sent.filter((s) => s !== 'active')).toEqual(['inactive', 'away']);
    t.item.fire();
    expect(t.sent.at(-1)).toBe('active');
    t.stop();
  });

  it('still counts input in the pane itself, and takes every listener off when stopped', () => {
    const t = setup('word');
    t.idle(6 * MIN);
    t.page.window.dispatchEvent(new Event('keydown'));
    expect(t.sent.at(-1)).toBe('active');
    expect(t.selection.count()).toBe(1);
    t.stop();
    expect(t.selection.count()).toBe(0);
    const before = t.sent.length;
    t.idle(20 * MIN);
    t.selection.fire();
    expect(t.sent.length).toBe(before);
    expect(CHECK_MS).toBeLessThan(MIN);
  });
});
