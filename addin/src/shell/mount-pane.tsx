import { Button, MessageBar, MessageBarBody, MessageBarTitle, Spinner } from '@fluentui/react-components';
import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError, createApiClient, createRealtimeClient } from '../api/index.js';
import { connectHost, type OfficeHost } from '../office/index.js';
import { PaneServicesProvider, type PaneServices, type PaneView } from '../services/index.js';
import { chooseTokenProvider } from './choose-token-provider.js';
import { HostThemeProvider } from './host-theme-provider.js';
import { PaneFrame } from './pane-frame.js';

type Phase =
  | { readonly phase: 'loading'; readonly host: OfficeHost | null }
  | { readonly phase: 'failed'; readonly host: OfficeHost | null; readonly message: string }
  | { readonly phase: 'ready'; readonly services: PaneServices };

export interface PaneDefinition {
  readonly app: 'outlook' | 'word';
  readonly views: readonly PaneView[];
  readonly render: (view: PaneView) => React.ReactNode;
}

function PaneRoot({ app, views, render }: PaneDefinition) {
  const [phase, setPhase] = useState<Phase>({ phase: 'loading', host: null });
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => setAttempt((a) => a + 1), []);

  useEffect(() => {
    let live = true;
    let services: PaneServices | null = null;
    let host: OfficeHost | null = null;
    (async () => {
      host = await connectHost(app);
      if (!live) return;
      setPhase({ phase: 'loading', host });
      const api = createApiClient(await chooseTokenProvider(host));
      const me = await api.me();
      if (!live) return;
      const realtime = createRealtimeClient(api);
      services = { app, api, realtime, host, me };
      setPhase({ phase: 'ready', services });
    })().catch((err: unknown) => {
      if (!live) return;
      const message =
        err instanceof ApiError && err.status === 404
          ? 'You are not in the directory, so this pane cannot show anything.'
          : err instanceof Error
            ? err.message
            : 'The pane could not start.';
      setPhase({ phase: 'failed', host, message });
    });
    return () => {
      live = false;
      services?.realtime.close();
    };
  }, [app, attempt]);

  const host = phase.phase === 'ready' ? phase.services.host : phase.host;
  return (
    <HostThemeProvider host={host}>
      {phase.phase === 'loading' && <Spinner style={{ marginTop: 48 }} label="Signing in…" labelPosition="below" />}
      {phase.phase === 'failed' && (
        <MessageBar intent="error" layout="multiline" style={{ margin: 8 }} data-testid="pane-error">
          <MessageBarBody>
            <MessageBarTitle>Cannot start</MessageBarTitle>
            {phase.message}
            <div style={{ marginTop: 8 }}>
              <Button size="small" onClick={retry}>
                Try again
              </Button>
            </div>
          </MessageBarBody>
        </MessageBar>
      )}
      {phase.phase === 'ready' && (
        <PaneServicesProvider services={phase.services}>
          <PaneFrame views={views} render={render} />
        </PaneServicesProvider>
      )}
    </HostThemeProvider>
  );
}

/** Mounts a pane into #root. */
export function mountPane(definition: PaneDefinition): void {
  const el = document.getElementById('root');
  if (!el) throw new Error('#root missing');
  createRoot(el).render(
    <StrictMode>
      <PaneRoot {...definition} />
    </StrictMode>,
  );
}
