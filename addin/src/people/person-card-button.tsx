import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { useContactCard } from './contact-card-context.js';

/** How a person's photo and lines sit, as a button or not (PersonRow for someone not in the directory). */
export const personBlockLayout = {
  display: 'flex',
  alignItems: 'center',
  gap: tokens.spacingHorizontalS,
  flex: '1 1 auto',
  minWidth: 0,
  padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalXS}`,
} as const;

const useStyles = makeStyles({
  button: {
    ...personBlockLayout,
    border: 'none',
    borderRadius: tokens.borderRadiusMedium,
    background: 'transparent',
    color: 'inherit',
    font: 'inherit',
    textAlign: 'start',
    cursor: 'pointer',
    ':hover': { backgroundColor: tokens.colorSubtleBackgroundHover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '1px' },
  },
});

export interface PersonCardButtonProps {
  readonly personId: string;
  /** The accessible name: who this is (", open contact card" is added). */
  readonly label: string;
  /**
   * Id of the element that says the rest (presence, note, out of office, where they are): the
   * label replaces the button's content for screen readers, so that text is its description.
   */
  readonly describedBy?: string;
  readonly className?: string;
  readonly children: ReactNode;
}

/** A person's photo and lines as one button that opens their contact card: wherever a person shows. */
export function PersonCardButton({ personId, label, describedBy, className, children }: PersonCardButtonProps) {
  const s = useStyles();
  const card = useContactCard();
  return (
    <button
      type="button"
      className={mergeClasses(s.button, className)}
      aria-label={`${label}. Open contact card`}
      aria-describedby={describedBy}
      onClick={() => card.open({ id: personId })}
      data-testid="person-card-button"
    >
      {children}
    </button>
  );
}
