import {
  Body1Strong,
  Button,
  Caption1,
  CounterBadge,
  Input,
  makeStyles,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  MessageBar,
  MessageBarBody,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import type { ChatMessageDto } from '../../../api/contract/index.js';
import { PresenceAvatar } from '../presence/index.js';
import { useMe } from '../services/index.js';
import { useChatStore } from './chat-context.js';
import type { ConversationState } from './chat-store.js';
import { MarkdownLite } from './markdown-lite.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0 },
  // Read by screen readers, not shown.
  hidden: { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' },
  list: { display: 'flex', flexDirection: 'column', padding: tokens.spacingHorizontalS, gap: '2px' },
  row: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalS}`,
    border: 'none',
    borderRadius: tokens.borderRadiusMedium,
    background: 'transparent',
    color: tokens.colorNeutralForeground1,
    textAlign: 'start',
    cursor: 'pointer',
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}` },
  },
  rowText: { display: 'flex', flexDirection: 'column', minWidth: 0, flex: '1 1 auto' },
  ellipsis: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  muted: { color: tokens.colorNeutralForeground3 },
  conversation: { display: 'flex', flexDirection: 'column', height: 'calc(100vh - 110px)', minHeight: '240px' },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    padding: tokens.spacingHorizontalS,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  messages: {
    flex: '1 1 auto',
    overflowY: 'auto',
    padding: tokens.spacingHorizontalS,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
  },
  bubble: {
    maxWidth: '85%',
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusLarge,
    overflowWrap: 'anywhere',
    whiteSpace: 'normal',
  },
  mine: { alignSelf: 'flex-end', backgroundColor: tokens.colorBrandBackground2 },
  theirs: { alignSelf: 'flex-start', backgroundColor: tokens.colorNeutralBackground3 },
  composer: {
    display: 'flex',
    gap: tokens.spacingHorizontalXS,
    padding: tokens.spacingHorizontalS,
    borderTop: `1px solid ${tokens.colorNeutralStroke2}`,
    alignItems: 'flex-end',
  },
  grow: { flex: '1 1 auto' },
  focused: { outline: `2px solid ${tokens.colorBrandStroke1}`, outlineOffset: '1px' },
  search: { padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalS} 0` },
});

const nameOf = (c: ConversationState, meId: string) =>
  c.view.topic ??
  (c.view.members
    .filter((m) => m.id !== meId)
    .map((m) => m.displayName)
    .join(', ') ||
    'Just you');

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const when = (ms: number) =>
  new Date(ms).toDateString() === new Date().toDateString() ? time(ms) : new Date(ms).toLocaleDateString([], { day: 'numeric', month: 'short' });

/** One character would match nearly every message: the pane searches from two on. */
const MIN_QUERY = 2;

/** The Chat view: the list of conversations with unread counts, or one conversation. */
export function ChatPanel() {
  const { store, snapshot } = useChatStore();
  const me = useMe();
  const selected = snapshot.conversations.find((c) => c.view.id === snapshot.selectedId) ?? null;
  const root = useRef<HTMLDivElement>(null);
  useKeepFocus(root, selected?.view.id ?? null);
  if (!store) return null;
  return (
    <div data-testid="chat-panel" ref={root}>
      {snapshot.error && (
        <MessageBar intent="error" data-testid="chat-error">
          <MessageBarBody>{snapshot.error}</MessageBarBody>
        </MessageBar>
      )}
      {selected ? <ConversationView c={selected} meId={me.person.id} /> : <ConversationList meId={me.person.id} />}
    </div>
  );
}

/**
 * Opening a conversation unmounts the row that was focused, and Back unmounts the conversation:
 * focus would fall to the page, so a screen reader says nothing and keyboard users start over
 * from the top. When focus was in the panel or lost, it goes to the composer of the conversation
 * opened, or back to the row of the one left. Focus elsewhere (the user typing in another part
 * of the pane while a notification opens a chat) is left alone.
 */
function useKeepFocus(root: RefObject<HTMLDivElement | null>, selectedId: string | null): void {
  const previous = useRef<string | null>(selectedId);
  useEffect(() => {
    const left = previous.current;
    previous.current = selectedId;
    if (left === selectedId) return;
    // After the frame: a dialog that opened the chat (the contact card) restores its own focus first.
    const frame = requestAnimationFrame(() => {
      const panel = root.current;
      const active = document.activeElement;
      if (!panel || (active && active !== document.body && !panel.contains(active))) return;
      const target = selectedId
        ? panel.querySelector<HTMLElement>('[data-testid="chat-composer"]')
        : (panel.querySelector<HTMLElement>(`[data-testid="chat-row"][data-conversation-id="${CSS.escape(left ?? '')}"]`) ??
          panel.querySelector<HTMLElement>('[data-testid="chat-row"]'));
      target?.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [root, selectedId]);
}

/**
 * What a screen reader should say as messages from others arrive in the open conversation ("Name:
 * text"): not the history that was there when it opened, nor earlier messages loaded later.
 */
function useArrivals(c: ConversationState, meId: string): string {
  const [text, setText] = useState('');
  const seen = useRef<{ id: string; seq: number | null }>({ id: c.view.id, seq: null });
  const newest = c.messages?.at(-1)?.seq ?? null;
  useEffect(() => {
    if (seen.current.id !== c.view.id) {
      seen.current = { id: c.view.id, seq: null };
      setText('');
    }
    if (newest === null) return;
    const since = seen.current.seq;
    seen.current.seq = Math.max(since ?? newest, newest);
    if (since === null || newest <= since) return;
    const fresh = (c.messages ?? []).filter((m) => m.seq > since && m.senderId !== meId).slice(-3);
    const name = (id: string) => c.view.members.find((m) => m.id === id)?.displayName ?? 'Someone';
    if (fresh.length) setText(fresh.map((m) => `${name(m.senderId)}: ${m.text}`).join('\n'));
  }, [c, meId, newest]);
  return text;
}

function ConversationList({ meId }: { meId: string }) {
  const s = useStyles();
  const { store, snapshot } = useChatStore();
  const [query, setQuery] = useState('');
  if (snapshot.loaded && snapshot.conversations.length === 0)
    return (
      <div style={{ padding: 12 }} data-testid="chat-empty">
        <Text>No conversations yet.</Text>
        <br />
        <Caption1>Use “Chat” on a person or a message to start one.</Caption1>
      </div>
    );
  const searching = query.trim().length >= MIN_QUERY;
  return (
    <>
      <div className={s.search}>
        <Input
          type="search"
          value={query}
          onChange={(_, d) => setQuery(d.value)}
          onKeyDown={(e) => e.key === 'Escape' && setQuery('')}
          placeholder="Search messages"
          aria-label="Search messages"
          data-testid="chat-search"
          style={{ width: '100%' }}
        />
      </div>
      {searching ? (
        <SearchResults query={query.trim()} meId={meId} />
      ) : (
        <nav className={s.list} aria-label="Conversations" data-testid="chat-list">
          {snapshot.conversations.map((c) => {
            const other = c.view.members.find((m) => m.id !== meId);
            const last = c.view.lastMessage;
            return (
              <button
                key={c.view.id}
                type="button"
                className={s.row}
                onClick={() => void store!.select(c.view.id)}
                data-testid="chat-row"
                data-conversation-id={c.view.id}
                data-unread={c.view.unread}
                aria-label={`${nameOf(c, meId)}${c.view.unread ? `, ${c.view.unread} unread` : ''}`}
              >
                <PresenceAvatar
                  name={c.view.kind === 'group' ? nameOf(c, meId) : (other?.displayName ?? '?')}
                  email={c.view.kind === 'direct' ? (other?.email ?? null) : null}
                  size={32}
                />
                <span className={s.rowText}>
                  <Body1Strong className={s.ellipsis}>{nameOf(c, meId)}</Body1Strong>
                  <Caption1 className={`${s.ellipsis} ${s.muted}`}>
                    {last ? `${last.senderId === meId ? 'You: ' : ''}${last.text.replace(/\s+/g, ' ')}` : 'No messages yet'}
                  </Caption1>
                </span>
                {c.view.unread > 0 && <CounterBadge count={c.view.unread} color="danger" size="small" data-testid="chat-row-unread" />}
              </button>
            );
          })}
        </nav>
      )}
    </>
  );
}

/** Messages containing the query in your conversations, newest first; choosing one opens its conversation at it. */
function SearchResults({ query, meId }: { query: string; meId: string }) {
  const s = useStyles();
  const { store, snapshot } = useChatStore();
  const [found, setFound] = useState<{ query: string; results: ChatMessageDto[] } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    // Typing refines the query: ask once the user pauses, and only keep the answer to the latest one.
    let current = true;
    const timer = setTimeout(() => {
      store!.search(query).then(
        (results) => current && (setFound({ query, results }), setProblem(null)),
        (err: unknown) => current && setProblem(err instanceof Error ? err.message : 'Search failed'),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query, store]);

  if (problem)
    return (
      <Caption1 role="alert" style={{ padding: 12, color: tokens.colorPaletteRedForeground1 }}>
        {problem}
      </Caption1>
    );
  if (!found || found.query !== query)
    return (
      <Caption1 className={s.muted} style={{ padding: 12 }} aria-live="polite">
        Searching…
      </Caption1>
    );
  if (found.results.length === 0)
    return (
      <Caption1 className={s.muted} style={{ padding: 12 }} data-testid="chat-search-empty" aria-live="polite">
        No messages contain “{query}”.
      </Caption1>
    );
  return (
    <nav className={s.list} aria-label={`Messages containing ${query}`} data-testid="chat-search-results">
      {found.results.map((m) => {
        const c = snapshot.conversations.find((x) => x.view.id === m.conversationId);
        const sender = m.senderId === meId ? 'You' : (c?.view.members.find((x) => x.id === m.senderId)?.displayName ?? 'Former member');
        return (
          <button
            key={m.id}
            type="button"
            className={s.row}
            onClick={() => void store!.openAt(m.conversationId, m.seq)}
            data-testid="chat-search-result"
            data-conversation-id={m.conversationId}
            data-seq={m.seq}
          >
            <span className={s.rowText}>
              <Body1Strong className={s.ellipsis}>{c ? nameOf(c, meId) : 'Conversation'}</Body1Strong>
              <Caption1 className={s.ellipsis}>
                {sender}: {m.text.replace(/\s+/g, ' ')}
              </Caption1>
            </span>
            <Caption1 className={s.muted}>{when(m.createdAt)}</Caption1>
          </button>
        );
      })}
    </nav>
  );
}

function ConversationView({ c, meId }: { c: ConversationState; meId: string }) {
  const s = useStyles();
  const { store, snapshot } = useChatStore();
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [naming, setNaming] = useState<string | null>(null);
  const focusSeq = snapshot.focus?.conversationId === c.view.id ? snapshot.focus.seq : null;
  const [invite, setInvite] = useState('');
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const others = c.view.members.filter((m) => m.id !== meId);
  const announcement = useArrivals(c, meId);
  const count = (c.messages?.length ?? 0) + c.pending.length;

  // Stay at the bottom as messages arrive, unless the user scrolled up to read or came for one message.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current && focusSeq === null) el.scrollTop = el.scrollHeight;
  }, [count, c.view.id, focusSeq]);

  useLayoutEffect(() => {
    if (focusSeq === null) return;
    const target = scroller.current?.querySelector(`[data-seq="${focusSeq}"]`);
    if (!target) return;
    stick.current = false;
    target.scrollIntoView({ block: 'center' });
  }, [focusSeq, count]);

  useEffect(() => {
    setDraft('');
    setProblem(null);
    setAdding(false);
    setNaming(null);
    stick.current = true;
  }, [c.view.id]);

  const send = () => {
    const error = store!.send(c.view.id, draft);
    setProblem(error);
    if (!error) setDraft('');
    stick.current = true;
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };
  const lastMine = [...(c.messages ?? [])].reverse().find((m) => m.senderId === meId);
  const seenBy = lastMine ? others.filter((m) => (c.readBy[m.id] ?? 0) >= lastMine.seq).map((m) => m.displayName) : [];

  return (
    <section className={s.conversation} aria-label={`Conversation: ${nameOf(c, meId)}`} data-testid="chat-conversation" data-conversation-id={c.view.id}>
      <div className={s.header}>
        <Button size="small" appearance="subtle" onClick={() => void store!.select(null)} data-testid="chat-back" aria-label="Back to conversations">
          ←
        </Button>
        {others.slice(0, 3).map((m) => (
          <PresenceAvatar key={m.id} name={m.displayName} email={m.email} size={24} />
        ))}
        <Body1Strong className={`${s.ellipsis} ${s.grow}`} data-testid="chat-title">
          {nameOf(c, meId)}
        </Body1Strong>
        {c.view.kind === 'group' && (
          // One menu rather than a row of buttons: in a 320 px pane the buttons left no room for the name.
          <Menu>
            <MenuTrigger disableButtonEnhancement>
              <Button size="small" appearance="subtle" aria-label="Group options" data-testid="chat-group-menu">
                ⋯
              </Button>
            </MenuTrigger>
            <MenuPopover>
              <MenuList>
                <MenuItem onClick={() => (setAdding(false), setNaming(c.view.topic ?? ''))} data-testid="chat-rename">
                  Rename
                </MenuItem>
                <MenuItem onClick={() => (setNaming(null), setAdding(true))} data-testid="chat-add-people">
                  Add people
                </MenuItem>
                <MenuItem onClick={() => void store!.leave(c.view.id).then(setProblem)} data-testid="chat-leave">
                  Leave
                </MenuItem>
              </MenuList>
            </MenuPopover>
          </Menu>
        )}
      </div>
      {naming !== null && (
        <form
          className={s.composer}
          onSubmit={(e) => {
            e.preventDefault();
            void store!.rename(c.view.id, naming).then((error) => {
              setProblem(error);
              if (!error) setNaming(null);
            });
          }}
        >
          <Input
            className={s.grow}
            value={naming}
            onChange={(_, d) => setNaming(d.value)}
            onKeyDown={(e) => e.key === 'Escape' && setNaming(null)}
            placeholder="Name of this group"
            aria-label="Conversation name"
            data-testid="chat-rename-input"
            autoFocus
          />
          <Button type="submit" size="small" data-testid="chat-rename-save">
            Save
          </Button>
        </form>
      )}
      {adding && (
        <form
          className={s.composer}
          onSubmit={(e) => {
            e.preventDefault();
            const emails = invite
              .split(/[\s,;]+/)
              .map((x) => x.trim())
              .filter(Boolean);
            if (emails.length === 0) return;
            void store!.addMembers(c.view.id, emails).then((error) => {
              setProblem(error);
              if (!error) {
                setInvite('');
                setAdding(false);
              }
            });
          }}
        >
          <Input
            className={s.grow}
            value={invite}
            onChange={(_, d) => setInvite(d.value)}
            placeholder="E-mail addresses, separated by commas"
            aria-label="People to add"
          />
          <Button type="submit" size="small">
            Add
          </Button>
        </form>
      )}
      <div
        className={s.messages}
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
        role="log"
        // Not live itself: opening a conversation or loading earlier messages would have a screen
        // reader read out the whole page. Arrivals are announced one by one below.
        aria-live="off"
        aria-label="Messages"
        data-testid="chat-messages"
      >
        {c.hasOlder && (
          <Button size="small" appearance="subtle" onClick={() => void store!.loadOlder(c.view.id)} data-testid="chat-load-older">
            Load earlier messages
          </Button>
        )}
        {c.messages === null && <Caption1>Loading…</Caption1>}
        {c.messages?.map((m) => (
          <MessageBubble
            key={m.seq}
            focused={m.seq === focusSeq}
            m={m}
            mine={m.senderId === meId}
            sender={c.view.members.find((x) => x.id === m.senderId)?.displayName ?? 'Former member'}
            group={c.view.kind === 'group'}
          />
        ))}
        {c.pending.map((p) => (
          <div key={p.clientMessageId} className={`${s.bubble} ${s.mine}`} data-testid="chat-pending" data-status={p.status} style={{ opacity: 0.7 }}>
            <MarkdownLite text={p.text} />
            <Caption1 className={s.muted} style={{ display: 'block' }}>
              {p.status === 'sending' ? 'Sending…' : `Not sent: ${p.error ?? 'error'}`}
              {p.status === 'failed' && (
                <>
                  {' '}
                  <Button size="small" appearance="transparent" onClick={() => store!.retry(p.clientMessageId)}>
                    Retry
                  </Button>
                  <Button size="small" appearance="transparent" onClick={() => store!.discard(p.clientMessageId)}>
                    Discard
                  </Button>
                </>
              )}
            </Caption1>
          </div>
        ))}
        {seenBy.length > 0 && (
          <Caption1 className={s.muted} style={{ alignSelf: 'flex-end' }} data-testid="chat-seen">
            Seen{c.view.kind === 'group' ? ` by ${seenBy.join(', ')}` : ''}
          </Caption1>
        )}
      </div>
      <div role="status" aria-live="polite" className={s.hidden} data-testid="chat-announce">
        {announcement}
      </div>
      {c.dnd.length > 0 && (
        <Caption1 className={s.muted} style={{ padding: '0 8px' }} data-testid="chat-dnd-notice">
          {c.dnd.join(', ')} {c.dnd.length === 1 ? 'is' : 'are'} on Do not disturb: delivered without a notification.
        </Caption1>
      )}
      <Caption1 className={s.muted} style={{ padding: '0 8px', minHeight: 16 }} data-testid="chat-typing" aria-live="polite">
        {c.typing.length > 0 ? `${c.typing.join(', ')} ${c.typing.length === 1 ? 'is' : 'are'} typing…` : ''}
      </Caption1>
      {problem && (
        <Caption1 style={{ padding: '0 8px', color: tokens.colorPaletteRedForeground1 }} role="alert">
          {problem}
        </Caption1>
      )}
      <div className={s.composer}>
        <Textarea
          className={s.grow}
          value={draft}
          resize="vertical"
          placeholder="Type a message (Enter sends, Shift+Enter for a new line)"
          aria-label="Message"
          data-testid="chat-composer"
          onChange={(_, d) => {
            setDraft(d.value);
            if (d.value.trim()) store!.typing(c.view.id);
          }}
          onKeyDown={onKeyDown}
        />
        <Button appearance="primary" onClick={send} disabled={draft.trim() === ''} data-testid="chat-send">
          Send
        </Button>
      </div>
    </section>
  );
}

function MessageBubble({ m, mine, sender, group, focused }: { m: ChatMessageDto; mine: boolean; sender: string; group: boolean; focused: boolean }) {
  const s = useStyles();
  return (
    <div
      className={`${s.bubble} ${mine ? s.mine : s.theirs}${focused ? ` ${s.focused}` : ''}`}
      data-testid="chat-message"
      data-seq={m.seq}
      data-mine={mine}
      data-focused={focused || undefined}
    >
      {!mine && group && (
        <Caption1 className={s.muted} style={{ display: 'block' }}>
          {sender}
        </Caption1>
      )}
      <span data-testid="chat-message-text">
        <MarkdownLite text={m.text} />
      </span>
      <Caption1 className={s.muted} style={{ display: 'block', textAlign: mine ? 'end' : 'start' }} title={new Date(m.createdAt).toLocaleString()}>
        {time(m.createdAt)}
      </Caption1>
    </div>
  );
}
