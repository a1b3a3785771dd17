// The presence feature of the panes: live badges, labels, your own status, activity reporting.
export type { PresenceDto, Availability, ManualAvailability, MyPresenceDto } from './presence-types.js';
export { usePresence } from './use-presence.js';
export { PresenceAvatar, type PresenceAvatarProps } from './presence-avatar.js';
export { PresenceLabel } from './presence-label.js';
export { StatusPicker } from './status-picker.js';
export { MyStatus } from './my-status.js';
export { useActivityReporter } from './use-activity-reporter.js';
export { presenceText, badgeStatus, lastSeenText } from './presence-text.js';
export { PresenceStore, presenceStoreFor } from './presence-store.js';
