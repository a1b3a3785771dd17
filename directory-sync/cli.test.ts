import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXIT, formatSummary, main } from './cli.js';
import { MemorySource } from './engine/memory-source.js';
import { newReport } from './engine/report.js';
import { SourceRegistry } from './engine/source-registry.js';
import { entry } from './engine/test-helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cli-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const people = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    [`dn: uid=u${i},ou=people,dc=x`, 'objectClass: inetOrgPerson', `cn: U ${i}`, `mail: u${i}@x.example`, ''].join('\n'),
  ).join('\n');

describe('sync CLI main()', () => {
  it('draws a progress bar on a terminal and prints the summary', async () => {
    const ldif = path.join(dir, 'a.ldif');
    writeFileSync(ldif, people(1200));
    let out = '';
    let err = '';
    const code = await main(
      [],
      { DATABASE_URL: path.join(dir, 'a.sqlite'), LDIF_FILE: ldif, AUTH_MODE: 'dev' },
      { out: (s) => (out += s), err: (s) => (err += s), isTty: true },
    );
    expect(code).toBe(EXIT.ok);
    expect(err).toContain('\r\u001b[2K');
    expect(err).toMatch(/ldif [█░]{20} (reading|reconciling) +[\d,]+ entries +[\d,]+\/s +\d+\.\d s/);
    expect(out).toMatch(
      /ldif: ok — full pass, 1200 entries read in \d+\.\d s\n {2}added 1200, updated 0, unchanged 0, disabled 0, deleted 0, missing 0, skipped 0, warnings 0/,
    );
  });

  it('reports a missing file as a failed run (exit 1)', async () => {
    let out = '';
    const code = await main(
      [],
      { DATABASE_URL: path.join(dir, 'b.sqlite'), LDIF_FILE: path.join(dir, 'missing.ldif'), AUTH_MODE: 'dev' },
      { out: (s) => (out += s), err: () => {}, isTty: false },
    );
    expect(code).toBe(EXIT.failed);
    expect(out).toMatch(/error: LDIF file .*missing\.ldif: not found/);
  });

  it('a full pass that cannot be completed exits 5 and says so; the next run, full again, exits 0; a failure elsewhere wins (exit 1)', async () => {
    const src = new MemorySource('memory', 10);
    for (let i = 1; i <= 5; i++) src.set(entry(i));
    const env = { DATABASE_URL: path.join(dir, 'c.sqlite'), AUTH_MODE: 'dev' };
    let out = '';
    const io = { out: (s: string) => (out += s), err: () => {}, isTty: false };
    const only = new SourceRegistry().register('memory', () => src);
    expect(await main([], env, io, only)).toBe(EXIT.ok);
    src.remove('uuid-user0005');
    src.incompleteFull = { needsFull: 'the connection moved to another domain controller during the pass (DC1 → DC2)' };
    out = '';
    expect(await main(['--full'], env, io, only)).toBe(EXIT.incomplete);
    expect(EXIT.incomplete).toBe(5);
    expect(out).toMatch(/memory: incomplete — full pass/);
    expect(out).toMatch(/deleted 0, missing 0/);
    expect(out).toMatch(/the full pass could not be completed: what it read is applied, nothing it did not see was deleted; the next run is a full pass/);
    out = '';
    expect(await main([], env, io, only)).toBe(EXIT.ok);
    expect(out).toMatch(/memory: ok — full pass/);
    expect(out).toMatch(/deleted 1, missing 1/);
    // Two sources, one incomplete and one failing: the failure decides the exit code.
    const broken = new MemorySource('broken', 10);
    broken.set(entry(99));
    broken.failAfterBatches = 0;
    src.incompleteFull = {};
    expect(
      await main(
        ['--full'],
        env,
        io,
        new SourceRegistry().register('memory', () => src).register('broken', () => broken),
      ),
    ).toBe(EXIT.failed);
  });

  it('the summary says when links to people another source still has were removed', () => {
    const r = newReport('run', 'ad', 'full', false, Date.now());
    r.status = 'ok';
    r.unlinked = 3;
    expect(formatSummary(r)).toMatch(/\n {2}3 people gone from this source are kept through another source \(only this source's link was removed\)/);
  });
});
