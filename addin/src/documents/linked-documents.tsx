// SCAFFOLD: documents — renders nothing until co-author tracking exists.
export interface LinkedDocumentsProps {
  /** Plain-text body of the mail item. */
  readonly body: string;
}

export function LinkedDocuments(_props: LinkedDocumentsProps) {
  return null;
}
