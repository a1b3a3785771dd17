// SCAFFOLD: presence — public entry of the presence feature; the presence helper replaces this folder.
export type { PresenceDto, Availability } from './presence-types.js';
export { usePresence } from './use-presence.js';
export { PresenceAvatar, type PresenceAvatarProps } from './presence-avatar.js';
export { PresenceLabel } from './presence-label.js';
export { StatusPicker } from './status-picker.js';
export { MyStatus } from './my-status.js';
export { useActivityReporter } from './use-activity-reporter.js';
