// SCAFFOLD: replaced by the sync admin routes (issue 3).
import type { DirectorySync } from '../../directory-sync/index.js';
import type { Feature, FeatureDeps } from '../feature.js';

export function createAdminFeature(_deps: FeatureDeps, _sync: DirectorySync): Feature {
  return { name: 'admin' };
}
