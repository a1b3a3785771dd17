import type { Aggregated, EndpointInput } from './aggregate.js';
import type { PresenceView } from './presence-api.js';

/** What a presence cluster tells the engine of this process. */
export interface ClusterEvents {
  /** A presence was published (here or on another process). Versions may arrive out of order. */
  changed(personId: string, view: PresenceView): void;
  /** Durable inputs of a person changed on another process: drop cached copies. */
  inputsChanged(personId: string, kind: InputKind): void;
  /** Endpoints vanished without a close (their process died): recompute these people. */
  endpointsLost(personIds: readonly string[]): void;
  /** Notifications may have been lost (the bus reconnected): re-read what is cached from the shared state. */
  resync(): void;
}

export type InputKind = 'manual' | 'oof' | 'calendar' | 'external' | 'blocks';

/**
 * Shared presence state of all API processes: live endpoints, the published presence of each
 * person with its version, and the notifications between processes. One process: in memory.
 * Many processes: Redis (see redis-cluster.ts).
 */
export interface PresenceCluster {
  readonly nodeId: string;
  start(events: ClusterEvents): Promise<void>;
  stop(): Promise<void>;
  putEndpoint(personId: string, endpoint: EndpointInput): Promise<void>;
  removeEndpoint(personId: string, endpointId: string): Promise<void>;
  /** Every live endpoint of a person, on any process. */
  endpointsOf(personId: string): Promise<EndpointInput[]>;
  /**
   * The endpoints with the person's input epoch: a counter that every endpoint or input change
   * bumps, so a publish computed from an older snapshot can be refused (see publish).
   */
  readEndpoints(personId: string): Promise<{ endpoints: EndpointInput[]; epoch: string }>;
  /** Published presences; people never published are missing from the map. */
  published(personIds: readonly string[]): Promise<Map<string, PresenceView>>;
  /**
   * Stamps the next version (never lower than any before it, on any process), stores and broadcasts.
   * With `epoch`, refuses (null) when the inputs changed since that snapshot: the caller recomputes.
   */
  publish(personId: string, presence: Aggregated, epoch?: string): Promise<PresenceView | null>;
  announceInputs(personId: string, kind: InputKind): Promise<void>;
}
