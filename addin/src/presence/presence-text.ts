import type { PresenceBadgeStatus } from '@fluentui/react-components';
import type { PresenceDto } from './presence-types.js';

/** The Fluent PresenceBadge status of a presence (idle states show as away, like Teams). */
export function badgeStatus(p: PresenceDto | undefined): PresenceBadgeStatus {
  switch (p?.availability) {
    case 'Available':
      return 'available';
    case 'AvailableIdle':
    case 'BeRightBack':
    case 'Away':
      return 'away';
    case 'Busy':
    case 'BusyIdle':
      return 'busy';
    case 'DoNotDisturb':
      return 'do-not-disturb';
    case 'Offline':
      return 'offline';
    default:
      return 'unknown';
  }
}

const ACTIVITY_TEXT: Partial<Record<string, string>> = {
  InAMeeting: 'In a meeting',
  InACall: 'In a call',
  Presenting: 'Presenting',
  OutOfOffice: 'Out of office',
  OffWork: 'Appears offline',
};

const AVAILABILITY_TEXT: Record<string, string> = {
  Available: 'Available',
  AvailableIdle: 'Inactive',
  Busy: 'Busy',
  BusyIdle: 'Busy · inactive',
  DoNotDisturb: 'Do not disturb',
  BeRightBack: 'Be right back',
  Away: 'Away',
  Offline: 'Offline',
  PresenceUnknown: 'Presence unknown',
};

/** The one-line status people read: activity when it says more than availability. */
export function presenceText(p: PresenceDto | undefined): string {
  if (!p) return 'Updating…';
  const activity = ACTIVITY_TEXT[p.activity];
  if (activity && p.availability !== 'Offline') return p.availability === 'BusyIdle' ? `${activity} · inactive` : activity;
  return AVAILABILITY_TEXT[p.availability] ?? p.availability;
}

/** "Last seen 5 min ago" for people who are not available; null when not worth saying. */
export function lastSeenText(p: PresenceDto | undefined, now = Date.now()): string | null {
  if (!p || p.lastActive === null || p.availability === 'Available' || p.availability === 'PresenceUnknown') return null;
  const min = Math.floor((now - p.lastActive) / 60_000);
  if (min < 1) return null;
  if (min < 60) return `Last seen ${min} min ago`;
  const h = Math.floor(min / 60);
  return h < 24 ? `Last seen ${h} h ago` : `Last seen ${Math.floor(h / 24)} d ago`;
}
