import { describe, expect, it } from '@jest/globals';
import { DemoHostState } from './demo-state.js';

describe('DemoHostState bridge', () => {
  it('drops a listener that throws (a pane frame that reloaded) and still tells the others', () => {
    // The state reads its first settings from the page's URL.
    (globalThis as { window?: unknown }).window = { location: { search: '?app=outlook' } };
    const state = new DemoHostState();
    delete (globalThis as { window?: unknown }).window;
    const heard: string[] = [];
    state.bridge.subscribe(() => {
      throw new TypeError("can't access dead object");
    });
    state.bridge.subscribe((what) => heard.push(what));
    state.setDark(true);
    state.setDark(false);
    expect(heard).toEqual(['theme', 'theme']);
  });
});
