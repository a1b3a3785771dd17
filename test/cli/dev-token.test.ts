import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { ROOT_DIR } from '../../core/config/index.js';

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT_DIR, 'api/auth/dev-token-cli.ts'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', DEV_AUTH_SECRET: 'cli-test-secret', ...env },
  });

describe('npm run dev-token', () => {
  it('prints the token alone, for scripts', () => {
    const r = run(['Sam.Okafor@auroraworks.example']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(decodeJwt(lines[0])).toMatchObject({ email: 'sam.okafor@auroraworks.example', iss: 'office-presence-dev' });
  });

  it('refuses a missing or malformed address with a usage line', () => {
    for (const args of [[], ['not-an-address']]) {
      const r = run(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('usage: npm run dev-token');
    }
  });

  it('refuses when the server would not accept dev tokens', () => {
    const r = run(['a@b.c'], { AUTH_MODE: 'oidc', OIDC_ISSUER: 'https://login.example/t/v2.0', OIDC_AUDIENCE: 'api://x' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not dev/);
  });
});
