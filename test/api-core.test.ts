import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mintDevToken } from '../api/auth/index.js';
import { person } from './support/entries.js';
import { startTestServer, TEST_DEV_SECRET, type TestServer } from './support/test-server.js';

let server: TestServer;
const ALICE = 'alice.archer@contoso.test';

beforeAll(async () => {
  server = await startTestServer({
    seed: [
      person('alice.archer', { aliases: ['a.archer@contoso.test', 'alice@sales.contoso.test'], title: 'Head of Sales' }),
      person('bob.baker', { manager: { dn: 'cn=Alice Archer,ou=people,dc=contoso,dc=test' } }),
    ],
  });
});
afterAll(() => server.close());

describe('health and metadata', () => {
  it('answers /healthz and /readyz without auth', async () => {
    expect((await server.api('GET', '/healthz')).status).toBe(200);
    const ready = await server.api('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { store: 'ok' } });
  });

  it('serves Prometheus metrics', async () => {
    const text = await (await server.api('GET', '/metrics')).text();
    expect(text).toContain('http_requests_total');
    expect(text).toContain('realtime_connections');
  });

  it('serves /metrics to this machine only, not through a reverse proxy on it, and with METRICS_TOKEN to its bearer only', async () => {
    const proxied = await server.api('GET', '/metrics', { headers: { 'X-Forwarded-For': '203.0.113.7' } });
    expect(proxied.status).toBe(403);
    expect(((await proxied.json()) as { error: { message: string } }).error.message).toContain('METRICS_TOKEN');
    const TOKEN = 'scrape-token-0123456789';
    const guarded = await startTestServer({ env: { METRICS_TOKEN: TOKEN } });
    try {
      expect((await guarded.api('GET', '/metrics')).status).toBe(401);
      expect((await guarded.api('GET', '/metrics', { headers: { Authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      const ok = await guarded.api('GET', '/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('http_requests_total');
    } finally {
      await guarded.close();
    }
  });

  it('generates an OpenAPI document from the contract', async () => {
    const doc = (await (await server.api('GET', '/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/people/lookup', '/v1/me', '/v1/people/{id}/photo']));
  });
});

describe('auth and errors', () => {
  it('refuses /v1 without a token, unknown routes included', async () => {
    for (const p of ['/v1/me', '/v1/nope']) {
      const res = await server.api('GET', p);
      expect(res.status).toBe(401);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
  });

  it('checks the dev token signature and expiry', async () => {
    const me = (token: string) => fetch(`${server.url}/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    const good = await mintDevToken(ALICE, new TextEncoder().encode(TEST_DEV_SECRET));
    expect((await me(good)).status).toBe(200);
    // Same again: now from the principal cache, still the same answer.
    expect((await me(good)).status).toBe(200);
    expect((await me(await mintDevToken(ALICE, new TextEncoder().encode(`${TEST_DEV_SECRET}-other`)))).status).toBe(401);
    expect((await me(await mintDevToken(ALICE, new TextEncoder().encode(TEST_DEV_SECRET), -60))).status).toBe(401);
  });

  it('refuses a token for someone not in the directory', async () => {
    expect((await server.api('GET', '/v1/me', { as: 'stranger@contoso.test' })).status).toBe(401);
  });

  it('answers 404 as JSON for an unknown route once signed in', async () => {
    const res = await server.api('GET', '/v1/nope', { as: ALICE });
    expect(res.status).toBe(404);
    expect((await res.json()) as object).toHaveProperty('error.code', 'not_found');
  });

  it('sets security headers: API responses cannot be framed', async () => {
    const res = await server.api('GET', '/v1/me', { as: ALICE });
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});

describe('people', () => {
  it('GET /v1/me returns the caller', async () => {
    const res = await server.api('GET', '/v1/me', { as: 'ALICE.ARCHER@contoso.test' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { person: { displayName: string; aliases: string[] } };
    expect(body.person.displayName).toBe('Alice Archer');
    expect(body.person.aliases).toEqual(expect.arrayContaining(['a.archer@contoso.test']));
  });

  it('looks up primary and alias addresses case-insensitively, null for unknown', async () => {
    const res = await server.api('POST', '/v1/people/lookup', {
      as: ALICE,
      body: { emails: ['A.Archer@Contoso.test', 'bob.baker@contoso.test', 'nobody@x.test'] },
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { email: string; person: { displayName: string } | null }[] };
    expect(results.map((r) => r.person?.displayName ?? null)).toEqual(['Alice Archer', 'Bob Baker', null]);
    expect(results[0].email).toBe('A.Archer@Contoso.test');
  });

  it('answers null for strings that are not addresses, with the rest of the batch', async () => {
    const odd = ['/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=alice', 'bob smith', ''];
    const res = await server.api('POST', '/v1/people/lookup', { as: ALICE, body: { emails: [...odd, 'bob.baker@contoso.test'] } });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { email: string; person: { displayName: string } | null }[] };
    expect(results.map((r) => [r.email, r.person?.displayName ?? null])).toEqual([...odd.map((e) => [e, null]), ['bob.baker@contoso.test', 'Bob Baker']]);
  });

  it('refuses 1,001 addresses, wrong types, unknown fields and malformed JSON with 400', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `p${i}@x.test`);
    for (const body of [{ emails: many }, { emails: 'a@b.c' }, { emails: [7] }, { emails: ['x'.repeat(321)] }, { emails: [], extra: 1 }, '{"emails": [']) {
      const res = await server.api('POST', '/v1/people/lookup', { as: ALICE, body });
      expect(res.status).toBe(400);
    }
    expect((await server.api('GET', '/healthz')).status).toBe(200);
  });

  it('refuses an oversized body with 413 and keeps serving', async () => {
    const res = await server.api('POST', '/v1/people/lookup', { as: ALICE, body: JSON.stringify({ emails: ['a@b.c'], pad: 'x'.repeat(400_000) }) });
    expect(res.status).toBe(413);
    expect((await server.api('GET', '/healthz')).status).toBe(200);
  });

  it('searches and shows a contact card with the manager chain', async () => {
    const search = (await (await server.api('GET', '/v1/people/search?q=bob', { as: ALICE })).json()) as { results: { id: string }[] };
    expect(search.results).toHaveLength(1);
    const card = (await (await server.api('GET', `/v1/people/${search.results[0].id}`, { as: ALICE })).json()) as { managerChain: { displayName: string }[] };
    expect(card.managerChain.map((m) => m.displayName)).toEqual(['Alice Archer']);
  });

  it('treats LIKE wildcards in search as plain characters', async () => {
    const res = (await (await server.api('GET', '/v1/people/search?q=%25', { as: ALICE })).json()) as { results: unknown[] };
    expect(res.results).toHaveLength(0);
  });
});

describe('dev sign-in for the demo host', () => {
  it('mints a token for a directory person and refuses strangers', async () => {
    const ok = await server.api('POST', '/dev/token', { body: { email: 'Bob.Baker@contoso.test' } });
    expect(ok.status).toBe(200);
    const { token } = (await ok.json()) as { token: string };
    const me = await fetch(`${server.url}/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(((await me.json()) as { person: { displayName: string } }).person.displayName).toBe('Bob Baker');
    expect((await server.api('POST', '/dev/token', { body: { email: 'nobody@contoso.test' } })).status).toBe(404);
  });

  it('answers only requests that name a loopback host (no DNS rebinding to the dev token)', async () => {
    const { port } = new URL(server.url);
    const send = (host: string, method: string, p: string, body?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method, path: p, headers: { Host: host, 'Content-Type': 'application/json' } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.once('error', reject);
        req.end(body);
      });
    const token = JSON.stringify({ email: 'bob.baker@contoso.test' });
    const rebound = await send(`evil.example:${port}`, 'POST', '/dev/token', token);
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('token');
    expect((await send(`evil.example:${port}`, 'GET', '/demo/')).status).toBe(421);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `127.1.2.3:${port}`, `[::1]:${port}`]) {
      expect((await send(host, 'POST', '/dev/token', token)).status).toBe(200);
    }
  });
});

describe('framing and CORS', () => {
  it('lets Office hosts frame pane pages, and nobody frame the API', async () => {
    const pane = await server.api('GET', '/addin/outlook.html');
    const csp = pane.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/frame-ancestors [^;]*https:\/\/outlook\.office\.com/);
    expect(csp).toMatch(/frame-ancestors [^;]*https:\/\/\*\.officeapps\.live\.com/);
    expect(pane.headers.get('x-frame-options')).toBeNull();
    const api = await server.api('GET', '/healthz');
    expect(api.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('lets a pane open sockets to the host that served it only, and never copies a crafted Host into the policy', async () => {
    const port = new URL(server.url).port;
    const cspFor = (host: string) =>
      new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/addin/outlook.html', headers: { Host: host } }, (res) => {
          res.resume();
          resolve(String(res.headers['content-security-policy'] ?? ''));
        });
        req.once('error', reject);
        req.end();
      });
    const connect = (csp: string) => (/connect-src ([^;]*)/.exec(csp)?.[1] ?? '').split(' ');
    expect(connect(await cspFor(`localhost:${port}`))).toEqual(["'self'", `ws://localhost:${port}`, `wss://localhost:${port}`]);
    expect(connect(await cspFor(`[::1]:${port}`))).toEqual(["'self'", `ws://[::1]:${port}`, `wss://[::1]:${port}`]);
    const crafted = await cspFor('localhost script-src *');
    expect(connect(crafted)).toEqual(["'self'"]);
    expect(crafted).not.toContain('script-src *');
  });
});

describe('pane files', () => {
  it('answers HEAD like GET without the body (200, type and length), as uptime checks and CDNs expect', async () => {
    const get = await server.api('GET', '/addin/outlook.html');
    const body = await get.arrayBuffer();
    const head = await server.api('HEAD', '/addin/outlook.html');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(head.headers.get('content-length')).toBe(String(body.byteLength));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('CORS allowlist', () => {
  let corsServer: TestServer;
  beforeAll(async () => {
    corsServer = await startTestServer({ env: { CORS_ORIGINS: 'https://panes.contoso.test' }, seed: [person('alice.archer')] });
  });
  afterAll(() => corsServer.close());

  it('answers preflight for an allowed origin, without credentials', async () => {
    const res = await corsServer.api('OPTIONS', '/v1/people/lookup', {
      headers: { Origin: 'https://panes.contoso.test', 'Access-Control-Request-Method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://panes.contoso.test');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('gives other origins no CORS headers', async () => {
    const res = await corsServer.api('GET', '/v1/me', { as: ALICE, headers: { Origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
