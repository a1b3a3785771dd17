import { useEffect, useSyncExternalStore } from 'react';
import type { RealtimeClient } from '../api/index.js';
import { useApi, useOfficeHost, useRealtime } from '../services/index.js';
import { DocumentSessionController, type DocumentSessionState } from './document-session.js';

export type { DocumentParticipant, DocumentPosition, DocumentSessionState } from './document-session.js';

export interface DocumentSession extends DocumentSessionState {
  /** Selects a paragraph of the document (a co-author's place). */
  goTo(paragraph: number): Promise<void>;
}

const IDLE: DocumentSessionState = { status: 'idle', docKey: null, participants: [], myPosition: null, error: null };
const noop = () => () => {};

/** One session per pane, shared by every component that asks; it starts with the first and leaves with the last. */
const shared = new WeakMap<RealtimeClient, { controller: DocumentSessionController; users: number; stopTimer?: ReturnType<typeof setTimeout> }>();

/**
 * The Word pane's document session: stamps and resolves the document, joins it, heartbeats,
 * sends your position as you move (throttled) and keeps the co-author list live. Outside Word
 * (no document host) it stays idle.
 */
export function useDocumentSession(): DocumentSession {
  const api = useApi();
  const realtime = useRealtime();
  const host = useOfficeHost();
  const doc = host.document;
  let entry = doc ? shared.get(realtime) : undefined;
  if (doc && !entry) {
    entry = { controller: new DocumentSessionController(api, realtime, doc), users: 0 };
    shared.set(realtime, entry);
  }
  const controller = entry?.controller;

  useEffect(() => {
    if (!entry) return;
    clearTimeout(entry.stopTimer);
    if (entry.users++ === 0 && controller!.state.status === 'idle') void controller!.start();
    return () => {
      // Components re-mount (views switch, strict mode): leave only when nobody is back shortly.
      if (--entry!.users === 0)
        entry!.stopTimer = setTimeout(() => {
          if (entry!.users === 0) {
            controller!.stop();
            shared.delete(realtime);
          }
        }, 1000);
    };
  }, [entry, controller, realtime]);

  const state = useSyncExternalStore(controller?.subscribe ?? noop, () => controller?.state ?? IDLE);
  return { ...state, goTo: (paragraph) => controller?.goTo(paragraph) ?? Promise.resolve() };
}
