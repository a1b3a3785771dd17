// SCAFFOLD: replaced by the documents feature (issue 6).
import type { Migration } from '../../core/store/index.js';
import type { Feature, FeatureDeps } from '../feature.js';

export const documentsMigrations: readonly Migration[] = [];

export function createDocumentsFeature(_deps: FeatureDeps): Feature {
  return { name: 'documents' };
}
