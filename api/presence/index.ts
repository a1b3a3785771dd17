// SCAFFOLD: replaced by the presence feature (issue 4).
import type { Migration } from '../../core/store/index.js';
import type { Feature, FeatureDeps } from '../feature.js';
import type { PresenceService, PresenceView } from './presence-api.js';

export * from './presence-api.js';
export const presenceMigrations: readonly Migration[] = [];

const OFFLINE: PresenceView = { availability: 'Offline', activity: 'Offline', note: null, outOfOffice: { active: false, message: null }, lastActive: null, version: 0 };

export function createPresenceFeature(_deps: FeatureDeps): Feature & { service: PresenceService } {
  const service: PresenceService = {
    presenceOf: async () => OFFLINE,
    isBlocked: async () => false,
    hasLiveEndpoint: async () => false,
    setOutOfOffice: async () => {},
    setCalendar: async () => {},
    setExternalEndpoint: async () => {},
    onChange: () => () => {},
  };
  return { name: 'presence', service };
}
