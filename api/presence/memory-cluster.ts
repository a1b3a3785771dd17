import { randomUUID } from 'node:crypto';
import { nextVersion, type Aggregated, type EndpointInput } from './aggregate.js';
import type { ClusterEvents, InputKind, PresenceCluster } from './cluster.js';
import type { PresenceView } from './presence-api.js';

/** The single-process cluster: everything in this process's memory. */
export class MemoryCluster implements PresenceCluster {
  readonly nodeId = randomUUID();
  readonly #endpoints = new Map<string, Map<string, EndpointInput>>();
  readonly #published = new Map<string, PresenceView>();
  #events: ClusterEvents | undefined;

  constructor(readonly now: () => number = Date.now) {}

  async start(events: ClusterEvents): Promise<void> {
    this.#events = events;
  }

  async stop(): Promise<void> {
    this.#events = undefined;
  }

  async putEndpoint(personId: string, endpoint: EndpointInput): Promise<void> {
    let eps = this.#endpoints.get(personId);
    if (!eps) this.#endpoints.set(personId, (eps = new Map()));
    eps.set(endpoint.id, endpoint);
  }

  async removeEndpoint(personId: string, endpointId: string): Promise<void> {
    const eps = this.#endpoints.get(personId);
    if (!eps) return;
    eps.delete(endpointId);
    if (eps.size === 0) this.#endpoints.delete(personId);
  }

  async endpointsOf(personId: string): Promise<EndpointInput[]> {
    return [...(this.#endpoints.get(personId)?.values() ?? [])];
  }

  async readEndpoints(personId: string): Promise<{ endpoints: EndpointInput[]; epoch: string }> {
    // One process serialises all work on a person, so a snapshot cannot go stale before publish.
    return { endpoints: await this.endpointsOf(personId), epoch: '' };
  }

  async published(personIds: readonly string[]): Promise<Map<string, PresenceView>> {
    const out = new Map<string, PresenceView>();
    for (const id of personIds) {
      const v = this.#published.get(id);
      if (v) out.set(id, v);
    }
    return out;
  }

  async publish(personId: string, presence: Aggregated, _epoch?: string): Promise<PresenceView | null> {
    const view: PresenceView = { ...presence, version: nextVersion(this.#published.get(personId)?.version ?? 0, this.now()) };
    this.#published.set(personId, view);
    this.#events?.changed(personId, view);
    return view;
  }

  async announceInputs(_personId: string, _kind: InputKind): Promise<void> {
    // One process: nobody else caches inputs.
  }
}
