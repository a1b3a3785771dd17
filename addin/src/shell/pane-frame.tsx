import { makeStyles, tokens } from '@fluentui/react-components';
import { useMemo, useState, type ReactNode } from 'react';
import { ChatProvider } from '../chat/index.js';
import { ContactCardProvider } from '../people/index.js';
import { useActivityReporter } from '../presence/index.js';
import { PaneNavigationProvider, type PaneView } from '../services/index.js';
import { ConnectionBanner } from './connection-banner.js';
import { ErrorBoundary } from './error-boundary.js';
import { PaneHeader } from './pane-header.js';
import { PaneNav } from './pane-nav.js';
import { SignInBanner } from './sign-in-banner.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', height: '100vh', minWidth: 0, backgroundColor: tokens.colorNeutralBackground1 },
  main: { flex: '1 1 auto', overflowY: 'auto', overflowX: 'hidden', minHeight: 0 },
});

const VIEW_LABELS: Record<PaneView, string> = { people: 'People on this message', chat: 'Chat', document: 'This document' };

export interface PaneFrameProps {
  readonly views: readonly PaneView[];
  /** What each view shows. */
  readonly render: (view: PaneView) => ReactNode;
}

/** The app frame shared by both panes: header, navigation, banner, the current view; providers for chat and cards. */
export function PaneFrame({ views, render }: PaneFrameProps) {
  const s = useStyles();
  const [view, setView] = useState<PaneView>(views[0]);
  const nav = useMemo(() => ({ view, show: (v: PaneView) => setView(v) }), [view]);
  useActivityReporter();
  return (
    <PaneNavigationProvider value={nav}>
      <ChatProvider>
        <ContactCardProvider>
          <div className={s.root}>
            <PaneHeader />
            <PaneNav views={views} />
            <SignInBanner />
            <ConnectionBanner />
            <main className={s.main} aria-label={VIEW_LABELS[view]} id="pane-main">
              {views.map((v) => (
                // Views stay mounted (hidden) so a chat or session keeps its state while the user looks elsewhere.
                <div key={v} hidden={v !== view} data-view={v}>
                  <ErrorBoundary label={v}>{render(v)}</ErrorBoundary>
                </div>
              ))}
            </main>
          </div>
        </ContactCardProvider>
      </ChatProvider>
    </PaneNavigationProvider>
  );
}
