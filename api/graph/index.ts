// SCAFFOLD: replaced by the Graph integration (issue 7).
import type { ChatFeature } from '../chat/index.js';
import type { Feature, FeatureDeps } from '../feature.js';
import type { PresenceService } from '../presence/index.js';

export function createGraphIntegration(_deps: FeatureDeps, _with: { presence: PresenceService; chat: ChatFeature }): Feature {
  return { name: 'graph' };
}
