export { StoreDirectoryReader, toSummary, escapeLike, type DirectoryReader } from './directory-reader.js';
export {
  DirectoryWriter,
  contentHash,
  contentHashOf,
  photoEtag,
  sniffImageType,
  MAX_PHOTO_BYTES,
  type UpsertResult,
  type UpsertOutcome,
} from './directory-writer.js';
export { directoryMigrations } from './migrations.js';
export type { PersonSummary, PersonCard, PersonPhoto } from './person.js';
export type { DirectoryTables, PeopleTable } from './tables.js';
export type { DirectoryEntry, Phone } from '../model/directory-entry.js';
