import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXIT, main } from './cli.js';

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
});
