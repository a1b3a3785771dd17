import { describe, expect, it } from '@jest/globals';
import { ConfigError, DEMO_LDIF_FILE, loadConfig } from './config.js';

const load = (env: Record<string, string>) => loadConfig(env, { dotEnvFile: false });

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs the demo on embedded defaults when nothing is configured', () => {
    const c = load({});
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', demo: true, auth: { mode: 'dev' }, database: { kind: 'sqlite' }, adminGroup: 'Presence Admins' });
    expect(c.env.LDIF_FILE).toBe(DEMO_LDIF_FILE);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.database)).toBe(true);
  });

  it('picks PostgreSQL for postgres:// URLs and Redis when REDIS_URL is set', () => {
    const c = load({ DATABASE_URL: 'postgres://u@db/x', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgres://u@db/x' });
    expect(c.redis).toEqual({ url: 'redis://127.0.0.1:6379', keyPrefix: 'op:' });
  });

  it('names the variable and the problem for invalid values', () => {
    expect(problemsOf({ PORT: 'eighty' })).toEqual([expect.stringMatching(/^PORT="eighty": must be a port number/)]);
    expect(problemsOf({ PORT: '70000' })[0]).toMatch(/^PORT=/);
    expect(problemsOf({ AUTH_MODE: 'magic' })[0]).toMatch(/^AUTH_MODE="magic"/);
    expect(problemsOf({ LDAP_URL: 'http://dc' })[0]).toMatch(/^LDAP_URL=.*ldap:\/\/ or ldaps:\/\//);
    expect(problemsOf({ DATABASE_URL: 'mysql://x' })[0]).toMatch(/^DATABASE_URL=/);
    expect(problemsOf({ SYNC_INTERVAL: '-5' })[0]).toMatch(/^SYNC_INTERVAL=/);
  });

  it('bounds PRESENCE_NODE_TTL_SECONDS so that a dead process goes Offline within 60 s', () => {
    expect(loadConfig({ PRESENCE_NODE_TTL_SECONDS: '45' }, { dotEnvFile: false }).env.PRESENCE_NODE_TTL_SECONDS).toBe(45);
    expect(() => loadConfig({ PRESENCE_NODE_TTL_SECONDS: '46' }, { dotEnvFile: false })).toThrow(/PRESENCE_NODE_TTL_SECONDS/);
  });

  it('refuses dev auth on a non-loopback HOST', () => {
    expect(problemsOf({ HOST: '0.0.0.0', AUTH_MODE: 'dev' })[0]).toMatch(/^AUTH_MODE: dev auth is refused on a non-loopback HOST/);
    expect(problemsOf({ HOST: '0.0.0.0' })[0]).toMatch(/dev auth is refused/);
  });

  it('requires issuer and audience for OIDC and refuses symmetric algorithms', () => {
    expect(problemsOf({ AUTH_MODE: 'oidc', HOST: '0.0.0.0' })).toEqual([expect.stringMatching(/^OIDC_ISSUER/), expect.stringMatching(/^OIDC_AUDIENCE/)]);
    expect(problemsOf({ OIDC_ISSUER: 'https://login.example/t/v2.0', OIDC_AUDIENCE: 'api://x', OIDC_ALGORITHMS: 'RS256,HS256' })[0]).toMatch(
      /^OIDC_ALGORITHMS/,
    );
    const c = load({ OIDC_ISSUER: 'https://login.example/t/v2.0', OIDC_AUDIENCE: 'api://x', HOST: '0.0.0.0' });
    expect(c.auth).toMatchObject({ mode: 'oidc', algorithms: ['RS256', 'ES256', 'PS256'] });
    expect(c.demo).toBe(false);
  });

  it('requires a base DN with LDAP and credentials with Graph', () => {
    expect(problemsOf({ LDAP_URL: 'ldaps://dc.corp' })[0]).toMatch(/^LDAP_BASE_DN/);
    expect(problemsOf({ GRAPH_TENANT_ID: 't' })[0]).toMatch(/^GRAPH_CLIENT_ID/);
  });

  it('lets the environment win over .env values', () => {
    const c = loadConfig({ PORT: '4000' }, { dotEnvFile: '/nonexistent/.env' });
    expect(c.port).toBe(4000);
  });
});
