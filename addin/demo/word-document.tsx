import { Caption1, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { DEMO_DOCUMENT_TITLE, DEMO_PARAGRAPHS } from './demo-document.js';
import { DEMO_DOCUMENT_URL } from './demo-messages.js';
import type { DemoHostState, DemoSnapshot } from './demo-state.js';

const useStyles = makeStyles({
  root: {
    flex: '1 1 auto',
    minWidth: 0,
    overflowY: 'auto',
    backgroundColor: tokens.colorNeutralBackground3,
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
  },
  bar: {
    flexShrink: 0,
    alignSelf: 'stretch',
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  page: {
    flexShrink: 0,
    width: 'min(720px, calc(100% - 32px))',
    margin: `${tokens.spacingVerticalL} 0`,
    padding: '48px 56px',
    backgroundColor: tokens.colorNeutralBackground1,
    boxShadow: tokens.shadow8,
    boxSizing: 'border-box',
  },
  para: {
    display: 'block',
    width: '100%',
    textAlign: 'start',
    border: 'none',
    background: 'transparent',
    color: 'inherit',
    font: 'inherit',
    lineHeight: '1.5',
    padding: '2px 6px',
    margin: '0 -6px 6px',
    borderLeft: '3px solid transparent',
    cursor: 'text',
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}` },
  },
  selected: { borderLeftColor: tokens.colorBrandStroke1, backgroundColor: tokens.colorBrandBackground2 },
  Title: { fontSize: '28px', fontWeight: 600, marginBottom: '12px' },
  Heading1: { fontSize: '18px', fontWeight: 600, color: tokens.colorBrandForeground1, marginTop: '14px' },
  Normal: { fontSize: '14px' },
});

/** The fake Word canvas: clicking a paragraph moves the selection there (DocumentSelectionChanged for the pane). */
export function WordDocument({ state, snap }: { state: DemoHostState; snap: DemoSnapshot }) {
  const s = useStyles();
  return (
    <section className={s.root} aria-label={`Document ${DEMO_DOCUMENT_TITLE}`} data-testid="word-document">
      <Caption1 className={s.bar} title={DEMO_DOCUMENT_URL}>
        {DEMO_DOCUMENT_TITLE} · {decodeURIComponent(DEMO_DOCUMENT_URL)}
      </Caption1>
      <article className={s.page}>
        {DEMO_PARAGRAPHS.map((p, i) => (
          <button
            type="button"
            key={i}
            className={mergeClasses(s.para, s[p.style], i === snap.paragraph && s.selected)}
            onClick={() => state.selectParagraph(i)}
            aria-current={i === snap.paragraph || undefined}
            data-testid="paragraph"
            data-index={i}
          >
            {p.text}
          </button>
        ))}
      </article>
    </section>
  );
}
