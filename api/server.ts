import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Router from '@koa/router';
import Koa from 'koa';
import { z } from 'zod';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { createBus, RedisBus, type Bus } from '../core/bus/index.js';
import { ROOT_DIR, type Config } from '../core/config/index.js';
import { createLogger, type Logger } from '../core/log/index.js';
import { openStore, runMigrations, sql, type Store } from '../core/store/index.js';
import { StoreDirectoryReader } from '../directory-sync/directory/index.js';
import { createAuthenticator, devSecret, mintDevToken, requireAuth } from './auth/index.js';
import { buildOpenApi } from './contract/index.js';
import type { Feature, FeatureDeps } from './feature.js';
import { createFeatures, allMigrations } from './features.js';
import {
  cors,
  errorMiddleware,
  loopbackHostOnly,
  metricsAccess,
  httpMetrics,
  notFound,
  RateLimiter,
  readJson,
  requestContext,
  securityHeaders,
  staticFiles,
  tooManyRequests,
} from './http/index.js';
import {
  DEFAULT_GATEWAY_LIMITS,
  InlineSocketHost,
  MemoryTicketStore,
  ProcessSocketHost,
  RealtimeGateway,
  RedisTicketStore,
  type GatewayLimits,
} from './realtime/index.js';

/**
 * Realtime tickets per user: a refill of 2 a second and a burst of 40 (twice the connections a
 * user may hold) cover every pane (re)connecting at once; a client minting in a loop gets 429.
 */
const TICKETS_PER_SECOND = 2;
const TICKET_BURST = 40;
export const ADDIN_DIST = path.join(ROOT_DIR, 'addin/dist');

export interface ServerOptions {
  readonly logger?: Logger;
  readonly gatewayLimits?: Partial<GatewayLimits>;
  /** Test-only knobs passed to features (short TTLs, intervals). */
  readonly tuning?: Record<string, number>;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly http: Server;
  readonly app: Koa;
  readonly deps: FeatureDeps;
  readonly features: readonly Feature[];
  close(): Promise<void>;
}

const isPanePath = (p: string) => p.startsWith('/addin/') || p.startsWith('/demo/') || p === '/demo';

