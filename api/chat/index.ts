// SCAFFOLD: replaced by the chat feature (issue 5).
import type { Migration } from '../../core/store/index.js';
import type { Feature, FeatureDeps } from '../feature.js';
import type { PresenceService } from '../presence/index.js';
import type { MissedMessageNotifier } from './missed-message-notifier.js';

export type { MissedMessageNotifier } from './missed-message-notifier.js';
export const chatMigrations: readonly Migration[] = [];

export interface ChatFeature extends Feature {
  /** Replaces the missed-message notifier (default: log). */
  setNotifier(notifier: MissedMessageNotifier): void;
}

export function createChatFeature(_deps: FeatureDeps, _presence: PresenceService): ChatFeature {
  return { name: 'chat', setNotifier: () => {} };
}
