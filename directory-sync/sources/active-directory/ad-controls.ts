import { Control } from 'ldapts';

/** LDAP_SERVER_SHOW_DELETED_OID: the search also returns tombstones (isDeleted=TRUE). */
export const SHOW_DELETED_OID = '1.2.840.113556.1.4.417';

/** The Show Deleted request control: no value, critical so a server without it fails loudly. */
export function showDeletedControl(): Control {
  return new Control(SHOW_DELETED_OID, { critical: true });
}
