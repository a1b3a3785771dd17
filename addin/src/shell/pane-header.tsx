import { makeStyles, tokens } from '@fluentui/react-components';
import { usePersonPhoto } from '../people/index.js';
import { MyStatus } from '../presence/index.js';
import { useMe } from '../services/index.js';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    minWidth: 0,
  },
});

/** The pane's top bar: who I am and my status (the presence feature's MyStatus). */
export function PaneHeader() {
  const s = useStyles();
  const { person } = useMe();
  const photo = usePersonPhoto(person.id, person.hasPhoto);
  return (
    <header className={s.root} aria-label="My status">
      <MyStatus photoUrl={photo} />
    </header>
  );
}
