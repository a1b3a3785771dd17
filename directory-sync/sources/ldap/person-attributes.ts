// Apart from attribute-map.ts: the reader thread needs this list but not zod, which parses the
// map once in the main thread (loading zod there would cost the thread ~0.1 s before its first page).
import type { AttributeMap } from './attribute-map.js';

/** Every attribute a person search asks for. */
export function personAttributes(map: AttributeMap): string[] {
  const fields: (keyof AttributeMap)[] = [
    'id',
    'modifyTimestamp',
    'mail',
    'proxyAddresses',
    'displayName',
    'givenName',
    'surname',
    'title',
    'department',
    'company',
    'office',
    'businessPhone',
    'mobilePhone',
    'homePhone',
    'fax',
    'manager',
    'photo',
    'upn',
    'disabled',
    'memberOf',
  ];
  return [...new Set(fields.flatMap((f) => map[f] as string[]))];
}
