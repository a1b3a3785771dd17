// SCAFFOLD: presence — a plain Avatar, without a presence badge until presence exists.
import { Avatar, type AvatarProps } from '@fluentui/react-components';

export interface PresenceAvatarProps {
  readonly name: string;
  readonly email: string | null;
  readonly photoUrl?: string | null;
  readonly size?: AvatarProps['size'];
}

export function PresenceAvatar({ name, photoUrl, size = 32 }: PresenceAvatarProps) {
  return <Avatar name={name} image={photoUrl ? { src: photoUrl } : undefined} size={size} aria-hidden />;
}
