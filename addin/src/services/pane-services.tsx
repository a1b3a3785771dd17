import { createContext, useContext, useEffect, useRef, useSyncExternalStore, type ReactNode } from 'react';
import type { ApiClient, Frame, MeResponse, RealtimeClient, RealtimeStatus } from '../api/index.js';
import type { OfficeHost } from '../office/index.js';

/** What every part of a pane may use: the API, the one realtime socket, the Office host and who is signed in. */
export interface PaneServices {
  readonly app: 'outlook' | 'word';
  readonly api: ApiClient;
  readonly realtime: RealtimeClient;
  readonly host: OfficeHost;
  readonly me: MeResponse;
}

const PaneContext = createContext<PaneServices | null>(null);

export function PaneServicesProvider({ services, children }: { services: PaneServices; children: ReactNode }) {
  return <PaneContext.Provider value={services}>{children}</PaneContext.Provider>;
}

export function usePane(): PaneServices {
  const ctx = useContext(PaneContext);
  if (!ctx) throw new Error('usePane() outside PaneServicesProvider');
  return ctx;
}

export const useApi = (): ApiClient => usePane().api;
export const useRealtime = (): RealtimeClient => usePane().realtime;
export const useOfficeHost = (): OfficeHost => usePane().host;
/** The signed-in person (`GET /v1/me`). */
export const useMe = (): MeResponse => usePane().me;

/** Subscribes a component to one realtime frame type; the latest handler is always used. */
export function useRealtimeFrame<T extends Frame = Frame>(type: string, handler: (frame: T) => void): void {
  const realtime = useRealtime();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => realtime.on<T>(type, (f) => ref.current(f)), [realtime, type]);
}

/** The realtime socket's status, re-rendering on change. */
export function useRealtimeStatus(): RealtimeStatus {
  const realtime = useRealtime();
  return useSyncExternalStore(
    (cb) => realtime.onStatus(cb),
    () => realtime.status,
  );
}
