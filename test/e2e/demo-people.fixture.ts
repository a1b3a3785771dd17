import type { DirectoryEntry } from '../../directory-sync/directory/index.js';
import { encodePng } from '../../core/image/png.js';

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
export function solidPng(size: number, rgb: [number, number, number]): Uint8Array {
  return new Uint8Array(encodePng(size, 3, () => rgb));
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
