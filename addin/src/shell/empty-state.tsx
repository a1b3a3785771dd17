import { Body1, Caption1, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    textAlign: 'center',
    gap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalXXL} ${tokens.spacingHorizontalL}`,
    color: tokens.colorNeutralForeground2,
  },
});

/** A calm message for "nothing to show here" (no item selected, no co-authors, …). */
export function EmptyState({ title, children, testId }: { title: string; children?: ReactNode; testId?: string }) {
  const s = useStyles();
  return (
    <div className={s.root} role="status" data-testid={testId}>
      <Body1>{title}</Body1>
      {children && <Caption1>{children}</Caption1>}
    </div>
  );
}
