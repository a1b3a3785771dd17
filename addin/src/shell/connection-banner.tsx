import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useRealtimeStatus } from '../services/index.js';

/** Tells the user when live updates are interrupted (after a short grace period, so reconnects do not flicker). */
export function ConnectionBanner() {
  const status = useRealtimeStatus();
  const [show, setShow] = useState(false);
  useEffect(() => {
    if (status === 'open' || status === 'closed') {
      setShow(false);
      return;
    }
    const t = setTimeout(() => setShow(true), status === 'offline' ? 0 : 4000);
    return () => clearTimeout(t);
  }, [status]);
  if (!show) return null;
  return (
    <MessageBar intent="warning" data-testid="connection-banner">
      <MessageBarBody>
        {status === 'offline' ? 'You are offline. Live updates resume when you reconnect.' : 'Reconnecting… live updates are paused.'}
      </MessageBarBody>
    </MessageBar>
  );
}
