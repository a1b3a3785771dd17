import { makeStyles, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', borderLeft: `1px solid ${tokens.colorNeutralStroke1}`, flex: '0 0 auto', minHeight: 0 },
  title: {
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    fontSize: tokens.fontSizeBase200,
    backgroundColor: tokens.colorNeutralBackground3,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  frame: { border: 'none', flex: '1 1 auto', width: '100%' },
});

/** The real task pane page in an iframe, the way Office hosts it. */
export function PaneIframe({ app, identity, width }: { app: 'outlook' | 'word'; identity: string; width: number }) {
  const s = useStyles();
  const label = app === 'outlook' ? 'Presence & chat (Outlook add-in)' : 'Co-authors & chat (Word add-in)';
  return (
    <aside className={s.root} style={{ width }} aria-label={label}>
      <div className={s.title}>{label}</div>
      <iframe key={identity} className={s.frame} src={`/addin/${app}.html`} title={label} data-testid={`${app}-pane`} name={`${app}-pane`} />
    </aside>
  );
}
