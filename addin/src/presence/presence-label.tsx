import { Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { lastSeenText, presenceText } from './presence-text.js';
import { usePresence } from './use-presence.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', minWidth: 0 },
  line: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  note: { fontStyle: 'italic', color: tokens.colorNeutralForeground2, overflowWrap: 'anywhere' },
  oof: { color: tokens.colorPaletteBerryForeground1, overflowWrap: 'anywhere' },
});

/** Availability text, the person's note and their out-of-office message, live. */
export function PresenceLabel({ email }: { email: string | null }) {
  const s = useStyles();
  const presence = usePresence(email ? [email] : []).get(email?.trim().toLowerCase() ?? '');
  if (!email) return null;
  const seen = lastSeenText(presence);
  return (
    <span className={s.root} data-testid="presence-label" data-availability={presence?.availability ?? 'loading'}>
      <Caption1 className={s.line}>
        {presenceText(presence)}
        {seen ? ` · ${seen}` : ''}
      </Caption1>
      {presence?.note && (
        <Caption1 className={s.note} data-testid="presence-note">
          “{presence.note}”
        </Caption1>
      )}
      {presence?.outOfOffice.active && (
        <Caption1 className={s.oof} data-testid="presence-oof">
          Out of office{presence.outOfOffice.message ? `: ${presence.outOfOffice.message}` : ''}
        </Caption1>
      )}
    </span>
  );
}
