import type { DirectoryEntry } from '../../directory-sync/directory/index.js';

/** A directory entry with sensible defaults, for tests that need people in the store. */
export function person(localPart: string, extra: Partial<DirectoryEntry> = {}): DirectoryEntry {
  const email = `${localPart}@contoso.test`;
  const name = localPart.replace(/[._]/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
  return {
    externalId: `ext-${localPart}`,
    kind: 'person',
    dn: `cn=${name},ou=people,dc=contoso,dc=test`,
    primaryEmail: email,
    aliases: [],
    displayName: name,
    title: 'Engineer',
    department: 'Engineering',
    phones: [],
    groups: [],
    disabled: false,
    upn: email,
    ...extra,
  };
}
