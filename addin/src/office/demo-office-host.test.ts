import { afterEach, describe, expect, it } from '@jest/globals';
import type { DemoBridge } from './demo-bridge.js';
import { demoOfficeHost } from './demo-office-host.js';

afterEach(() => {
  delete (globalThis as { window?: unknown }).window;
});

describe('demoOfficeHost', () => {
  it("takes the frame's listeners off the demo page when the frame goes (pagehide)", () => {
    const onPageHide: (() => void)[] = [];
    (globalThis as { window?: unknown }).window = { addEventListener: (type: string, fn: () => void) => type === 'pagehide' && onPageHide.push(fn) };
    const live = new Set<(what: string) => void>();
    const bridge = {
      theme: () => ({ isDark: false }),
      subscribe: (l: (what: string) => void) => {
        live.add(l);
        return () => live.delete(l);
      },
    } as unknown as DemoBridge;
    const host = demoOfficeHost('outlook', bridge);
    host.mail!.onItemChanged(() => undefined);
    const offTheme = host.onThemeChanged(() => undefined);
    expect(live.size).toBe(2);
    offTheme();
    expect(live.size).toBe(1);
    for (const fn of onPageHide) fn();
    expect(live.size).toBe(0);
  });
});
