import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Store } from '../../../core/store/index.js';
import type { DirectoryTables } from '../../directory/tables.js';
import { runSync } from '../../engine/run-sync.js';
import { tempStore } from '../../engine/test-helpers.js';
import { LdifSource } from './ldif-source.js';

let store: Store & { dispose(): Promise<void> };
let dir: string;
beforeEach(async () => {
  store = await tempStore();
  dir = mkdtempSync(path.join(tmpdir(), 'ldif-src-'));
});
afterEach(async () => {
  await store.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const person = (n: number, extra: string[] = []) =>
  [
    `dn: uid=p${n},ou=people,dc=x`,
    'objectClass: inetOrgPerson',
    `entryUUID: 00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    `cn: Person ${n}`,
    `mail: p${n}@x.example`,
    ...extra,
    '',
  ].join('\n');
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};
const live = async () =>
  (
    await (store.db as Kysely<DirectoryTables>).selectFrom('people').select('primary_email').where('deleted_at', 'is', null).orderBy('primary_email').execute()
  ).map((r) => r.primary_email);

describe('LdifSource through the engine', () => {
  it('loads the file, then an unchanged file is a no-op', async () => {
    const file = write('d.ldif', Array.from({ length: 25 }, (_, i) => person(i + 1)).join('\n'));
    const src = new LdifSource(file, { pageSize: 10 });
    expect(await runSync(src, { store })).toMatchObject({ status: 'ok', added: 25, mode: 'full' });
    expect(await runSync(src, { store })).toMatchObject({ status: 'ok', entries: 0, added: 0, updated: 0, mode: 'incremental' });
    expect(await runSync(src, { store, full: true })).toMatchObject({ status: 'ok', entries: 25, unchanged: 25 });
  });

  it('full-replace: an entry gone from a changed file is deleted (within the cap)', async () => {
    const file = write('d.ldif', Array.from({ length: 20 }, (_, i) => person(i + 1)).join('\n'));
    await runSync(new LdifSource(file), { store });
    write('d.ldif', Array.from({ length: 19 }, (_, i) => person(i + 1, i === 0 ? ['title: Boss'] : [])).join('\n'));
    const r = await runSync(new LdifSource(file), { store });
    expect(r).toMatchObject({ status: 'ok', updated: 1, missing: 1, deleted: 1 });
    expect(await live()).not.toContain('p20@x.example');
  });

  it('a broken line fails the run, names the line, and applies nothing', async () => {
    const file = write('d.ldif', Array.from({ length: 12 }, (_, i) => person(i + 1)).join('\n') + '\nthis is not ldif\n');
    const r = await runSync(new LdifSource(file, { pageSize: 5 }), { store });
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/d\.ldif: line 73: expected "attribute: value"/);
    expect(await live()).toEqual([]);
  });

  it('a missing file fails the run clearly', async () => {
    const r = await runSync(new LdifSource(path.join(dir, 'nope.ldif')), { store });
    expect(r).toMatchObject({ status: 'failed', error: expect.stringMatching(/nope\.ldif: not found/) });
  });
  it('deletes nobody when the file is rewritten while it is read, and keeps the old watermark (read again next time)', async () => {
    const all = Array.from({ length: 3000 }, (_, i) => person(i)).join('\n');
    const file = write('changing.ldif', all);
    const source = new LdifSource(file, { pageSize: 10 });
    const gen = source.read({ full: true, watermark: null, signal: new AbortController().signal });
    const first = await gen.next();
    expect(first.done).toBe(false);
    // The export job rewrites the file (a shorter one) while the people are being read.
    writeFileSync(file, Array.from({ length: 100 }, (_, i) => person(i)).join('\n'));
    const warnings: string[] = [];
    let next = await gen.next();
    while (!next.done) {
      warnings.push(...(next.value.warnings ?? []));
      next = await gen.next();
    }
    expect(next.value).toEqual({ complete: false });
    expect(warnings.join(' ')).toMatch(/changed while it was read/);
  });

  it('a rewrite that cuts the second read mid-record is that same rewrite, not a broken file: incomplete, nobody deleted', async () => {
    const all = Array.from({ length: 3000 }, (_, i) => person(i)).join('\n');
    const file = write('cut.ldif', all);
    expect(await runSync(new LdifSource(file), { store })).toMatchObject({ status: 'ok', added: 3000 });
    // While the next full pass reads the people, the file becomes one whose every line past the
    // read position is not LDIF: the parser fails on it wherever the read resumes.
    const r = await runSync(new LdifSource(file, { pageSize: 10 }), {
      store,
      full: true,
      onBatch: (i) => i === 0 && writeFileSync(file, 'not ldif at all\n'.repeat(all.length / 16 + 1)),
    });
    expect(r).toMatchObject({ status: 'incomplete', mode: 'full', missing: 0, deleted: 0 });
    expect(r.warnings.join(' ')).toMatch(/changed while it was read/);
    expect(await live()).toHaveLength(3000);
  });
});
