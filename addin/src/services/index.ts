export {
  PaneServicesProvider,
  useApi,
  useMe,
  useOfficeHost,
  usePane,
  useRealtime,
  useRealtimeFrame,
  useRealtimeStatus,
  type PaneServices,
} from './pane-services.js';
export { PaneNavigationProvider, usePaneNavigation, type PaneNavigation, type PaneView } from './navigation.js';
