/** A person on a mail item, as the host reports it (not yet resolved against the directory). */
export interface MailAddress {
  readonly email: string;
  readonly name: string;
}

/** The people of the current mail item. `null` item means "nothing selected" (pinned pane, collapsed conversation). */
export interface MailItemPeople {
  readonly mode: 'read' | 'compose';
  /** Host item id when known (read mode); changes when the selection changes. */
  readonly itemId: string | null;
  readonly subject: string | null;
  readonly from: MailAddress | null;
  readonly to: readonly MailAddress[];
  readonly cc: readonly MailAddress[];
}

/** Outlook side of a host: the current item and its changes. */
export interface MailHost {
  /** Re-reads the current item from the host (defensive: call it whenever something may have changed). */
  readItem(): Promise<MailItemPeople | null>;
  /** Body of the current item, as HTML where the host gives it, else plain text ('' when none or unavailable): for finding links, not for display. */
  readBody(): Promise<string>;
  /** Fires when the selected item changes (ItemChanged, also null), compose recipients change, or the pane becomes visible again. */
  onItemChanged(listener: () => void): () => void;
  /** Shows a short informational notification on the current item where the host supports it. */
  notify(key: string, message: string): Promise<void>;
}

/** Where the selection is in a document: a paragraph index (0-based) and the nearest heading above it. */
export interface DocumentPosition {
  readonly paragraph: number;
  readonly heading: string | null;
}

/** Word side of a host: identity of the document and the selection. */
export interface DocumentHost {
  /** Per-document setting stored in the file (Office settings); null when absent. */
  getSetting(key: string): string | null;
  /** Stores a setting in the document and saves it (saveAsync). */
  setSetting(key: string, value: string): Promise<void>;
  /** Reloads settings from the document (co-authors may have saved meanwhile). */
  refreshSettings(): Promise<void>;
  /** The document URL when the host knows it (unreliable in Office: treat as a hint). */
  url(): string | null;
  /** Display title of the document (file name) when known. */
  title(): string | null;
  /** The paragraph index of the selection start and the nearest heading; null when unknown. */
  getPosition(): Promise<DocumentPosition | null>;
  /** Moves the selection to paragraph `index` (0-based). */
  selectParagraph(index: number): Promise<void>;
  /** Fires when the selection moves (not throttled: callers throttle). */
  onSelectionChanged(listener: () => void): () => void;
}

export interface HostTheme {
  readonly isDark: boolean;
}

/** Who is signed in to the host (Office's user profile or the demo host's chosen identity). */
export interface HostUser {
  readonly email: string | null;
  readonly name: string | null;
}

/**
 * Everything the panes need from their host. The real implementation wraps Office.js; outside Office
 * (demo host, tests, a plain browser) a stand-in implements the same interface.
 */
export interface OfficeHost {
  readonly environment: 'office' | 'demo' | 'standalone';
  readonly app: 'outlook' | 'word' | null;
  readonly mail: MailHost | null;
  readonly document: DocumentHost | null;
  user(): HostUser;
  theme(): HostTheme;
  onThemeChanged(listener: (theme: HostTheme) => void): () => void;
  /** Shows a notification to the user where the host supports it (Outlook item notification; demo host toast). */
  notify(message: string): Promise<void>;
}
