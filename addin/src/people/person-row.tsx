import { Caption1, makeStyles, mergeClasses, Text, tokens } from '@fluentui/react-components';
import { useId, type ReactNode } from 'react';
import type { PersonSummary } from '../api/index.js';
import { PresenceAvatar, PresenceLabel } from '../presence/index.js';
import { PersonCardButton, personBlockLayout } from './person-card-button.js';
import { usePersonPhoto } from './use-person-photo.js';

const useStyles = makeStyles({
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, minWidth: 0 },
  main: personBlockLayout,
  text: { display: 'flex', flexDirection: 'column', minWidth: 0 },
  line: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  unknown: { color: tokens.colorNeutralForeground3, fontStyle: 'italic' },
  actions: { flex: '0 0 auto', display: 'flex', gap: tokens.spacingHorizontalXS },
});

export interface PersonRowProps {
  /** The address as the item/host gave it (may be an alias). */
  readonly email: string | null;
  /** The display name the host gave, used when the person is not in the directory. */
  readonly name?: string;
  /** The directory person: undefined while resolving, null when not in the directory. */
  readonly person: PersonSummary | null | undefined;
  /** A small caption before the title, e.g. "From", "To", "Cc". */
  readonly role?: string;
  /** Extra line under the title (e.g. a co-author's position). */
  readonly detail?: ReactNode;
  /** Buttons at the end of the row. */
  readonly actions?: ReactNode;
  /** The directory lookup failed (network, server): say so instead of "not in the directory". */
  readonly lookupFailed?: boolean;
}

/** One person: photo with presence, name, title and presence line; opens the contact card when in the directory. */
export function PersonRow({ email, name, person, role, detail, actions, lookupFailed = false }: PersonRowProps) {
  const s = useStyles();
  const describedBy = useId();
  const photo = usePersonPhoto(person?.id, person?.hasPhoto ?? false);
  const displayName = person?.displayName ?? (name || email || 'Unknown');
  const presenceEmail = person?.email ?? email;
  const title = [person?.title, person?.department].filter(Boolean).join(' · ');
  const body = (
    <>
      <PresenceAvatar name={displayName} email={presenceEmail} photoUrl={photo} size={32} />
      <span className={s.text}>
        <Text className={s.line} weight="semibold" size={300} data-testid="person-name">
          {displayName}
        </Text>
        {person === undefined ? (
          <Caption1 className={s.line}>{lookupFailed ? 'Directory unavailable right now' : 'Looking up…'}</Caption1>
        ) : person === null ? (
          <Caption1 className={mergeClasses(s.line, s.unknown)} data-testid="unknown-person">
            {email && email !== displayName ? `${email} · ` : ''}Not in the directory
          </Caption1>
        ) : (
          title && (
            <Caption1 className={s.line} data-testid="person-title">
              {title}
            </Caption1>
          )
        )}
        <span id={describedBy} className={s.text}>
          {person && <PresenceLabel email={presenceEmail} />}
          {detail}
        </span>
      </span>
    </>
  );
  const label = `${role ? role + ': ' : ''}${displayName}${person?.title ? ', ' + person.title : ''}`;
  return (
    <div className={s.row} role="listitem" data-testid="person-row" data-email={email ?? ''}>
      {role && (
        <Caption1 style={{ width: 28, flex: '0 0 auto' }} data-testid="person-role">
          {role}
        </Caption1>
      )}
      {person ? (
        <PersonCardButton personId={person.id} label={label} describedBy={describedBy}>
          {body}
        </PersonCardButton>
      ) : (
        <span className={s.main}>{body}</span>
      )}
      {actions && <span className={s.actions}>{actions}</span>}
    </div>
  );
}
