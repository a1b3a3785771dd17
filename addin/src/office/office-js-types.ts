/* The slice of Office.js (https://appsforoffice.microsoft.com/lib/1/hosted/office.js) the panes use,
   typed here instead of pulling in @types/office-js (the whole API surface) for a few calls. */

export interface AsyncResult<T> {
  status: 'succeeded' | 'failed';
  value: T;
  error?: { code: number; message: string };
}
export type Callback<T> = (r: AsyncResult<T>) => void;

export interface EmailAddressDetails {
  displayName: string;
  emailAddress: string;
}

export interface Recipients {
  getAsync(cb: Callback<EmailAddressDetails[]>): void;
}

export interface MailItem {
  itemId?: string;
  itemType?: string;
  subject?: string | { getAsync(cb: Callback<string>): void };
  from?: EmailAddressDetails | { getAsync(cb: Callback<EmailAddressDetails>): void };
  to?: EmailAddressDetails[] | Recipients;
  cc?: EmailAddressDetails[] | Recipients;
  requiredAttendees?: EmailAddressDetails[] | Recipients;
  optionalAttendees?: EmailAddressDetails[] | Recipients;
  organizer?: EmailAddressDetails | { getAsync(cb: Callback<EmailAddressDetails>): void };
  body: { getAsync(coercion: string, cb: Callback<string>): void };
  notificationMessages?: {
    replaceAsync(key: string, msg: { type: string; message: string; icon?: string; persistent?: boolean }, cb?: Callback<void>): void;
  };
  addHandlerAsync?(eventType: string, handler: (args: unknown) => void, cb?: Callback<void>): void;
  removeHandlerAsync?(eventType: string, cb?: Callback<void>): void;
}

export interface OfficeTheme {
  isDarkTheme?: boolean;
  bodyBackgroundColor?: string;
}

export interface OfficeSettings {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  saveAsync(cb?: Callback<void>): void;
  refreshAsync?(cb?: Callback<unknown>): void;
}

export interface OfficeDocument {
  url: string | null;
  settings: OfficeSettings;
  addHandlerAsync(eventType: string, handler: (args: unknown) => void, cb?: Callback<void>): void;
  removeHandlerAsync(eventType: string, options: { handler: (args: unknown) => void }, cb?: Callback<void>): void;
}

export interface OfficeStatic {
  onReady(cb?: (info: { host: string | null; platform: string | null }) => void): Promise<{ host: string | null; platform: string | null }>;
  context: {
    mailbox?: {
      item: MailItem | null;
      userProfile: { emailAddress: string; displayName: string };
      addHandlerAsync(eventType: string, handler: (args: unknown) => void, cb?: Callback<void>): void;
    };
    document?: OfficeDocument;
    officeTheme?: OfficeTheme;
    requirements: { isSetSupported(name: string, version?: string): boolean };
  };
  EventType: Record<string, string>;
  HostType: Record<string, string>;
  CoercionType: Record<string, string>;
}

export interface WordParagraph {
  text: string;
  styleBuiltIn?: string;
  load(props: string): WordParagraph;
  select(mode?: 'Select' | 'Start' | 'End'): void;
}
export interface WordParagraphCollection {
  items: WordParagraph[];
  load(props: string): WordParagraphCollection;
}
export interface WordRange {
  paragraphs: WordParagraphCollection & { getFirst(): WordParagraph & { getRange(loc: 'Start' | 'End' | 'Whole'): WordRange } };
  getRange(loc: 'Start' | 'End' | 'Whole'): WordRange;
  expandTo(range: WordRange): WordRange;
}
export interface WordContext {
  document: {
    body: { paragraphs: WordParagraphCollection; getRange(loc: 'Start' | 'End' | 'Whole'): WordRange };
    getSelection(): WordRange;
  };
  sync(): Promise<void>;
}
export interface WordStatic {
  run<T>(cb: (context: WordContext) => Promise<T>): Promise<T>;
}

declare global {
  interface Window {
    Office?: OfficeStatic;
    Word?: WordStatic;
  }
}