/** Builds and starts the whole API: store, bus, auth, features, realtime, panes. */
export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? createLogger(config.logLevel);
  const store: Store = await openStore(config.database, { onConnectionError: (err) => log.warn({ err }, 'a PostgreSQL connection was closed by the server') });
  await runMigrations(store, allMigrations);
  const bus: Bus = createBus(config.redis);
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });

  const directory = new StoreDirectoryReader(store);
  const groupsOf = async (id: string) => (await directory.getCard(id))?.groups ?? [];
  const auth = createAuthenticator(config, directory, groupsOf);
  const tickets = bus instanceof RedisBus ? new RedisTicketStore(bus.redis, bus.prefix) : new MemoryTicketStore();
  const limits: GatewayLimits = { ...DEFAULT_GATEWAY_LIMITS, ...options.gatewayLimits };
  const realtimeLog = log.child({ mod: 'realtime' });
  const sockets =
    config.env.REALTIME_SOCKETS === 'process'
      ? await ProcessSocketHost.start(limits, realtimeLog, { backlogWrites: options.tuning?.['realtime.backlogWrites'] })
      : new InlineSocketHost(limits);
  const gateway = new RealtimeGateway(tickets, sockets, realtimeLog, limits);
  new Gauge({
    name: 'realtime_connections',
    help: 'Open WebSocket connections on this process',
    registers: [metrics],
    collect() {
      this.set(gateway.connectionCount);
    },
  });

  const deps: FeatureDeps = { config, store, bus, log, directory, auth, gateway, metrics, tuning: Object.freeze({ ...options.tuning }) };
  const features = createFeatures(deps);

  const app = new Koa({ proxy: false });
  app.silent = true;
  app.use(requestContext(log));
  app.use(securityHeaders(isPanePath, config.auth.mode === 'oidc' ? [new URL(config.auth.issuer).origin] : []));
  app.use(cors(config.corsOrigins));
  app.use(errorMiddleware());
  if (config.auth.mode === 'dev') app.use(loopbackHostOnly());
  app.use(httpMetrics(metrics));

  const open = new Router();
  open.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  open.get('/readyz', async (ctx) => {
    const checks: Record<string, string> = {};
    try {
      await sql`select 1`.execute(store.db);
      checks.store = 'ok';
    } catch {
      checks.store = 'failing';
    }
    if (bus instanceof RedisBus) checks.redis = bus.redis.status === 'ready' ? 'ok' : 'failing';
    const ready = Object.values(checks).every((v) => v === 'ok');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not ready', checks };
  });
  open.get('/metrics', metricsAccess(config.env.METRICS_TOKEN), async (ctx) => {
    ctx.type = metrics.contentType;
    ctx.body = await metrics.metrics();
  });
  const openApi = buildOpenApi((JSON.parse(readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string }).version);
  open.get('/openapi.json', (ctx) => {
    ctx.body = openApi;
  });
  if (config.auth.mode === 'dev') {
    // Demo sign-in for the demo host: dev auth only, and dev auth only ever runs on loopback.
    const secret = devSecret(config.auth.secret);
    open.post('/dev/token', async (ctx) => {
      const { email } = await readJson(ctx, z.strictObject({ email: z.string().trim().toLowerCase().max(320) }));
      const person = await directory.findForLogin({ email });
      if (!person?.email) throw notFound('No such person in the directory');
      ctx.body = { token: await mintDevToken(person.email, secret), person };
    });
  }
  // Sign-in settings for the panes (public, no secrets): dev sign-in, or nested app authentication with the add-in's app.
  open.get('/addin/config.json', (ctx) => {
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = {
      authMode: config.auth.mode,
      clientId: config.env.ADDIN_CLIENT_ID ?? null,
      apiScope: config.env.ADDIN_API_SCOPE ?? null,
      // Entra issuers end in /v2.0; MSAL wants the tenant authority without it.
      authority: config.auth.mode === 'oidc' ? config.auth.issuer.replace(/\/v2\.0\/?$/, '') : null,
      // The demo host labels simulated statuses as such (see api/presence/demo-simulator.ts).
      demoSimulator: config.demo || config.env.DEMO_SIMULATOR,
    };
  });
  open.get('/', (ctx) => ctx.redirect('/demo/'));
  // The router is not strict ('/demo' also matches '/demo/'): redirect only the bare path, or it loops.
  open.get('/demo', (ctx, next) => (ctx.path === '/demo' ? ctx.redirect('/demo/') : next()));
  app.use(open.routes());
  app.use(staticFiles('/addin/', ADDIN_DIST));
  app.use(staticFiles('/demo/', path.join(ADDIN_DIST, 'demo')));

  const api = new Router();
  // A pane needs one ticket per (re)connect; a burst covers a few panes opening at once.
  const ticketLimit = new RateLimiter(TICKETS_PER_SECOND, TICKET_BURST);
  api.post('/v1/realtime/ticket', async (ctx) => {
    const wait = ticketLimit.take(ctx.state.principal.personId);
    if (wait > 0) throw tooManyRequests(Math.ceil(wait));
    ctx.body = { ticket: await tickets.issue(ctx.state.principal) };
  });
  for (const f of features) if (f.router) api.use(f.router.routes(), f.router.allowedMethods());
  // Everything under /v1 needs a user, including unknown routes (they 401 before they 404).
  const authenticate = requireAuth(auth);
  const apiRoutes = api.routes() as unknown as Koa.Middleware;
  app.use(async (ctx, next) => (ctx.path.startsWith('/v1/') ? authenticate(ctx, () => apiRoutes(ctx, next)) : next()));

  const http = createHttpServer({ requestTimeout: 30_000, headersTimeout: 20_000, keepAliveTimeout: 65_000 }, app.callback());
  gateway.attach(http);
  for (const f of features) await f.start?.();
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    http,
    app,
    deps,
    features,
    close: () =>
      (closing ??= (async () => {
        for (const f of [...features].reverse()) await f.stop?.().catch((err: unknown) => log.error({ err, feature: f.name }, 'stop failed'));
        await gateway.close();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        await bus.close();
        await store.close();
      })()),
  };
}
