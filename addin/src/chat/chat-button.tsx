import { Button } from '@fluentui/react-components';
import { useChat } from './chat-context.js';

export interface ChatButtonProps {
  readonly emails: string[];
  readonly label?: string;
  readonly topic?: string;
}

/** "Chat with" a person (their one-to-one conversation), or with everyone on a message (a group named after the topic). */
export function ChatButton({ emails, label = 'Chat', topic }: ChatButtonProps) {
  const chat = useChat();
  return (
    <Button
      size="small"
      data-testid="chat-with"
      disabled={emails.length === 0}
      onClick={() => chat.openChatWith(emails, emails.length > 1 ? topic : undefined)}
    >
      {label}
    </Button>
  );
}
