import { createContext, useContext, type ReactNode } from 'react';

/** The views of a pane: People (Outlook), Chat (both), Document (Word). */
export type PaneView = 'people' | 'chat' | 'document';

export interface PaneNavigation {
  readonly view: PaneView;
  show(view: PaneView): void;
}

const NavigationContext = createContext<PaneNavigation>({ view: 'people', show: () => {} });

export function PaneNavigationProvider({ value, children }: { value: PaneNavigation; children: ReactNode }) {
  return <NavigationContext.Provider value={value}>{children}</NavigationContext.Provider>;
}

/** Lets any feature switch the pane's view (e.g. chat opens its view when a conversation starts). */
export const usePaneNavigation = (): PaneNavigation => useContext(NavigationContext);
