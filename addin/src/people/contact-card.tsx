import { Body1, Caption1, Link, makeStyles, Spinner, Subtitle2, Text, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { PersonCard, PersonSummary } from '../api/index.js';
import { ChatButton } from '../chat/index.js';
import { PresenceAvatar, PresenceLabel } from '../presence/index.js';
import { useApi, useMe } from '../services/index.js';
import { usePersonPhoto } from './use-person-photo.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, minWidth: 0 },
  head: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', minWidth: 0 },
  headText: { display: 'flex', flexDirection: 'column', minWidth: 0, gap: '2px' },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  dl: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalM, rowGap: tokens.spacingVerticalXXS, margin: 0 },
  dt: { color: tokens.colorNeutralForeground3 },
  dd: { margin: 0, minWidth: 0, overflowWrap: 'anywhere' },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '2px' },
  personLink: { display: 'inline-flex', flexDirection: 'column', alignItems: 'flex-start', textAlign: 'start' },
});

export interface ContactCardProps {
  readonly personId: string;
  /** Called when the user picks another person on the card (manager, direct report). */
  readonly onNavigate: (personId: string) => void;
}

/** The contact card: photo, presence, title, department, office, phones, manager chain, direct reports, aliases, chat. */
export function ContactCard({ personId, onNavigate }: ContactCardProps) {
  const s = useStyles();
  const api = useApi();
  const me = useMe();
  const [card, setCard] = useState<PersonCard | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setCard(null);
    setError(null);
    api.person(personId).then(
      (c) => live && setCard(c),
      (e: unknown) => live && setError(e instanceof Error ? e.message : 'Could not load the contact card'),
    );
    return () => {
      live = false;
    };
  }, [api, personId]);
  const photo = usePersonPhoto(card?.id, card?.hasPhoto ?? false);

  if (error) return <Text role="alert">{error}</Text>;
  if (!card) return <Spinner size="small" label="Loading contact card…" />;

  const isMe = card.id === me.person.id;
  const details: [string, React.ReactNode][] = [];
  if (card.email) details.push(['Email', <Link href={`mailto:${card.email}`}>{card.email}</Link>]);
  for (const p of card.phones) details.push([phoneLabel(p.type), <Link href={`tel:${p.number.replace(/[^+\d]/g, '')}`}>{p.number}</Link>]);
  if (card.office) details.push(['Office', card.office]);
  if (card.company) details.push(['Company', card.company]);
  if (card.aliases.length) details.push(['Also', card.aliases.join(', ')]);

  return (
    <div className={s.root} data-testid="contact-card">
      <div className={s.head}>
        <PresenceAvatar name={card.displayName} email={card.email} photoUrl={photo} size={64} />
        <div className={s.headText}>
          <Subtitle2 data-testid="card-name">{card.displayName}</Subtitle2>
          {card.title && <Body1>{card.title}</Body1>}
          {card.department && <Caption1>{card.department}</Caption1>}
          {card.kind === 'contact' && <Caption1>External contact</Caption1>}
          {card.disabled && <Caption1>Account disabled</Caption1>}
        </div>
      </div>
      <PresenceLabel email={card.email} />
      {!isMe && card.email && <ChatButton emails={[card.email]} label={`Chat with ${card.givenName ?? card.displayName}`} />}
      <dl className={s.dl}>
        {details.map(([k, v], i) => (
          <div key={i} style={{ display: 'contents' }}>
            <dt className={s.dt}>{k}</dt>
            <dd className={s.dd}>{v}</dd>
          </div>
        ))}
      </dl>
      {card.managerChain.length > 0 && <PeopleSection title="Reports to" people={card.managerChain} onNavigate={onNavigate} testId="manager-chain" />}
      {card.directReports.length > 0 && (
        <PeopleSection title={`Direct reports (${card.directReports.length})`} people={card.directReports} onNavigate={onNavigate} testId="direct-reports" />
      )}
    </div>
  );
}

function PeopleSection({
  title,
  people,
  onNavigate,
  testId,
}: {
  title: string;
  people: readonly PersonSummary[];
  onNavigate: (id: string) => void;
  testId: string;
}) {
  const s = useStyles();
  return (
    <section className={s.section} aria-label={title}>
      <Caption1 as="h3" style={{ margin: 0 }}>
        {title}
      </Caption1>
      <ul className={s.list} data-testid={testId}>
        {people.map((p) => (
          <li key={p.id}>
            <Link as="button" className={s.personLink} onClick={() => onNavigate(p.id)}>
              <span>{p.displayName}</span>
              {p.title && <Caption1>{p.title}</Caption1>}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

function phoneLabel(type: string): string {
  return { business: 'Work', mobile: 'Mobile', home: 'Home', fax: 'Fax' }[type] ?? 'Phone';
}
