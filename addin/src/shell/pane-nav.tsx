import { CounterBadge, Tab, TabList } from '@fluentui/react-components';
import { useChat } from '../chat/index.js';
import { usePaneNavigation, type PaneView } from '../services/index.js';

const LABELS: Record<PaneView, string> = { people: 'People', chat: 'Chat', document: 'Document' };

/** Tabs between the pane's views; Chat shows the unread count. */
export function PaneNav({ views }: { views: readonly PaneView[] }) {
  const nav = usePaneNavigation();
  const { unreadTotal } = useChat();
  return (
    <TabList selectedValue={nav.view} onTabSelect={(_, d) => nav.show(d.value as PaneView)} size="small" aria-label="Pane views" style={{ padding: '0 4px' }}>
      {views.map((v) => (
        <Tab key={v} value={v} aria-label={v === 'chat' && unreadTotal > 0 ? `Chat, ${unreadTotal} unread` : undefined}>
          {LABELS[v]}
          {v === 'chat' && unreadTotal > 0 && <CounterBadge count={unreadTotal} size="small" color="danger" style={{ marginInlineStart: 6 }} />}
        </Tab>
      ))}
    </TabList>
  );
}
