// Admin sync routes against the real server: admins only, status with runs and warnings, runs
// started on demand (202), 409 while another process holds the sync lease.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StoreLease } from '../../directory-sync/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'admin-sync-'));
const ldif = path.join(dir, 'dir.ldif');
const ADMIN = 'ada.admin@corp.example';
const USER = 'uma.user@corp.example';

const person = (uid: string, extra: string[] = []) =>
  [`dn: uid=${uid},ou=people,dc=corp,dc=example`, 'objectClass: inetOrgPerson', `cn: ${uid}`, `mail: ${uid}@corp.example`, ...extra, ''].join('\n');
const group = (name: string, members: string[]) =>
  [
    `dn: cn=${name},ou=groups,dc=corp,dc=example`,
    'objectClass: groupOfNames',
    `cn: ${name}`,
    ...members.map((m) => `member: uid=${m},ou=people,dc=corp,dc=example`),
    '',
  ].join('\n');
const writeDirectory = (extra: string[] = []) =>
  writeFileSync(ldif, [person('ada.admin'), person('uma.user'), ...extra, group('Sync Admins', ['ada.admin'])].join('\n'));

let server: TestServer;
beforeAll(async () => {
  writeDirectory([person('no.mail').replace(/mail: .*\n/, '')]);
  server = await startTestServer({ env: { LDIF_FILE: ldif, ADMIN_GROUP: 'Sync Admins' } });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Status = {
  running: unknown;
  sources: {
    source: string;
    configured: boolean;
    watermark: Record<string, unknown> | null;
    people: number;
    lastRuns: { id: string; status: string; counts: Record<string, number>; warnings: string[]; warningCount: number }[];
  }[];
};
const status = async (): Promise<Status> => {
  const res = await server.api('GET', '/v1/admin/sync', { as: ADMIN });
  expect(res.status).toBe(200);
  return (await res.json()) as Status;
};
async function waitForRun(runId: string): Promise<Status['sources'][number]['lastRuns'][number]> {
  for (let i = 0; i < 100; i++) {
    const run = (await status()).sources.flatMap((s) => s.lastRuns).find((r) => r.id === runId);
    if (run && run.status !== 'running') return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${runId} did not finish`);
}

describe('admin sync routes', () => {
  it('refuses people who are not admins (403) and anonymous callers (401)', async () => {
    expect((await server.api('GET', '/v1/admin/sync', { as: USER })).status).toBe(403);
    expect((await server.api('POST', '/v1/admin/sync/ldif/run', { as: USER, body: {} })).status).toBe(403);
    expect((await server.api('GET', '/v1/admin/sync')).status).toBe(401);
  });

  it("shows each source's state, watermark, last runs and warnings", async () => {
    const s = await status();
    expect(s.running).toBeNull();
    const ldifState = s.sources.find((x) => x.source === 'ldif')!;
    expect(ldifState).toMatchObject({ configured: true, people: 2 });
    expect(ldifState.watermark).toEqual({ fileHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(ldifState.lastRuns[0]).toMatchObject({ status: 'ok', counts: expect.objectContaining({ added: 2, skipped: 1 }), warningCount: 1 });
    expect(ldifState.lastRuns[0].warnings[0]).toMatch(/uid=no\.mail.*no e-mail address, skipped/);
  });

  it('starts a run on demand (202) and reports it', async () => {
    writeDirectory([person('new.person')]);
    const res = await server.api('POST', '/v1/admin/sync/ldif/run', { as: ADMIN, body: { full: true } });
    expect(res.status).toBe(202);
    const { runId, status: st } = (await res.json()) as { runId: string; status: string };
    expect(st).toBe('running');
    const run = await waitForRun(runId);
    expect(run).toMatchObject({ status: 'ok', counts: expect.objectContaining({ added: 1, unchanged: 2 }) });
    const lookup = await server.api('POST', '/v1/people/lookup', { as: USER, body: { emails: ['new.person@corp.example'] } });
    expect(((await lookup.json()) as { results: { person: unknown }[] }).results[0].person).not.toBeNull();
  });

  it('answers 409 while another process holds the sync lease', async () => {
    const other = new StoreLease(server.deps.store, 'directory-sync', 'other-host:4242:test');
    await other.acquire('run-in-another-process');
    try {
      const res = await server.api('POST', '/v1/admin/sync/ldif/run', { as: ADMIN, body: {} });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('conflict');
      expect((await status()).running).toMatchObject({ runId: 'run-in-another-process', owner: 'other-host:4242:test' });
    } finally {
      await other.release();
    }
  });

  it('a run over the deletion cap is blocked until allowDeletes', async () => {
    writeFileSync(ldif, [person('ada.admin'), group('Sync Admins', ['ada.admin'])].join('\n'));
    const blocked = await waitForRun(
      ((await (await server.api('POST', '/v1/admin/sync/ldif/run', { as: ADMIN, body: {} })).json()) as { runId: string }).runId,
    );
    // 2 of 3 people gone: over 10% of the source.
    expect(blocked).toMatchObject({ status: 'deletions_blocked', counts: expect.objectContaining({ blockedDeletions: 2, deleted: 0 }) });
    const allowed = await waitForRun(
      ((await (await server.api('POST', '/v1/admin/sync/ldif/run', { as: ADMIN, body: { full: true, allowDeletes: true } })).json()) as { runId: string })
        .runId,
    );
    expect(allowed).toMatchObject({ status: 'ok', counts: expect.objectContaining({ deleted: 2 }) });
  });

  it('validates input: unknown source 404, unknown body field 400', async () => {
    expect((await server.api('POST', '/v1/admin/sync/nope/run', { as: ADMIN, body: {} })).status).toBe(404);
    expect((await server.api('POST', '/v1/admin/sync/ldif/run', { as: ADMIN, body: { full: true, force: 1 } })).status).toBe(400);
    expect((await server.api('POST', '/v1/admin/sync/ldif/run', { as: ADMIN, body: { full: 'yes' } })).status).toBe(400);
  });

  it('lists the routes in the OpenAPI document', async () => {
    const doc = (await (await server.api('GET', '/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/admin/sync', '/v1/admin/sync/{source}/run']));
  });
});
