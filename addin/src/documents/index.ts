/* Co-authoring indicators in the panes: the Word co-author list and the Outlook linked-documents rows. */
export {
  useDocumentSession,
  type DocumentSession,
  type DocumentParticipant,
  type DocumentPosition,
  type DocumentSessionState,
} from './use-document-session.js';
export { CoauthorList } from './coauthor-list.js';
export { LinkedDocuments, type LinkedDocumentsProps } from './linked-documents.js';
export { extractDocumentLinks, isDocumentLink, documentLabel } from './document-links.js';
export { DocumentSessionController, DOC_ID_SETTING } from './document-session.js';
export { whereLabel } from './where-label.js';
export { applyParticipantsFrame } from './participants-frame.js';
export { watchLinkedDocuments, type LinkedDocument } from './linked-watch.js';
