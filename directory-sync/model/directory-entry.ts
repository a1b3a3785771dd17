/**
 * One person or contact as a source reads it, before it reaches the store. Every source
 * (ldap, ad, ldif, graph) produces these; the sync engine writes them.
 */
export interface DirectoryEntry {
  /** Immutable id in the source: AD objectGUID (string form), LDAP entryUUID, Graph id. */
  readonly externalId: string;
  readonly kind: 'person' | 'contact';
  readonly dn?: string;
  /** Primary SMTP address, lower-cased; null when the entry has none (it is then skipped). */
  readonly primaryEmail: string | null;
  /** Other SMTP addresses (proxyAddresses smtp:, mail aliases), lower-cased, primary excluded. */
  readonly aliases: readonly string[];
  readonly displayName: string;
  readonly givenName?: string;
  readonly surname?: string;
  readonly title?: string;
  readonly department?: string;
  readonly company?: string;
  readonly office?: string;
  readonly phones: readonly Phone[];
  /** The manager as the source names it: a DN (LDAP/AD) or an external id (Graph). */
  readonly manager?: { readonly dn?: string; readonly externalId?: string };
  readonly photo?: Uint8Array | null;
  /** Names of the groups the entry belongs to, nested memberships expanded. */
  readonly groups: readonly string[];
  readonly disabled: boolean;
  readonly upn?: string;
  /** Key for hybrid join: base64 objectGUID (AD) / onPremisesImmutableId (Entra). */
  readonly immutableId?: string;
  /** Set for personal (Outlook) contacts: the person whose contact this is. */
  readonly ownerExternalId?: string;
}

export interface Phone {
  readonly type: 'business' | 'mobile' | 'home' | 'fax' | 'other';
  readonly number: string;
}
