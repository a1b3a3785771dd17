import type { Phone } from '../model/directory-entry.js';

/** What the API shows of a person in lists (lookups, search, presence rows). */
export interface PersonSummary {
  readonly id: string;
  readonly kind: 'person' | 'contact';
  readonly displayName: string;
  readonly email: string | null;
  readonly title: string | null;
  readonly department: string | null;
  readonly hasPhoto: boolean;
  readonly disabled: boolean;
}

/** The contact card. */
export interface PersonCard extends PersonSummary {
  readonly givenName: string | null;
  readonly surname: string | null;
  readonly company: string | null;
  readonly office: string | null;
  readonly phones: readonly Phone[];
  readonly aliases: readonly string[];
  readonly upn: string | null;
  readonly groups: readonly string[];
  /** Nearest manager first, up to the top of the chain. */
  readonly managerChain: readonly PersonSummary[];
  readonly directReports: readonly PersonSummary[];
  readonly sources: readonly string[];
}

export interface PersonPhoto {
  readonly bytes: Uint8Array;
  readonly contentType: string;
  readonly etag: string;
}
