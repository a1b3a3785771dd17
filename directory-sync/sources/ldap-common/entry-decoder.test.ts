import { describe, expect, it } from '@jest/globals';
import { BerWriter, EqualityFilter, MessageParser, SearchEntry, SearchRequest, SearchResponse } from 'ldapts';
import { DecodedSearchEntry, decodeEntriesWith } from './entry-decoder.js';

type Value = string | Buffer;

/** A SearchResultEntry message (RFC 4511 section 4.5.2) as a server would send it. */
function entryMessage(messageId: number, dn: string, attributes: [string, Value[]][]): Buffer {
  const w = new BerWriter();
  w.startSequence();
  w.writeInt(messageId);
  w.startSequence(0x64);
  w.writeString(dn);
  w.startSequence();
  for (const [type, values] of attributes) {
    w.startSequence();
    w.writeString(type);
    w.startSequence(0x31);
    for (const v of values) w.writeBuffer(Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8'), 0x04);
    w.endSequence();
    w.endSequence();
  }
  w.endSequence();
  w.endSequence();
  w.endSequence();
  return w.buffer;
}

/** A SearchResultDone with success. */
function doneMessage(messageId: number): Buffer {
  const w = new BerWriter();
  w.startSequence();
  w.writeInt(messageId);
  w.startSequence(0x65);
  w.writeEnumeration(0);
  w.writeString('');
  w.writeString('');
  w.endSequence();
  w.endSequence();
  return w.buffer;
}

const request = (binary: string[] = []) =>
  new SearchRequest({
    messageId: 7,
    baseDN: 'dc=example,dc=com',
    filter: new EqualityFilter({ attribute: 'uid', value: 'x' }),
    explicitBufferAttributes: binary,
  });

/** Feeds `chunks` to a parser (with the decoder unless `plain`) and returns the messages it emitted. */
function parse(chunks: Buffer[], req: SearchRequest, plain = false): unknown[] {
  const parser = new MessageParser();
  if (!plain) decodeEntriesWith(parser);
  const out: unknown[] = [];
  parser.on('message', (m) => out.push(m));
  parser.on('error', (e) => out.push(e));
  const details = new Map([[String(req.messageId), { message: req }]]) as never;
  for (const c of chunks) parser.read(c, details);
  return out;
}

const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const notUtf8 = Buffer.from([0x41, 0xc3, 0x28, 0x42]);

describe('DecodedSearchEntry', () => {
  it('decodes names lower-cased with options, text as strings, binary attributes as Buffers', () => {
    const msg = entryMessage(7, 'uid=Zoë Ünal,ou=People,dc=example,dc=com', [
      ['cn', ['Zoë Ünal']],
      ['mail', ['zoe@example.com', 'z.unal@example.com']],
      ['jpegPhoto', [photo]],
      ['member;range=0-1499', ['uid=a,dc=x', 'uid=b,dc=x']],
      ['description', ['a long value '.repeat(40)]],
      ['seeAlso', []],
    ]);
    const [entry] = parse([msg], request(['jpegPhoto'])) as DecodedSearchEntry[];
    expect(entry).toBeInstanceOf(DecodedSearchEntry);
    expect(entry).toBeInstanceOf(SearchEntry);
    expect(entry!.entry).toEqual({
      dn: 'uid=Zoë Ünal,ou=People,dc=example,dc=com',
      attributes: {
        cn: ['Zoë Ünal'],
        mail: ['zoe@example.com', 'z.unal@example.com'],
        jpegphoto: [photo],
        'member;range=0-1499': ['uid=a,dc=x', 'uid=b,dc=x'],
        description: ['a long value '.repeat(40)],
      },
    });
    // A copy, not a view into the socket chunk.
    const got = entry!.entry.attributes.jpegphoto![0] as Buffer;
    expect(got.buffer).not.toBe(msg.buffer);
  });

  it('reads the same values as ldapts itself', () => {
    const attributes: [string, Value[]][] = [
      ['givenName', ['Ånne']],
      ['telephoneNumber', ['+1 555 0100', '+1 555 0101']],
      ['title', ['\uFFFD literally']],
      ['objectGUID', [Buffer.from('00112233445566778899aabbccddeeff', 'hex')]],
    ];
    const msg = entryMessage(7, 'cn=Ånne,dc=example,dc=com', attributes);
    const [ours] = parse([msg], request(['objectGUID'])) as DecodedSearchEntry[];
    const [theirs] = parse([msg], request(['objectGUID']), true) as SearchEntry[];
    expect(theirs).not.toBeInstanceOf(DecodedSearchEntry);
    for (const a of theirs!.attributes) {
      const name = a.type.toLowerCase();
      expect(ours!.entry.attributes[name]).toEqual(name === 'objectguid' ? a.parsedBuffers : a.values);
    }
    expect(ours!.entry.dn).toBe(theirs!.name);
  });

  it('hands every value of an attribute as bytes when one is not UTF-8, as ldapts does', () => {
    const [entry] = parse([entryMessage(7, 'uid=x', [['description', ['plain', notUtf8]]])], request()) as DecodedSearchEntry[];
    expect(entry!.entry.attributes.description).toEqual([Buffer.from('plain'), notUtf8]);
  });

  it('decodes messages split across socket chunks and several in one chunk', () => {
    const a = entryMessage(7, 'uid=a,dc=x', [['cn', ['A']]]);
    const b = entryMessage(7, 'uid=b,dc=x', [['cn', ['B'.repeat(300)]]]);
    const all = Buffer.concat([a, b, doneMessage(7)]);
    const cut = a.length + 20;
    const out = parse([all.subarray(0, cut), all.subarray(cut)], request());
    expect(out.map((m) => (m instanceof DecodedSearchEntry ? m.entry.dn : m instanceof SearchResponse ? 'done' : String(m)))).toEqual([
      'uid=a,dc=x',
      'uid=b,dc=x',
      'done',
    ]);
  });

  it('gives ldapts-shaped objects to a caller that uses toObject', () => {
    const [entry] = parse(
      [
        entryMessage(7, 'uid=x', [
          ['cn', ['X']],
          ['mail', ['a@x', 'b@x']],
        ]),
      ],
      request(),
    ) as DecodedSearchEntry[];
    expect(entry!.toObject()).toEqual({ dn: 'uid=x', cn: 'X', mail: ['a@x', 'b@x'] });
  });

  it('turns a malformed entry into a parser error, not a crash or a wrong entry', () => {
    const good = entryMessage(7, 'uid=x', [['cn', ['X']]]);
    // The attribute value's length byte claims more than its set holds (the outer lengths stay right).
    const bad = Buffer.from(good);
    const at = bad.lastIndexOf(Buffer.from([0x04, 0x01, 0x58]));
    bad[at + 1] = 0x05;
    const out = parse([bad], request());
    expect(out).toHaveLength(1);
    expect(out[0]).toBeInstanceOf(Error);
    expect(String(out[0])).toMatch(/malformed search result entry/);
    // An unexpected tag where the attribute list belongs.
    const wrongTag = Buffer.from(good);
    wrongTag[wrongTag.indexOf(Buffer.from('uid=x')) + 5] = 0x31;
    expect(String(parse([wrongTag], request())[0])).toMatch(/expected tag 0x30, got 0x31/);
  });
});
