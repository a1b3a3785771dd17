import { describe, expect, it } from '@jest/globals';
import type { DirectoryEntry } from '../model/directory-entry.js';
import { checkEntry, MAX_PHOTO_BYTES } from './validate-entry.js';

const base: DirectoryEntry = {
  externalId: 'id-1',
  kind: 'person',
  dn: 'UID=Ann, OU=People,DC=Example,DC=Com',
  primaryEmail: 'Ann@Example.com',
  aliases: [],
  displayName: 'Ann',
  phones: [],
  groups: [],
  disabled: false,
};
const check = (over: Partial<Record<keyof DirectoryEntry, unknown>>) => checkEntry({ ...base, ...over } as DirectoryEntry);

describe('checkEntry', () => {
  it('lower-cases addresses and DNs, drops bad and repeated aliases, and takes an alias as primary when there is none', () => {
    const r = check({
      aliases: ['ANN@example.com', 'a2@example.com', 'not an address', 'A2@example.com'],
      manager: { dn: 'UID=Boss, OU=People,DC=Example,DC=Com' },
    });
    expect(r.ok && r.entry).toMatchObject({
      primaryEmail: 'ann@example.com',
      aliases: ['a2@example.com'],
      dn: 'uid=ann,ou=people,dc=example,dc=com',
      manager: { dn: 'uid=boss,ou=people,dc=example,dc=com' },
    });
    expect(r.warnings).toEqual(['UID=Ann, OU=People,DC=Example,DC=Com: invalid address "not an address", dropped']);
    const promoted = check({ primaryEmail: 'bad', aliases: ['x@example.com', 'y@example.com'] });
    expect(promoted.ok && [promoted.entry.primaryEmail, promoted.entry.aliases]).toEqual(['x@example.com', ['y@example.com']]);
    const none = check({ primaryEmail: null, aliases: ['nope'] });
    expect(none.ok).toBe(false);
    expect(none.warnings.at(-1)).toMatch(/no e-mail address, skipped/);
  });

  it('turns control characters into blanks, trims text, bounds it with a warning, and drops what is not text', () => {
    const r = check({ title: '  Head\tof\u0000Sales \n', department: 'x'.repeat(300), company: 42, office: '   ' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.entry.title).toBe('Head of Sales');
    expect(r.entry.department).toHaveLength(256);
    expect(r.entry.company).toBeUndefined();
    expect(r.entry.office).toBeUndefined();
    expect(r.warnings).toEqual([
      expect.stringMatching(/department longer than 256 characters, trimmed/),
      expect.stringMatching(/company is not text, dropped/),
    ]);
  });

  it('keeps each group once, in order, up to 2,000, and skips blank or non-text ones', () => {
    const many = Array.from({ length: 2100 }, (_, i) => `G${i}`);
    const r = check({ groups: ['Sales', ' Sales ', '', 7, 'Engineering', 'Sales', ...many] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.entry.groups.slice(0, 3)).toEqual(['Sales', 'Engineering', 'G0']);
    expect(r.entry.groups).toHaveLength(2000);
    expect(new Set(r.entry.groups).size).toBe(2000);
    expect(r.warnings).toEqual([expect.stringMatching(/group is not text, dropped/)]);
  });

  it('drops repeated groups in short lists and in long ones alike', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `G${i}`);
    for (const n of [3, 16, 17, 40]) {
      const r = check({ groups: [...names(n), 'G0', ` G${n - 1} `, ...names(n)] });
      expect(r.ok && r.entry.groups).toEqual(names(n));
    }
  });

  it('drops a photo over the limit or empty, and tells none (null) from not said (undefined)', () => {
    const big = check({ photo: new Uint8Array(MAX_PHOTO_BYTES + 1) });
    expect(big.ok && big.entry.photo).toBeNull();
    expect(big.warnings[0]).toMatch(/photo of 102401 bytes is over 102400, dropped/);
    const empty = check({ photo: new Uint8Array(0) });
    expect(empty.ok && empty.entry.photo).toBeNull();
    const unsaid = check({ photo: undefined });
    expect(unsaid.ok && unsaid.entry.photo).toBeUndefined();
    const phones = check({
      phones: [
        { type: 'mobile', number: ' +1 555\u00070100 ' },
        { type: 'home', number: '' },
      ],
    });
    expect(phones.ok && phones.entry.phones).toEqual([{ type: 'mobile', number: '+1 555 0100' }]);
  });

  it('refuses an entry without a usable external id', () => {
    expect(check({ externalId: '  ' })).toEqual({ ok: false, warnings: [expect.stringMatching(/missing or invalid external id/)] });
    expect(check({ externalId: 'x'.repeat(201) }).ok).toBe(false);
  });
});
