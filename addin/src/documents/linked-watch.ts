import type { DocParticipantDto, DocWatchingFrame } from '../../../api/contract/documents.js';
import type { ApiClient, Frame, RealtimeClient } from '../api/index.js';
import { applyParticipantsFrame } from './participants-frame.js';

/** One linked document as the Outlook rows show it. */
export interface LinkedDocument {
  readonly url: string;
  readonly docKey: string | null;
  readonly participants: readonly DocParticipantDto[];
}

const sameUrls = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((u, i) => u === b[i]);

/**
 * Keeps the participants of the documents a message links to live: `doc.watch` over the pane's
 * socket (re-sent on every reconnect), then the server pushes each document's changes as it does to
 * the co-authors. While the socket is not open, one HTTP read gives the first answer. Framework-free;
 * `onChange` gets the rows in link order. Returns the function that stops watching.
 */
export function watchLinkedDocuments(
  api: ApiClient,
  realtime: RealtimeClient,
  urls: readonly string[],
  onChange: (docs: readonly LinkedDocument[]) => void,
): () => void {
  let live = true;
  let keys: readonly { url: string; docKey: string | null }[] = [];
  const lists = new Map<string, readonly DocParticipantDto[]>();
  const emit = () => {
    if (live) onChange(keys.map(({ url, docKey }) => ({ url, docKey, participants: (docKey && lists.get(docKey)) || [] })));
  };

  const offs = [
    realtime.on<DocWatchingFrame & Frame>('doc.watching', (f) => {
      // The answer to this watch, not to an earlier one for another message.
      if (
        !sameUrls(
          f.results.map((r) => r.url),
          urls,
        )
      )
        return;
      keys = f.results;
      emit();
    }),
    realtime.on('doc.participants', (f) => {
      const docKey = String(f.docKey);
      const current = lists.get(docKey);
      const next = applyParticipantsFrame(current, f);
      if (!next || next === current) return;
      lists.set(docKey, next);
      emit();
    }),
    // After a reconnect the server has forgotten the watch: ask again (it answers with whole lists).
    realtime.onOpen(() => realtime.send({ type: 'doc.watch', urls: [...urls] })),
  ];
  if (realtime.status !== 'open')
    api
      .post<{ results: LinkedDocument[] }>('/v1/documents/participants', { urls })
      .then((r) => {
        if (!live || keys.length) return;
        keys = r.results.map(({ url, docKey }) => ({ url, docKey }));
        // Lists the socket delivered meanwhile are newer than this answer.
        for (const d of r.results) if (d.docKey && !lists.has(d.docKey)) lists.set(d.docKey, d.participants);
        emit();
      })
      .catch(() => {
        // The socket's answer will come when it opens.
      });

  return () => {
    live = false;
    for (const off of offs) off();
    realtime.send({ type: 'doc.watch', urls: [] });
  };
}
