import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { usePane, usePaneNavigation } from '../services/index.js';
import { ChatStore, type ChatSnapshot } from './chat-store.js';
import { localOutboxStorage } from './outbox-storage.js';

export interface ChatApi {
  /** Opens (or creates) the conversation with these people and shows the Chat view. */
  openChatWith(emails: string[], topic?: string): void;
  /** Unread messages over all conversations (for the navigation badge). */
  readonly unreadTotal: number;
}

interface ChatContextValue extends ChatApi {
  readonly store: ChatStore | null;
}

const EMPTY: ChatSnapshot = { conversations: [], selectedId: null, unreadTotal: 0, error: null, loaded: false, focus: null };
const ChatContext = createContext<ChatContextValue>({ openChatWith: () => {}, unreadTotal: 0, store: null });

/** Shows the unread count in the page title too, so a hidden pane still tells (and screen readers can find it). */
function useTitleBadge(unread: number): void {
  useEffect(() => {
    const base = document.title.replace(/^\(\d+\) /, '');
    document.title = unread > 0 ? `(${unread}) ${base}` : base;
  }, [unread]);
}

/**
 * One chat store per pane over the pane's realtime socket: it resumes from the last seq on every
 * reconnect and resends unacknowledged messages. New messages raise a host notification (Outlook
 * item notification, demo toast) unless the chat is on screen or the server says the user is on
 * Do Not Disturb.
 */
export function ChatProvider({ children }: { children: ReactNode }) {
  const { api, realtime, host, me } = usePane();
  const nav = usePaneNavigation();
  const [store] = useState(
    () =>
      new ChatStore({
        api,
        realtime,
        meId: me.person.id,
        outbox: localOutboxStorage(me.person.id),
        notify: (message) => void host.notify(message).catch(() => {}),
      }),
  );
  useEffect(() => {
    store.start();
    return () => store.stop();
  }, [store]);
  useEffect(() => {
    const update = () => store.setVisible(nav.view === 'chat' && document.visibilityState === 'visible');
    update();
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, [store, nav.view]);
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  useTitleBadge(snapshot.unreadTotal);
  const openChatWith = useCallback(
    (emails: string[], topic?: string) => {
      nav.show('chat');
      void store.openWith(emails, topic);
    },
    [nav, store],
  );
  const value = useMemo(() => ({ openChatWith, unreadTotal: snapshot.unreadTotal, store }), [openChatWith, snapshot.unreadTotal, store]);
  return <ChatContext.Provider value={value}>{children}</ChatContext.Provider>;
}

export function useChat(): ChatApi {
  return useContext(ChatContext);
}

/** The pane's chat store and its current state (for the chat views). */
export function useChatStore(): { store: ChatStore | null; snapshot: ChatSnapshot } {
  const { store } = useContext(ChatContext);
  const snapshot = useSyncExternalStore(store?.subscribe ?? noopSubscribe, store?.getSnapshot ?? (() => EMPTY));
  return { store, snapshot };
}

const noopSubscribe = () => () => {};
