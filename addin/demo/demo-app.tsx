import { FluentProvider, makeStyles, tokens, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import { useState } from 'react';
import { ComposeForm } from './compose-form.js';
import { DemoHostState } from './demo-state.js';
import { DevAuthNotice } from './dev-auth-notice.js';
import { MessageList } from './message-list.js';
import { Notifications } from './notifications.js';
import { PaneIframe } from './pane-iframe.js';
import { ReadingPane } from './reading-pane.js';
import { TopBar } from './top-bar.js';
import { useDemoSnapshot } from './use-demo-state.js';
import { useServerConfig } from './use-server-config.js';
import { WordDocument } from './word-document.js';

/** One state per page; the pane iframes find its bridge on window.__demoHost (same origin). */
export const demoState = new DemoHostState();
(window as unknown as { __demoHost: unknown }).__demoHost = demoState.bridge;

const useStyles = makeStyles({
  root: { height: '100vh', display: 'flex', flexDirection: 'column', backgroundColor: tokens.colorNeutralBackground2 },
  body: { flex: '1 1 auto', display: 'flex', minHeight: 0, backgroundColor: tokens.colorNeutralBackground1 },
});

/** The demo host: a fake Outlook and Word around the real task panes. */
export function DemoApp() {
  const s = useStyles();
  const snap = useDemoSnapshot(demoState);
  const server = useServerConfig();
  const [paneWidth, setPaneWidth] = useState(() => Number(new URLSearchParams(window.location.search).get('paneWidth')) || 360);
  return (
    <FluentProvider theme={snap.dark ? webDarkTheme : webLightTheme}>
      <div className={s.root}>
        <TopBar state={demoState} snap={snap} paneWidth={paneWidth} onPaneWidth={setPaneWidth} simulator={server?.demoSimulator ?? false} />
        <DevAuthNotice mode={server?.authMode ?? null} />
        <div className={s.body}>
          {snap.app === 'outlook' ? (
            <>
              <MessageList state={demoState} snap={snap} />
              {snap.compose ? <ComposeForm key="compose" state={demoState} snap={snap} /> : <ReadingPane snap={snap} />}
            </>
          ) : (
            <WordDocument state={demoState} snap={snap} />
          )}
          <PaneIframe app={snap.app} identity={snap.identity.email} width={paneWidth} />
        </div>
        <Notifications state={demoState} snap={snap} />
      </div>
    </FluentProvider>
  );
}
