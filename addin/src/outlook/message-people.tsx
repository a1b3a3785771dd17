import { Caption1, makeStyles, Subtitle2, tokens } from '@fluentui/react-components';
import { ChatButton } from '../chat/index.js';
import type { MailAddress, MailItemPeople } from '../office/index.js';
import { PersonRow, usePeopleLookup, type Resolution } from '../people/index.js';
import { useMe } from '../services/index.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: tokens.spacingHorizontalM },
  subject: { overflowWrap: 'anywhere' },
  group: { display: 'flex', flexDirection: 'column', gap: '2px' },
  groupTitle: { color: tokens.colorNeutralForeground3, marginTop: tokens.spacingVerticalXS },
});

interface Entry {
  readonly role: 'From' | 'To' | 'Cc';
  readonly address: MailAddress;
}

/** Sender and every To/Cc recipient of the item, resolved against the directory, plus "chat with everyone". */
export function MessagePeople({ item }: { item: MailItemPeople }) {
  const s = useStyles();
  const me = useMe();
  const entries: Entry[] = [
    ...(item.from ? [{ role: 'From' as const, address: item.from }] : []),
    ...item.to.map((address) => ({ role: 'To' as const, address })),
    ...item.cc.map((address) => ({ role: 'Cc' as const, address })),
  ];
  const resolved = usePeopleLookup(entries.map((e) => e.address.email));
  const personOf = (email: string) => toPerson(resolved.get(email.trim().toLowerCase()));
  const failed = (email: string) => resolved.get(email.trim().toLowerCase())?.state === 'error';

  // Everyone on the message who can chat: known people, deduplicated, without me.
  const everyone = [
    ...new Set(
      entries
        .map((e) => personOf(e.address.email))
        .filter((p) => p && p.email && p.id !== me.person.id)
        .map((p) => p!.email!),
    ),
  ];
  const groups: Entry['role'][] = ['From', 'To', 'Cc'];

  return (
    <section className={s.root} aria-label="People on this message" data-testid="message-people">
      {item.subject && (
        <Subtitle2 as="h2" className={s.subject} style={{ margin: 0 }}>
          {item.subject}
        </Subtitle2>
      )}
      {item.mode === 'compose' && <Caption1>Composing: recipients update as you type them.</Caption1>}
      {item.to.length + item.cc.length === 0 && <Caption1>No recipients yet.</Caption1>}
      {groups.map((role) => {
        const list = entries.filter((e) => e.role === role);
        if (list.length === 0) return null;
        return (
          <div key={role} className={s.group} role="list" aria-label={role} data-testid={`people-${role.toLowerCase()}`}>
            {list.map((e, i) => (
              <PersonRow
                key={`${e.address.email}-${i}`}
                email={e.address.email}
                name={e.address.name}
                person={personOf(e.address.email)}
                role={role}
                lookupFailed={failed(e.address.email)}
              />
            ))}
          </div>
        );
      })}
      {everyone.length > 0 && (
        <div>
          <ChatButton
            emails={everyone}
            topic={item.subject ?? undefined}
            label={everyone.length === 1 ? 'Chat with this person' : `Chat with everyone on this message (${everyone.length})`}
          />
        </div>
      )}
    </section>
  );
}

function toPerson(r: Resolution | undefined) {
  if (!r || r.state === 'error') return undefined;
  return r.state === 'known' ? r.person : null;
}
