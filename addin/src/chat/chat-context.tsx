// SCAFFOLD: chat — remembers whom the user wants to chat with and shows the Chat view; no messaging yet.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { usePaneNavigation } from '../services/index.js';

export interface ChatApi {
  /** Opens (or creates) the conversation with these people and shows the Chat view. */
  openChatWith(emails: string[], topic?: string): void;
  /** Unread messages over all conversations (for the navigation badge). */
  readonly unreadTotal: number;
}

interface ChatState extends ChatApi {
  readonly pending: { emails: string[]; topic?: string } | null;
}

const ChatContext = createContext<ChatState>({ openChatWith: () => {}, unreadTotal: 0, pending: null });

export function ChatProvider({ children }: { children: ReactNode }) {
  const nav = usePaneNavigation();
  const [pending, setPending] = useState<ChatState['pending']>(null);
  const openChatWith = useCallback(
    (emails: string[], topic?: string) => {
      setPending({ emails, topic });
      nav.show('chat');
    },
    [nav],
  );
  const value = useMemo(() => ({ openChatWith, unreadTotal: 0, pending }), [openChatWith, pending]);
  return <ChatContext.Provider value={value}>{children}</ChatContext.Provider>;
}

export function useChat(): ChatApi {
  return useContext(ChatContext);
}

/** Scaffold-only: what the panel shows. */
export function useChatScaffoldState(): ChatState['pending'] {
  return useContext(ChatContext).pending;
}
