import { Body1, Caption1, makeStyles, Subtitle1, tokens } from '@fluentui/react-components';
import type { MailAddress } from '../src/office/index.js';
import { DEMO_MESSAGES } from './demo-messages.js';
import type { DemoSnapshot } from './demo-state.js';

const useStyles = makeStyles({
  root: {
    flex: '1 1 auto',
    minWidth: 0,
    overflowY: 'auto',
    padding: tokens.spacingHorizontalXL,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
  },
  body: { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
  empty: { color: tokens.colorNeutralForeground3, margin: 'auto' },
});

const fmt = (list: readonly MailAddress[]) => list.map((a) => `${a.name} <${a.email}>`).join('; ');

/** The open message, as Outlook's reading pane would show it. */
export function ReadingPane({ snap }: { snap: DemoSnapshot }) {
  const s = useStyles();
  const m = DEMO_MESSAGES.find((x) => x.id === snap.selectedMessageId);
  if (!m)
    return (
      <section className={s.root} aria-label="Reading pane">
        <Body1 className={s.empty}>Select an item to read</Body1>
      </section>
    );
  return (
    <section className={s.root} aria-label="Reading pane" data-testid="reading-pane">
      <Subtitle1 as="h1" style={{ margin: 0 }}>
        {m.subject}
      </Subtitle1>
      <div>
        <Body1>
          <strong>{m.from.name}</strong> &lt;{m.from.email}&gt;
        </Body1>
        <br />
        <Caption1>To: {fmt(m.to)}</Caption1>
        {m.cc.length > 0 && (
          <>
            <br />
            <Caption1>Cc: {fmt(m.cc)}</Caption1>
          </>
        )}
        <br />
        <Caption1>{m.received}</Caption1>
      </div>
      <Body1 className={s.body}>{m.body}</Body1>
    </section>
  );
}
