import { Button, Caption1, makeStyles, Spinner, Text, tokens } from '@fluentui/react-components';
import { useId } from 'react';
import { ChatButton } from '../chat/index.js';
import { PersonCardButton, usePersonPhoto } from '../people/index.js';
import { PresenceAvatar } from '../presence/index.js';
import { useMe } from '../services/index.js';
import type { DocumentParticipant } from './document-session.js';
import { useDocumentSession } from './use-document-session.js';
import { whereLabel } from './where-label.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, minWidth: 0 },
  text: { display: 'flex', flexDirection: 'column', flex: '1 1 auto', minWidth: 0 },
  line: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalXS, flex: '0 0 auto' },
  muted: { color: tokens.colorNeutralForeground3 },
});

function CoauthorRow({ person, onGo }: { person: DocumentParticipant; onGo: (paragraph: number) => void }) {
  const s = useStyles();
  const photo = usePersonPhoto(person.personId);
  const where = useId();
  return (
    <li className={s.row} data-testid="coauthor" data-email={person.email}>
      <PersonCardButton personId={person.personId} label={person.displayName} describedBy={where}>
        <PresenceAvatar name={person.displayName} email={person.email} photoUrl={photo} size={32} />
        <span className={s.text}>
          <Text className={s.line} weight="semibold">
            {person.displayName}
          </Text>
          <Caption1 id={where} className={s.line} data-testid="coauthor-where">
            {whereLabel(person.position)}
          </Caption1>
        </span>
      </PersonCardButton>
      <div className={s.actions}>
        <Button
          size="small"
          appearance="subtle"
          disabled={!person.position}
          onClick={() => person.position && onGo(person.position.paragraph)}
          aria-label={`Go to where ${person.displayName} is`}
        >
          Go there
        </Button>
        <ChatButton emails={[person.email]} label="Chat" />
      </div>
    </li>
  );
}

/** The Word pane's co-author list: who else is in this document now, where, with presence, "go there" and chat. Live. */
export function CoauthorList() {
  const s = useStyles();
  const me = useMe();
  const session = useDocumentSession();
  const myId = me.person.id;
  const myEmail = me.person.email?.toLowerCase();
  const others = session.participants.filter((p) => p.personId !== myId && p.email.toLowerCase() !== myEmail);

  if (session.status === 'idle') return null;
  if (session.status === 'resolving') return <Spinner size="tiny" label="Finding who else is here…" />;
  if (session.status === 'error')
    return (
      <Caption1 role="alert" data-testid="coauthor-error">
        Co-authors are unavailable: {session.error}
      </Caption1>
    );
  return (
    <section className={s.root} aria-label="Co-authors in this document" data-testid="coauthor-list">
      <Caption1 className={s.muted} data-testid="my-position">
        You are {whereLabel(session.myPosition)}
      </Caption1>
      {others.length === 0 ? (
        <Text data-testid="no-coauthors">Nobody else has this document open.</Text>
      ) : (
        <>
          <Text weight="semibold">{others.length === 1 ? '1 other person is in this document' : `${others.length} other people are in this document`}</Text>
          <ul className={s.list}>
            {others.map((p) => (
              <CoauthorRow key={p.personId} person={p} onGo={(n) => void session.goTo(n)} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
