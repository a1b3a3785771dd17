import { Avatar, type AvatarProps } from '@fluentui/react-components';
import { badgeStatus, presenceText } from './presence-text.js';
import { usePresence } from './use-presence.js';

export interface PresenceAvatarProps {
  readonly name: string;
  readonly email: string | null;
  readonly photoUrl?: string | null;
  readonly size?: AvatarProps['size'];
}

/** A person's photo (or initials) with a live presence badge; the badge shows the out-of-office marker. */
export function PresenceAvatar({ name, email, photoUrl, size = 32 }: PresenceAvatarProps) {
  const presence = usePresence(email ? [email] : []).get(email?.trim().toLowerCase() ?? '');
  const status = badgeStatus(presence);
  const text = email ? `${presenceText(presence)}${presence?.outOfOffice.active ? ', out of office' : ''}` : undefined;
  return (
    <Avatar
      name={name}
      image={photoUrl ? { src: photoUrl } : undefined}
      size={size}
      aria-hidden
      title={text}
      badge={email ? { status, outOfOffice: presence?.outOfOffice.active ?? false, 'aria-hidden': true } : undefined}
      data-testid="presence-avatar"
      data-availability={presence?.availability ?? 'loading'}
    />
  );
}
