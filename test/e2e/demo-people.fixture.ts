import { deflateSync } from 'node:zlib';
import type { DirectoryEntry } from '../../directory-sync/directory/index.js';

// The demo directory's fixed people (same addresses and reporting lines as directory-sync/demo; titles may differ),
// for browser tests that must not depend on the full demo LDIF.

const dn = (name: string) => `cn=${name},ou=people,dc=auroraworks,dc=example`;

function entry(local: string, name: string, title: string, department: string, extra: Partial<DirectoryEntry> = {}): DirectoryEntry {
  const email = `${local}@auroraworks.example`;
  const [givenName, ...rest] = name.split(' ');
  return {
    externalId: `demo-${local}`,
    kind: 'person',
    dn: dn(name),
    primaryEmail: email,
    aliases: [],
    displayName: name,
    givenName,
    surname: rest.join(' '),
    title,
    department,
    company: 'Aurora Works',
    office: 'Berlin',
    phones: [{ type: 'business', number: '+49 30 5550 1000' }],
    groups: ['All Staff'],
    disabled: false,
    upn: email,
    ...extra,
  };
}

/** A small solid-colour PNG, so a photo really goes over the wire. */
export function solidPng(size: number, [r, g, b]: [number, number, number]): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [r, g, b]).flat())]);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  return new Uint8Array(
    Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]),
  );
}

export const DEMO_FIXTURE: readonly DirectoryEntry[] = [
  entry('alex.morgan', 'Alex Morgan', 'Chief Executive Officer', 'Executive'),
  entry('priya.natarajan', 'Priya Natarajan', 'VP Engineering', 'Engineering', {
    aliases: ['priya@auroraworks.example', 'p.natarajan@auroraworks.example'],
    manager: { dn: dn('Alex Morgan') },
  }),
  entry('sam.okafor', 'Sam Okafor', 'Software Engineer', 'Engineering', { manager: { dn: dn('Priya Natarajan') }, photo: solidPng(48, [30, 110, 170]) }),
  entry('lena.fischer', 'Lena Fischer', 'Sales Manager', 'Sales', { manager: { dn: dn('Alex Morgan') } }),
  entry('diego.ramos', 'Diego Ramos', 'IT Administrator', 'IT', { manager: { dn: dn('Alex Morgan') } }),
  entry('mei.chen', 'Mei Chen', 'Product Designer', 'Product', { manager: { dn: dn('Priya Natarajan') } }),
  {
    externalId: 'demo-contact-jordan.blake',
    kind: 'contact',
    dn: 'cn=Jordan Blake,ou=contacts,dc=auroraworks,dc=example',
    primaryEmail: 'jordan.blake@partner.example',
    aliases: [],
    displayName: 'Jordan Blake',
    title: 'Procurement Lead',
    company: 'Partner Co.',
    phones: [],
    groups: [],
    disabled: false,
  },
];
