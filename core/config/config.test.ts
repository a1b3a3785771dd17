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

  it('takes a blank value as unset (its default), not as 0', () => {
    const c = load({ PORT: '', SYNC_DELETE_CAP: ' ', LDAP_TIMEOUT_SECONDS: '', PRESENCE_NODE_TTL_SECONDS: '' });
    expect([c.port, c.env.SYNC_DELETE_CAP, c.env.LDAP_TIMEOUT_SECONDS, c.env.PRESENCE_NODE_TTL_SECONDS]).toEqual([3000, 500, 30, 30]);
  });

  it('refuses delays a timer cannot hold (past about 24 days they would fire at once)', () => {
    for (const v of [
      'SYNC_INTERVAL',
      'LDAP_TIMEOUT_SECONDS',
      'GRAPH_OOF_REFRESH_SECONDS',
      'GRAPH_CALENDAR_REFRESH_SECONDS',
      'GRAPH_TEAMS_REFRESH_SECONDS',
      'GRAPH_PHOTO_REFRESH_SECONDS',
    ])
      expect(problemsOf({ [v]: '2592000' })).toEqual([expect.stringMatching(new RegExp(`^${v}="2592000": must be at most 2147483`))]);
    expect(load({ SYNC_INTERVAL: '2147483' }).env.SYNC_INTERVAL).toBe(2147483);
    // A grace period is compared with timestamps, not a timer: a month is fine.
    expect(load({ SYNC_DELETE_GRACE_SECONDS: '2592000' }).env.SYNC_DELETE_GRACE_SECONDS).toBe(2592000);
  });

  it('refuses a METRICS_TOKEN short enough to guess', () => {
    expect(problemsOf({ METRICS_TOKEN: 'secret' })).toEqual([expect.stringMatching(/^METRICS_TOKEN.*at least 16 characters/)]);
    expect(load({ METRICS_TOKEN: 'a-long-scrape-token-123' }).env.METRICS_TOKEN).toBe('a-long-scrape-token-123');
  });

  it('refuses CORS entries that could never match an Origin header, and OIDC algorithm lists that accept nothing', () => {
    expect(problemsOf({ CORS_ORIGINS: 'https://ok.example, https://a.example/, *, https://b.example/path' })).toEqual([
      'CORS_ORIGINS: "https://a.example/" is not an origin (scheme://host[:port], no path, no wildcard); did you mean https://a.example?',
      'CORS_ORIGINS: "*" is not an origin (scheme://host[:port], no path, no wildcard)',
      'CORS_ORIGINS: "https://b.example/path" is not an origin (scheme://host[:port], no path, no wildcard); did you mean https://b.example?',
    ]);
    expect(load({ CORS_ORIGINS: 'https://ok.example,http://localhost:3000' }).corsOrigins).toEqual(['https://ok.example', 'http://localhost:3000']);
    const oidc = { OIDC_ISSUER: 'https://login.example/t/v2.0', OIDC_AUDIENCE: 'api://x', HOST: '0.0.0.0' };
    expect(problemsOf({ ...oidc, OIDC_ALGORITHMS: '' })[0]).toMatch(/^OIDC_ALGORITHMS: a comma-separated list of RS256/);
    expect(problemsOf({ ...oidc, OIDC_ALGORITHMS: 'RS256,foo' })[0]).toMatch(/^OIDC_ALGORITHMS: .*got "RS256,foo"/);
    expect(load({ ...oidc, OIDC_ALGORITHMS: 'ES384, EdDSA' }).auth).toMatchObject({ algorithms: ['ES384', 'EdDSA'] });
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
