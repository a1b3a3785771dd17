// SCAFFOLD: documents — public entry of the co-authoring feature; the documents helper replaces this folder.
export { useDocumentSession, type DocumentSession, type DocumentParticipant } from './use-document-session.js';
export { CoauthorList } from './coauthor-list.js';
export { LinkedDocuments, type LinkedDocumentsProps } from './linked-documents.js';
