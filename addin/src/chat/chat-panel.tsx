// SCAFFOLD: chat — says honestly that chat is not there yet.
import { Text } from '@fluentui/react-components';
import { useChatScaffoldState } from './chat-context.js';

export function ChatPanel() {
  const pending = useChatScaffoldState();
  return (
    <div style={{ padding: 12, display: 'flex', flexDirection: 'column', gap: 8 }}>
      <Text weight="semibold">Chat</Text>
      <Text size={200}>Instant messaging is not available yet.</Text>
      {pending && <Text size={200}>Requested: a chat with {pending.emails.join(', ')}</Text>}
    </div>
  );
}
