import type { DocParticipantDto, DocPositionDto } from '../../../api/contract/documents.js';
import type { ApiClient, Frame, RealtimeClient } from '../api/index.js';
import type { DocumentHost } from '../office/index.js';
import { applyParticipantsFrame } from './participants-frame.js';

export type DocumentParticipant = DocParticipantDto;
export type DocumentPosition = DocPositionDto;

export interface DocumentSessionState {
  readonly status: 'idle' | 'resolving' | 'joined' | 'error';
  /** The server's key for this document once resolved. */
  readonly docKey: string | null;
  /** Everyone in the document now, one entry per person (you included). */
  readonly participants: readonly DocumentParticipant[];
  /** Where you are, as last sent. */
  readonly myPosition: DocumentPosition | null;
  readonly error: string | null;
}

/** The setting that holds the document's stable id (per add-in, saved in the file). */
export const DOC_ID_SETTING = 'officePresence.docId';
export const HEARTBEAT_MS = 15_000;
export const POSITION_INTERVAL_MS = 500;
/** Every this many heartbeats the stamp is re-read: a co-author's concurrent stamp may have won. */
const RESTAMP_CHECK_EVERY = 4;
const RETRY_MS = 10_000;

const uuid = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) =>
        (Number(c) ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (Number(c) / 4)))).toString(16),
      );

/**
 * One pane's session in its document: stamp → resolve → join, heartbeat, throttled position
 * updates from selection changes, participants from `doc.participants`, leave on close.
 * Framework-free; the React hook shares one per pane.
 */
export class DocumentSessionController {
  #state: DocumentSessionState = { status: 'idle', docKey: null, participants: [], myPosition: null, error: null };
  readonly #listeners = new Set<() => void>();
  readonly #cleanups: (() => void)[] = [];
  #stamp: string | null = null;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #beats = 0;
  #lastSentAt = 0;
  #positionTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly api: ApiClient,
    readonly realtime: RealtimeClient,
    readonly doc: DocumentHost,
  ) {}

  get state(): DocumentSessionState {
    return this.#state;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  #set(patch: Partial<DocumentSessionState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const l of [...this.#listeners]) l();
  }

  async start(): Promise<void> {
    this.#set({ status: 'resolving', error: null });
    this.#cleanups.push(
      this.realtime.on('doc.participants', (f: Frame) => {
        if (f.docKey !== this.#state.docKey) return;
        // A whole list, or only the moves since the last frame.
        const participants = applyParticipantsFrame(this.#state.participants, f);
        if (participants && participants !== this.#state.participants) this.#set({ participants });
      }),
      this.realtime.on('error', (f: Frame) => {
        // Our key is unknown to the server (a reset store, a wrong stamp): find the document again.
        if (f.frameType === 'doc.join' && f.code === 'not_found') void this.#resolveAndJoin();
      }),
      this.realtime.onOpen(() => this.#join()),
      this.doc.onSelectionChanged(() => this.#positionChanged()),
    );
    const onHide = () => this.#leave();
    window.addEventListener('pagehide', onHide);
    this.#cleanups.push(() => window.removeEventListener('pagehide', onHide));
    this.#heartbeat = setInterval(() => this.#beat(), HEARTBEAT_MS);
    await this.#resolveAndJoin();
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#positionTimer);
    clearTimeout(this.#retryTimer);
    this.#leave();
    for (const c of this.#cleanups.splice(0)) c();
  }

  /** Selects a paragraph in the document (a co-author's place). */
  async goTo(paragraph: number): Promise<void> {
    await this.doc.selectParagraph(paragraph);
  }

  /** Reads the stamp, stamping the document first when it has none; refreshes first so a co-author's saved stamp wins. */
  async #ensureStamp(): Promise<string> {
    await this.doc.refreshSettings().catch(() => {});
    const existing = this.doc.getSetting(DOC_ID_SETTING);
    if (existing) return existing;
    await this.doc.setSetting(DOC_ID_SETTING, uuid());
    // Someone may have saved theirs at the same moment: trust what the document holds after a refresh.
    await this.doc.refreshSettings().catch(() => {});
    return this.doc.getSetting(DOC_ID_SETTING) ?? (await this.#ensureStampFallback());
  }

  async #ensureStampFallback(): Promise<string> {
    const id = uuid();
    await this.doc.setSetting(DOC_ID_SETTING, id);
    return id;
  }

  async #resolveAndJoin(): Promise<void> {
    if (this.#stopped) return;
    try {
      const stamp = await this.#ensureStamp();
      const url = this.doc.url();
      const res = await this.api.post<{ docKey: string; docId: string }>('/v1/documents/resolve', { docId: stamp, ...(url ? { url } : {}) });
      if (this.#stopped) return;
      // The server says which id this document carries (a copy gets a new one; racing co-authors converge).
      if (res.docId && res.docId.toLowerCase() !== stamp.replace(/[{}]/g, '').toLowerCase()) await this.doc.setSetting(DOC_ID_SETTING, res.docId);
      this.#stamp = res.docId;
      const changed = res.docKey !== this.#state.docKey;
      if (changed && this.#state.docKey) this.realtime.send({ type: 'doc.leave' });
      this.#set({ docKey: res.docKey, status: 'joined', error: null, ...(changed ? { participants: [] } : {}) });
      await this.#join();
    } catch (err) {
      this.#set({ status: 'error', error: err instanceof Error ? err.message : 'Could not identify this document' });
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => void this.#resolveAndJoin(), RETRY_MS);
    }
  }

  async #readPosition(): Promise<DocumentPosition | null> {
    try {
      const p = await this.doc.getPosition();
      return p ? { paragraph: Math.max(0, Math.floor(p.paragraph)), heading: p.heading ? p.heading.slice(0, 200) : null } : null;
    } catch {
      return null;
    }
  }

  async #join(): Promise<void> {
    if (this.#stopped) return;
    if (this.#state.status === 'error') return void this.#resolveAndJoin();
    const docKey = this.#state.docKey;
    if (!docKey) return;
    const position = await this.#readPosition();
    this.#lastSentAt = Date.now();
    this.realtime.send({ type: 'doc.join', docKey, position });
    this.#set({ myPosition: position });
  }

  #beat(): void {
    if (this.#stopped || !this.#state.docKey) return;
    if (++this.#beats % RESTAMP_CHECK_EVERY === 0) void this.#checkStamp();
    void this.#join();
  }

  async #checkStamp(): Promise<void> {
    await this.doc.refreshSettings().catch(() => {});
    const now = this.doc.getSetting(DOC_ID_SETTING);
    if (now && this.#stamp && now.toLowerCase() !== this.#stamp.toLowerCase()) await this.#resolveAndJoin();
  }

  /** Selection moved: send at most one position per POSITION_INTERVAL_MS, always ending with the latest. */
  #positionChanged(): void {
    if (this.#positionTimer || this.#stopped) return;
    const wait = Math.max(0, this.#lastSentAt + POSITION_INTERVAL_MS - Date.now());
    this.#positionTimer = setTimeout(() => {
      this.#positionTimer = undefined;
      void this.#sendPosition();
    }, wait);
  }

  async #sendPosition(): Promise<void> {
    if (!this.#state.docKey || this.#stopped) return;
    const position = await this.#readPosition();
    if (!position) return;
    const last = this.#state.myPosition;
    if (last && last.paragraph === position.paragraph && last.heading === position.heading) return;
    this.#lastSentAt = Date.now();
    this.realtime.send({ type: 'doc.position', position });
    this.#set({ myPosition: position });
  }

  #leave(): void {
    if (this.#state.docKey) this.realtime.send({ type: 'doc.leave' });
  }
}
