import { describe, expect, it } from '@jest/globals';
import { contentHash } from '../../directory/directory-writer.js';
import type { DirectoryEntry } from '../../model/directory-entry.js';
import { packBatch, unpackBatches } from './batch-wire.js';

const entry = (id: string, photo: Uint8Array | null | undefined): DirectoryEntry => ({
  externalId: id,
  kind: 'person',
  dn: `uid=${id},dc=x`,
  primaryEmail: `${id}@x.com`,
  aliases: [`a-${id}@x.com`],
  displayName: `Person ${id}`,
  title: undefined,
  phones: [{ type: 'mobile', number: '+1 555' }],
  manager: { dn: 'uid=boss,dc=x' },
  photo,
  groups: ['b', 'a'],
  disabled: false,
});

describe('batch wire format (read worker → engine thread)', () => {
  it('round-trips entries, photos (bytes, none, unsaid) and the rest of the batch; hashes are contentHash', () => {
    const a = [entry('1', Buffer.from([0xff, 0xd8, 1, 2])), entry('2', null), entry('3', undefined)];
    const b = [entry('4', new Uint8Array([9, 8, 7]))];
    const p1 = packBatch({ upserts: a, deletes: ['gone-1'], warnings: ['w1'] });
    const p2 = packBatch({ upserts: b, deletes: [], watermark: { modifyTimestamp: '20260101000000Z' } });
    // Photos travel in one transferred buffer per batch, not inside the message.
    expect(p1.transfer[0]!.byteLength).toBe(4);
    const back = unpackBatches([p1.message, p2.message]);
    expect(back.upserts.map((e) => e.externalId)).toEqual(['1', '2', '3', '4']);
    expect(Buffer.from(back.upserts[0]!.photo!).toString('hex')).toBe('ffd8' + '0102');
    expect(back.upserts[1]!.photo).toBeNull();
    expect('photo' in back.upserts[2]!).toBe(false);
    expect(Buffer.from(back.upserts[3]!.photo!).toString('hex')).toBe('090807');
    expect(back.hashes).toEqual([...a, ...b].map((e) => contentHash(e)));
    // The received entries hash the same as the sent ones (what the engine would compute itself).
    expect(back.upserts.map((e) => contentHash(e))).toEqual(back.hashes);
    expect(back).toMatchObject({ deletes: ['gone-1'], warnings: ['w1'], watermark: { modifyTimestamp: '20260101000000Z' } });
    const { photo: _p, ...rest } = a[0]!;
    expect(back.upserts[0]).toMatchObject(JSON.parse(JSON.stringify(rest)) as object);
  });

  it('an empty batch packs and unpacks', () => {
    const back = unpackBatches([packBatch({ upserts: [], deletes: [] }).message]);
    expect(back).toEqual({ upserts: [], hashes: [], deletes: [] });
  });
});
