import { Button, MessageBar, MessageBarActions, MessageBarBody } from '@fluentui/react-components';
import { useCallback, useMemo, useState, useSyncExternalStore } from 'react';
import { useApi, useRealtime } from '../services/index.js';

/**
 * After the user cancelled a sign-in popup, nothing in the background opens another one (see
 * naaTokenProvider): this banner is where the user asks for it. Live updates resume right after.
 */
export function SignInBanner() {
  const tokens = useApi().tokens;
  const realtime = useRealtime();
  const subscribe = useMemo(() => (cb: () => void) => tokens.onSignInNeeded?.(cb) ?? (() => {}), [tokens]);
  const needed = useSyncExternalStore(subscribe, () => tokens.signInNeeded ?? false);
  const [busy, setBusy] = useState(false);
  const signIn = useCallback(() => {
    setBusy(true);
    void tokens
      .signIn?.()
      .then(() => {
        if (realtime.status !== 'open') realtime.reconnect();
      })
      .catch(() => {})
      .finally(() => setBusy(false));
  }, [tokens, realtime]);
  if (!needed) return null;
  return (
    <MessageBar intent="warning" data-testid="sign-in-banner">
      <MessageBarBody>Sign in to see live presence and messages.</MessageBarBody>
      <MessageBarActions>
        <Button size="small" onClick={signIn} disabled={busy} data-testid="sign-in">
          Sign in
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}
