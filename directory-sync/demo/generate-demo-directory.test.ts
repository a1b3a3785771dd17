import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { DEMO_LDIF_FILE } from '../../core/config/index.js';
import { parseLdif } from '../sources/ldif/index.js';
import { DEMO_LDIF, generateDemoDirectory } from './generate-demo-directory.js';
import { pngAvatar } from './png-avatar.js';

describe('demo directory', () => {
  it('the committed LDIF is exactly what the generator produces (deterministic)', () => {
    expect(DEMO_LDIF).toBe(DEMO_LDIF_FILE);
    const committed = readFileSync(DEMO_LDIF, 'utf8');
    expect(generateDemoDirectory()).toBe(committed);
    expect(committed.length).toBeLessThan(1_500_000);
  });

  it('parses, with ~300 people, 5 contacts, 15 small photos and the groups', async () => {
    let people = 0;
    let contacts = 0;
    const photos: Buffer[] = [];
    const groups: string[] = [];
    for await (const r of parseLdif(readFileSync(DEMO_LDIF, 'utf8').split('\n'))) {
      const classes = (r.attributes.get('objectclass') ?? []).map(String);
      if (classes.includes('contact')) contacts++;
      else if (classes.includes('inetOrgPerson')) people++;
      if (classes.includes('groupOfNames')) groups.push(String(r.attributes.get('cn')![0]));
      const photo = r.attributes.get('thumbnailphoto')?.[0];
      if (photo) photos.push(photo as Buffer);
    }
    expect(people).toBeGreaterThanOrEqual(290);
    expect(people).toBeLessThanOrEqual(310);
    expect(contacts).toBe(5);
    expect(photos).toHaveLength(15);
    for (const p of photos) expect(p.length).toBeLessThan(100 * 1024);
    expect(groups).toEqual(expect.arrayContaining(['Presence Admins', 'All Staff', 'Engineering Team']));
  });

  it('draws valid PNG avatars', () => {
    const png = pngAvatar([10, 20, 30], 32);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(32);
    const idatLen = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString('ascii')).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect(raw.length).toBe(32 * (1 + 32 * 3));
    expect([...raw.subarray(1, 4)]).toEqual([10, 20, 30]); // top-left pixel is background
  });
});
