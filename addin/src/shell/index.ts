export { mountPane, type PaneDefinition } from './mount-pane.js';
export { EmptyState } from './empty-state.js';
export { ErrorBoundary } from './error-boundary.js';
