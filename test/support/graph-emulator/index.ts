import { randomBytes } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { GraphRoutes, type EmResponse } from './graph-routes.js';
import { GraphState } from './graph-state.js';
import { createTestTls, type TestTls } from './tls.js';

export { GraphState } from './graph-state.js';
export type { CalendarItem, AutomaticReplies, ContactFolder, Fault } from './graph-state.js';
export { createTestTls } from './tls.js';

export const EMULATOR_TENANT = '11111111-2222-3333-4444-555555555555';
export const EMULATOR_CLIENT_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
export const EMULATOR_CLIENT_SECRET = 'emulator-secret';

export interface GraphEmulator {
  readonly state: GraphState;
  /** e.g. https://127.0.0.1:PORT/v1.0 (GRAPH_BASE_URL) */
  readonly baseUrl: string;
  /** e.g. https://127.0.0.1:PORT (GRAPH_AUTHORITY) */
  readonly authority: string;
  readonly caFile: string;
  readonly ca: string;
  /** The GRAPH_* environment that points the product at this emulator. */
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts a Microsoft Graph emulator on loopback over HTTPS (a throw-away CA, see tls.ts): the
 * Entra token endpoint and OIDC metadata MSAL needs, and the Graph routes the product calls, in
 * Graph's documented shapes. Tests seed and mutate `state` and inject faults through it.
 */
export async function startGraphEmulator(options: { tls?: TestTls } = {}): Promise<GraphEmulator> {
  const tls = options.tls ?? createTestTls();
  const state = new GraphState();
  let origin = '';
  const routes = new GraphRoutes(state, () => `${origin}/v1.0`);
  const app = new Koa();

  app.use(async (ctx) => {
    const raw = ['POST', 'PATCH', 'PUT'].includes(ctx.method) ? (await getRawBody(ctx.req, { limit: '20mb' })).toString('utf8') : '';
    const headers = Object.fromEntries(Object.entries(ctx.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v ?? '')]));
    const tenantRoute = /^\/([^/]+)\/(oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration)$/.exec(ctx.path);
    if (tenantRoute && tenantRoute[2] === 'oauth2/v2.0/token' && ctx.method === 'POST') {
      const form = new URLSearchParams(raw);
      if (
        tenantRoute[1] !== EMULATOR_TENANT ||
        form.get('client_id') !== EMULATOR_CLIENT_ID ||
        form.get('client_secret') !== EMULATOR_CLIENT_SECRET ||
        form.get('grant_type') !== 'client_credentials'
      ) {
        ctx.status = 401;
        ctx.body = { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' };
        return;
      }
      const token = `emu-${randomBytes(12).toString('hex')}`;
      state.tokens.set(token, Date.now() + state.tokenLifetimeSeconds * 1000);
      state.tokensIssued++;
      ctx.body = { token_type: 'Bearer', expires_in: state.tokenLifetimeSeconds, ext_expires_in: state.tokenLifetimeSeconds, access_token: token };
      return;
    }
    if (tenantRoute && ctx.method === 'GET') {
      const t = tenantRoute[1];
      ctx.body = {
        token_endpoint: `${origin}/${t}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${origin}/${t}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${origin}/${t}/v2.0`,
        authorization_endpoint: `${origin}/${t}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${origin}/${t}/oauth2/v2.0/logout`,
        device_authorization_endpoint: `${origin}/${t}/oauth2/v2.0/devicecode`,
        tenant_region_scope: 'EU',
        cloud_instance_name: 'emulator.local',
      };
      return;
    }
    if (ctx.path === '/common/discovery/instance') {
      const host = new URL(origin).host;
      ctx.body = {
        tenant_discovery_endpoint: `${origin}/${EMULATOR_TENANT}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      };
      return;
    }
    if (!ctx.path.startsWith('/v1.0/')) {
      ctx.status = 404;
      return;
    }
    const gpath = ctx.path.slice('/v1.0'.length);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return send(ctx, { status: 400, body: { error: { code: 'BadRequest', message: 'Invalid JSON' } } }, gpath, false, undefined);
    }
    if (gpath === '/$batch' && ctx.method === 'POST') {
      const token = (headers.authorization ?? '').replace(/^Bearer /, '');
      const exp = state.tokens.get(token);
      if (!exp || exp < Date.now())
        return send(ctx, { status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired.' } } }, gpath, false, body);
      const fault = routes.fault('POST', gpath, false);
      if (fault && !fault.afterApplying) return send(ctx, routes.injected(fault), gpath, false, body);
      const reqs = (body as { requests?: { id: string; method: string; url: string; headers?: Record<string, string>; body?: unknown }[] })?.requests;
      if (!Array.isArray(reqs) || reqs.length > 20)
        return send(ctx, { status: 400, body: { error: { code: 'BadRequest', message: 'A batch holds 1 to 20 requests.' } } }, gpath, false, body);
      const responses = await Promise.all(
        reqs.map(async (r) => {
          const u = new URL(r.url.startsWith('/') ? r.url : `/${r.url}`, 'http://x');
          const res = await routes.handle({
            method: r.method.toUpperCase(),
            path: u.pathname,
            query: u.searchParams,
            headers: lower(r.headers ?? {}),
            body: r.body,
            inBatch: true,
          });
          record(u.pathname, r.method.toUpperCase(), true, res.status, r.body);
          const out: Record<string, unknown> = { id: r.id, status: res.status, headers: res.headers ?? {} };
          if (Buffer.isBuffer(res.body)) {
            out.body = res.body.toString('base64');
            (out.headers as Record<string, string>)['Content-Type'] ??= 'application/octet-stream';
          } else if (res.body) {
            out.body = res.body;
            (out.headers as Record<string, string>)['Content-Type'] = 'application/json';
          }
          return out;
        }),
      );
      return send(ctx, { status: 200, body: { responses } }, gpath, false, body);
    }
    const res = await routes.handle({ method: ctx.method, path: gpath, query: new URLSearchParams(ctx.querystring), headers, body, inBatch: false });
    send(ctx, res, gpath, false, body);
  });

  function record(p: string, method: string, inBatch: boolean, status: number, body: unknown) {
    state.requests.push({ method, path: p, inBatch, at: Date.now(), status, body });
    if (state.requests.length > 50_000) state.requests.splice(0, 10_000);
  }
  function send(ctx: Koa.Context, res: EmResponse, p: string, inBatch: boolean, body: unknown) {
    record(p, ctx.method, inBatch, res.status, body);
    if (res.status === 0) {
      ctx.req.socket.destroy();
      ctx.respond = false;
      return;
    }
    ctx.status = res.status;
    for (const [k, v] of Object.entries(res.headers ?? {})) ctx.set(k, v);
    // Graph answers 202/204 with an empty body (Koa would otherwise write the status text).
    ctx.body = res.body !== undefined ? res.body : '';
  }

  const server = https.createServer({ cert: tls.cert, key: tls.key }, app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    state,
    baseUrl: `${origin}/v1.0`,
    authority: origin,
    caFile: tls.caFile,
    ca: tls.ca,
    env: (extra = {}) => ({
      GRAPH_TENANT_ID: EMULATOR_TENANT,
      GRAPH_CLIENT_ID: EMULATOR_CLIENT_ID,
      GRAPH_CLIENT_SECRET: EMULATOR_CLIENT_SECRET,
      GRAPH_BASE_URL: `${origin}/v1.0`,
      GRAPH_AUTHORITY: origin,
      GRAPH_CA_FILE: tls.caFile,
      ...extra,
    }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.tls) tls.dispose();
    },
  };
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
export { graphUser, graphOrgContact, outlookContact, guidOf } from './fixtures.js';
