// SCAFFOLD: chat — the button works (opens the Chat view); messaging comes with the chat feature.
import { Button } from '@fluentui/react-components';
import { useChat } from './chat-context.js';

export interface ChatButtonProps {
  readonly emails: string[];
  readonly label?: string;
  readonly topic?: string;
}

export function ChatButton({ emails, label = 'Chat', topic }: ChatButtonProps) {
  const chat = useChat();
  return (
    <Button size="small" disabled={emails.length === 0} onClick={() => chat.openChatWith(emails, topic)}>
      {label}
    </Button>
  );
}
