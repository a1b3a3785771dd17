import { Button, Caption1, makeStyles, mergeClasses, Text, tokens } from '@fluentui/react-components';
import { DEMO_MESSAGES } from './demo-messages.js';
import type { DemoHostState, DemoSnapshot } from './demo-state.js';

const useStyles = makeStyles({
  root: { width: '300px', flex: '0 0 auto', display: 'flex', flexDirection: 'column', borderRight: `1px solid ${tokens.colorNeutralStroke1}`, minHeight: 0 },
  head: {
    display: 'flex',
    gap: tokens.spacingHorizontalS,
    padding: tokens.spacingHorizontalS,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    flexWrap: 'wrap',
  },
  list: { listStyle: 'none', margin: 0, padding: 0, overflowY: 'auto', flex: '1 1 auto' },
  item: {
    display: 'flex',
    flexDirection: 'column',
    gap: '2px',
    width: '100%',
    textAlign: 'start',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    border: 'none',
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    borderLeft: '3px solid transparent',
    background: 'transparent',
    color: 'inherit',
    font: 'inherit',
    cursor: 'pointer',
    ':hover': { backgroundColor: tokens.colorSubtleBackgroundHover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  selected: { backgroundColor: tokens.colorSubtleBackgroundSelected, borderLeftColor: tokens.colorBrandStroke1 },
  row: { display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalS },
  ellipsis: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
});

/** The fake inbox. */
export function MessageList({ state, snap }: { state: DemoHostState; snap: DemoSnapshot }) {
  const s = useStyles();
  return (
    <nav className={s.root} aria-label="Inbox">
      <div className={s.head}>
        <Button appearance="primary" size="small" onClick={() => state.startCompose()} data-testid="new-message">
          New message
        </Button>
        <Button
          size="small"
          onClick={() => state.selectMessage(null)}
          data-testid="select-nothing"
          title="Simulates a pinned pane with no item (collapsed conversation, empty folder)"
        >
          Select nothing
        </Button>
      </div>
      <ul className={s.list} data-testid="message-list">
        {DEMO_MESSAGES.map((m) => {
          const selected = m.id === snap.selectedMessageId && !snap.compose;
          return (
            <li key={m.id}>
              <button
                type="button"
                className={mergeClasses(s.item, selected && s.selected)}
                aria-current={selected || undefined}
                onClick={() => state.selectMessage(m.id)}
                data-testid="message"
                data-message-id={m.id}
              >
                <span className={s.row}>
                  <Text weight="semibold" className={s.ellipsis}>
                    {m.from.name}
                  </Text>
                  <Caption1>{m.received}</Caption1>
                </span>
                <Text size={200} className={s.ellipsis}>
                  {m.subject}
                </Text>
                <Caption1 className={s.ellipsis}>{m.body.replace(/\s+/g, ' ').slice(0, 80)}</Caption1>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
