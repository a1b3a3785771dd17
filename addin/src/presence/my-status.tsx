import { Button, Dialog, DialogBody, DialogContent, DialogSurface, DialogTitle, DialogTrigger, makeStyles, Text, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { useMe } from '../services/index.js';
import { PresenceAvatar } from './presence-avatar.js';
import { presenceText } from './presence-text.js';
import { StatusPicker } from './status-picker.js';
import { usePresence } from './use-presence.js';

const useStyles = makeStyles({
  trigger: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    minWidth: 0,
    maxWidth: '100%',
    justifyContent: 'flex-start',
    paddingInline: tokens.spacingHorizontalXS,
  },
  text: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', minWidth: 0, textAlign: 'start' },
  line: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', maxWidth: '100%' },
  status: { color: tokens.colorNeutralForeground2 },
});

/** Your own avatar and live status in the pane header; opens the status picker. The shell passes your photo. */
export function MyStatus({ photoUrl }: { photoUrl?: string | null }) {
  const s = useStyles();
  const { person } = useMe();
  const [open, setOpen] = useState(false);
  const presence = usePresence(person.email ? [person.email] : []).get(person.email?.toLowerCase() ?? '');
  const status = `${presenceText(presence)}${presence?.note ? ` · “${presence.note}”` : ''}${presence?.outOfOffice.active ? ' · Out of office' : ''}`;
  return (
    <Dialog open={open} onOpenChange={(_, d) => setOpen(d.open)}>
      <DialogTrigger disableButtonEnhancement>
        <Button appearance="subtle" className={s.trigger} aria-label={`${person.displayName}, ${status}. Change your status`} data-testid="my-status">
          <PresenceAvatar name={person.displayName} email={person.email} photoUrl={photoUrl} size={28} />
          <span className={s.text}>
            <Text size={200} weight="semibold" className={s.line}>
              {person.displayName}
            </Text>
            <Text size={100} className={`${s.line} ${s.status}`} data-testid="my-status-text" data-availability={presence?.availability ?? 'loading'}>
              {status}
            </Text>
          </span>
        </Button>
      </DialogTrigger>
      <DialogSurface style={{ maxWidth: 'calc(100vw - 24px)', padding: 16 }}>
        <DialogBody>
          <DialogTitle>Your status</DialogTitle>
          <DialogContent>{open && <StatusPicker onDone={() => setOpen(false)} />}</DialogContent>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
