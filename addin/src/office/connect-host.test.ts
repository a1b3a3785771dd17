import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { connectHost } from './connect-host.js';
import type { OfficeStatic } from './office-js-types.js';

// The pane's page as the module sees it (no DOM in these tests): Office.js already loaded by the
// page head, and an Office.onReady the test answers when it likes (the external boundary).

let answer: (info: { host: string | null }) => void = () => {};
let ready: Promise<{ host: string | null }>;
const office = {
  context: {
    mailbox: { item: null, userProfile: { emailAddress: 'me@contoso.test', displayName: 'Me' }, addHandlerAsync: () => {} },
  },
  EventType: { ItemChanged: 'olkItemSelectedChanged' },
  CoercionType: {},
  onReady: () => ready,
} as unknown as OfficeStatic;

const page = globalThis as unknown as { window?: unknown };
beforeAll(() => {
  const win = { location: { search: '' }, history: { pushState: () => {}, replaceState: () => {} }, Office: office, __officeJsRequested: true } as Record<
    string,
    unknown
  >;
  win.parent = win;
  page.window = win;
});
afterAll(() => {
  delete page.window;
});
beforeEach(() => {
  jest.useFakeTimers();
  ready = new Promise((r) => (answer = r));
});
afterEach(() => {
  jest.useRealTimers();
});

describe('connectHost', () => {
  it('gives the Office host on the next try when Office.onReady answers after the 8 s wait', async () => {
    const first = connectHost('outlook');
    await jest.advanceTimersByTimeAsync(8000);
    // Office has not answered: the pane starts stand-alone (and fails to sign in; the user tries again).
    expect((await first).environment).toBe('standalone');
    await jest.advanceTimersByTimeAsync(4000);
    answer({ host: 'Outlook' });
    const again = await connectHost('outlook');
    expect(again.environment).toBe('office');
    expect(again.app).toBe('outlook');
    expect(again.user().email).toBe('me@contoso.test');
    // From then on, the one Office host of the page.
    expect(await connectHost('outlook')).toBe(again);
  });

  it('keeps the answer when Office said there is no host (a plain browser)', async () => {
    answer({ host: null });
    const first = await connectHost('word');
    expect(first.environment).toBe('standalone');
    expect(await connectHost('word')).toBe(first);
  });
});
