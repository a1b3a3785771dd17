import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ROOT_DIR } from '../../core/config/index.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

// `npm start` with nothing configured: the product on its embedded default (SQLite, demo
// directory, dev auth on loopback). Started exactly as a newcomer would, as a separate process.
describe('npm start on the embedded default', () => {
  let child: ChildProcess;
  let base: string;
  let log = '';
  let dir: string;
  let startedIn: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'op-start-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      PORT: String(port),
      DATABASE_URL: path.join(dir, 'start.sqlite'),
      CI: 'true',
    };
    const t0 = Date.now();
    child = spawn('npm', ['start'], { cwd: ROOT_DIR, env, detached: true });
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    const deadline = t0 + 30_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`/demo/ not served within 30 s. Output:\n${log}`);
      const ok = await fetch(`${base}/demo/`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    startedIn = Date.now() - t0;
  }, 40_000);

  afterAll(async () => {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the demo host within 30 s and says it is in demo mode', () => {
    expect(startedIn).toBeLessThan(30_000);
    expect(log).toMatch(/demo mode/);
    expect(log).toMatch(/dev auth/);
  });

  it('serves both panes and the health endpoints', async () => {
    for (const p of ['/addin/outlook.html', '/addin/word.html', '/healthz', '/readyz', '/openapi.json']) {
      expect([p, (await fetch(base + p)).status]).toEqual([p, 200]);
    }
  });

  it('has the demo directory loaded: sign in as a demo person and look up colleagues', async () => {
    const signIn = await fetch(`${base}/dev/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'sam.okafor@auroraworks.example' }),
    });
    expect(signIn.status).toBe(200);
    const { token } = (await signIn.json()) as { token: string };
    const res = await fetch(`${base}/v1/people/lookup`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ emails: ['priya@auroraworks.example', 'alex.morgan@auroraworks.example'] }),
    });
    const { results } = (await res.json()) as { results: { person: { displayName: string; title: string } | null }[] };
    expect(results.map((r) => r.person && [r.person.displayName, r.person.title])).toEqual([
      ['Priya Natarajan', 'VP Engineering'],
      ['Alex Morgan', 'CEO'],
    ]);
  });
});
