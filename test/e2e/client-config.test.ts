import { afterEach, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('GET /addin/config.json (pane sign-in settings)', () => {
  it('tells panes to use the dev sign-in in dev mode, without auth', async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/addin/config.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ authMode: 'dev', clientId: null, apiScope: null, authority: null, demoSimulator: false });
  });

  it('tells the demo host when the demo activity simulator runs (DEMO_SIMULATOR=true)', async () => {
    server = await startTestServer({ env: { DEMO_SIMULATOR: 'true' } });
    expect(((await (await fetch(`${server.url}/addin/config.json`)).json()) as { demoSimulator: boolean }).demoSimulator).toBe(true);
  });

  it('gives the nested app authentication settings in OIDC mode', async () => {
    server = await startTestServer({
      env: {
        AUTH_MODE: 'oidc',
        OIDC_ISSUER: 'https://login.microsoftonline.com/0c5f3c1e-7d2a-4b6e-9f1a-2b3c4d5e6f70/v2.0',
        OIDC_AUDIENCE: 'api://presence.example/5a1e2f3b-0000-4000-8000-000000000001',
        ADDIN_CLIENT_ID: '5a1e2f3b-0000-4000-8000-000000000001',
        ADDIN_API_SCOPE: 'api://presence.example/5a1e2f3b-0000-4000-8000-000000000001/access_as_user',
      },
    });
    const res = await fetch(`${server.url}/addin/config.json`);
    expect(await res.json()).toEqual({
      authMode: 'oidc',
      clientId: '5a1e2f3b-0000-4000-8000-000000000001',
      apiScope: 'api://presence.example/5a1e2f3b-0000-4000-8000-000000000001/access_as_user',
      authority: 'https://login.microsoftonline.com/0c5f3c1e-7d2a-4b6e-9f1a-2b3c4d5e6f70',
      demoSimulator: false,
    });
    // The dev sign-in does not exist in OIDC mode.
    expect(
      (await fetch(`${server.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"email":"a@b.c"}' })).status,
    ).toBe(404);
  });
});
