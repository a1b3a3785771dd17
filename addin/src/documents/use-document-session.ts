// SCAFFOLD: documents — no session tracking yet.
export interface DocumentParticipant {
  readonly email: string;
  readonly displayName: string;
  readonly personId: string | null;
  readonly position: { readonly paragraph: number; readonly heading: string | null } | null;
}

export interface DocumentSession {
  /** The server's key for this document once resolved. */
  readonly docKey: string | null;
  /** Other people in the document now. */
  readonly participants: readonly DocumentParticipant[];
  readonly error: string | null;
}

export function useDocumentSession(): DocumentSession {
  return { docKey: null, participants: [], error: null };
}
