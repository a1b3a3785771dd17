import { Body1Strong, Button, Caption1, CounterBadge, Input, makeStyles, MessageBar, MessageBarBody, Text, Textarea, tokens } from '@fluentui/react-components';
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ChatMessageDto } from '../../../api/contract/index.js';
import { PresenceAvatar } from '../presence/index.js';
import { useMe } from '../services/index.js';
import { useChatStore } from './chat-context.js';
import type { ConversationState } from './chat-store.js';
import { MarkdownLite } from './markdown-lite.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0 },
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
});

const nameOf = (c: ConversationState, meId: string) =>
  c.view.topic ??
  (c.view.members
    .filter((m) => m.id !== meId)
    .map((m) => m.displayName)
    .join(', ') ||
    'Just you');

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** The Chat view: the list of conversations with unread counts, or one conversation. */
export function ChatPanel() {
  const { store, snapshot } = useChatStore();
  const me = useMe();
  const selected = snapshot.conversations.find((c) => c.view.id === snapshot.selectedId) ?? null;
  if (!store) return null;
  return (
    <div data-testid="chat-panel">
      {snapshot.error && (
        <MessageBar intent="error" data-testid="chat-error">
          <MessageBarBody>{snapshot.error}</MessageBarBody>
        </MessageBar>
      )}
      {selected ? <ConversationView c={selected} meId={me.person.id} /> : <ConversationList meId={me.person.id} />}
    </div>
  );
}

function ConversationList({ meId }: { meId: string }) {
  const s = useStyles();
  const { store, snapshot } = useChatStore();
  if (snapshot.loaded && snapshot.conversations.length === 0)
    return (
      <div style={{ padding: 12 }} data-testid="chat-empty">
        <Text>No conversations yet.</Text>
        <br />
        <Caption1>Use “Chat” on a person or a message to start one.</Caption1>
      </div>
    );
  return (
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
  );
}

function ConversationView({ c, meId }: { c: ConversationState; meId: string }) {
  const s = useStyles();
  const { store } = useChatStore();
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [invite, setInvite] = useState('');
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const others = c.view.members.filter((m) => m.id !== meId);
  const count = (c.messages?.length ?? 0) + c.pending.length;

  // Stay at the bottom as messages arrive, unless the user scrolled up to read.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [count, c.view.id]);

  useEffect(() => {
    setDraft('');
    setProblem(null);
    setAdding(false);
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
          <>
            <Button size="small" appearance="subtle" onClick={() => setAdding((a) => !a)} data-testid="chat-add-people" aria-expanded={adding}>
              Add
            </Button>
            <Button size="small" appearance="subtle" onClick={() => void store!.leave(c.view.id).then(setProblem)} data-testid="chat-leave">
              Leave
            </Button>
          </>
        )}
      </div>
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
        aria-live="polite"
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

function MessageBubble({ m, mine, sender, group }: { m: ChatMessageDto; mine: boolean; sender: string; group: boolean }) {
  const s = useStyles();
  return (
    <div className={`${s.bubble} ${mine ? s.mine : s.theirs}`} data-testid="chat-message" data-seq={m.seq} data-mine={mine}>
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
