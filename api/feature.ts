import type Router from '@koa/router';
import type { Registry } from 'prom-client';
import type { Bus } from '../core/bus/index.js';
import type { Config } from '../core/config/index.js';
import type { Logger } from '../core/log/index.js';
import type { Migration, Store } from '../core/store/index.js';
import type { DirectoryReader } from '../directory-sync/directory/index.js';
import type { Authenticator } from './auth/index.js';
import type { RealtimeGateway } from './realtime/index.js';

/** What every feature is built from. Created once in server.ts. */
export interface FeatureDeps {
  readonly config: Config;
  readonly store: Store;
  readonly bus: Bus;
  readonly log: Logger;
  readonly directory: DirectoryReader;
  readonly auth: Authenticator;
  readonly gateway: RealtimeGateway;
  readonly metrics: Registry;
  /** Overrides for tests (short TTLs, fake clocks); features read their own keys. */
  readonly tuning: Readonly<Record<string, number>>;
}

/** A feature folder's public face: routes under the authenticated /v1 router, lifecycle hooks. */
export interface Feature {
  readonly name: string;
  /** Routes that require a signed-in user (mounted behind requireAuth). */
  readonly router?: Router;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface FeatureModule {
  readonly migrations?: readonly Migration[];
}
