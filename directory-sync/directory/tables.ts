/** Tables owned by the directory module. Timestamps are epoch milliseconds. */
export interface PeopleTable {
  id: string;
  kind: 'person' | 'contact';
  display_name: string;
  given_name: string | null;
  surname: string | null;
  title: string | null;
  department: string | null;
  company: string | null;
  office: string | null;
  phones: string; // JSON Phone[]
  primary_email: string | null;
  upn: string | null;
  immutable_id: string | null;
  manager_id: string | null;
  owner_id: string | null;
  groups: string; // JSON string[]
  disabled: number;
  missing_since: number | null;
  deleted_at: number | null;
  photo_etag: string | null;
  search_text: string;
  created_at: number;
  updated_at: number;
}

export interface PersonSourcesTable {
  source: string;
  external_id: string;
  person_id: string;
  dn: string | null;
  manager_ref: string | null;
  content_hash: string;
  seen_at: number;
}

export interface PersonEmailsTable {
  email: string;
  person_id: string;
  is_primary: number;
}

export interface PersonPhotosTable {
  person_id: string;
  bytes: Uint8Array;
  content_type: string;
  etag: string;
  updated_at: number;
}

export interface DirectoryTables {
  people: PeopleTable;
  person_sources: PersonSourcesTable;
  person_emails: PersonEmailsTable;
  person_photos: PersonPhotosTable;
}
