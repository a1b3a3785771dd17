import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import type { DemoHostState, DemoSnapshot } from './demo-state.js';

/** Where the demo shows what Office would show as an item notification. */
export function Notifications({ state, snap }: { state: DemoHostState; snap: DemoSnapshot }) {
  if (snap.notifications.length === 0) return null;
  return (
    <div
      style={{ position: 'fixed', insetInlineStart: 16, bottom: 16, display: 'flex', flexDirection: 'column', gap: 8, zIndex: 10, maxWidth: 420 }}
      aria-live="polite"
      data-testid="host-notifications"
    >
      {snap.notifications.map((n) => (
        <MessageBar key={n.id} intent="info" onClick={() => state.dismissNotification(n.id)}>
          <MessageBarBody>{n.text}</MessageBarBody>
        </MessageBar>
      ))}
    </div>
  );
}
