import type { DocumentPosition } from './document-session.js';

/** "in 'Budget 2027', paragraph 14" (paragraphs counted from 1 for people). */
export function whereLabel(position: DocumentPosition | null): string {
  if (!position) return 'just opened the document';
  const n = `paragraph ${position.paragraph + 1}`;
  return position.heading ? `in '${position.heading}', ${n}` : `at ${n}`;
}
