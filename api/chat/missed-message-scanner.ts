import type { Logger } from '../../core/log/index.js';
import type { DirectoryReader } from '../../directory-sync/directory/index.js';
import type { PresenceReader } from '../presence/index.js';
import type { ChatStore } from './chat-store.js';
import type { MissedMessageNotifier } from './missed-message-notifier.js';

const PREVIEW_CHARS = 280;
const CANDIDATES_PER_SCAN = 2000;

/** The default notifier: a log line (Graph replaces it with e-mail). */
export const loggingNotifier = (log: Logger): MissedMessageNotifier => ({
  async notify(event) {
    log.info(
      { recipient: event.recipientEmail, conversationId: event.conversationId, firstSeq: event.firstSeq, lastSeq: event.lastSeq },
      'missed chat messages',
    );
  },
});

/**
 * Finds messages unread for `missedAfterMs` whose recipient has no live endpoint and calls the
 * notifier once per conversation burst. The burst is claimed in the store before the notifier
 * runs, so a restart or a second process never notifies it again.
 */
export class MissedMessageScanner {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #cursor: { conversationId: string; personId: string } | undefined;

  constructor(
    readonly store: ChatStore,
    readonly directory: DirectoryReader,
    readonly presence: PresenceReader,
    readonly notifier: () => MissedMessageNotifier,
    readonly missedAfterMs: number,
    readonly intervalMs: number,
    readonly log: Logger,
    /** Whether `personId` blocked `senderId`: their messages (in a group someone else made) are mailed to nobody who blocked them. */
    readonly blocked: (personId: string, senderId: string) => Promise<boolean> = async () => false,
  ) {}

  start(): void {
    if (this.missedAfterMs <= 0) return;
    this.#timer = setInterval(() => {
      this.#running ??= this.scan()
        .then(() => undefined)
        .catch((err: unknown) => this.log.error({ err }, 'missed-message scan failed'))
        .finally(() => (this.#running = undefined));
    }, this.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One pass; returns how many notifications were sent. */
  async scan(now = Date.now()): Promise<number> {
    const cutoff = now - this.missedAfterMs;
    let sent = 0;
    const candidates = await this.store.missedCandidates(cutoff, CANDIDATES_PER_SCAN, this.#cursor);
    // A full page: the next scan continues after it; a short one: the next scan starts over.
    this.#cursor = candidates.length === CANDIDATES_PER_SCAN ? candidates[candidates.length - 1] : undefined;
    for (const c of candidates) {
      if (await this.presence.hasLiveEndpoint(c.personId).catch(() => true)) continue;
      const all = await this.store.unreadFromOthers(c.conversationId, c.personId, c.fromSeq, 500);
      if (all.length === 0 || all[0].createdAt > cutoff) continue;
      const last = all[all.length - 1];
      const blockedSenders = new Set<string>();
      for (const sender of new Set(all.map((m) => m.senderId))) if (await this.blocked(c.personId, sender).catch(() => false)) blockedSenders.add(sender);
      const burst = all.filter((m) => !blockedSenders.has(m.senderId));
      if (!(await this.store.claimNotification(c.conversationId, c.personId, c.fromSeq, last.seq))) continue;
      // Claimed either way: a burst of blocked senders only is settled, not scanned again.
      if (burst.length === 0) continue;
      const first = burst[0];
      const [recipient, sender] = await Promise.all([this.directory.getSummary(c.personId), this.directory.getSummary(first.senderId)]);
      if (!recipient?.email) continue;
      try {
        await this.notifier().notify({
          recipientId: c.personId,
          recipientEmail: recipient.email,
          senderId: first.senderId,
          senderName: sender?.displayName ?? 'Someone',
          senderEmail: sender?.email ?? '',
          conversationId: c.conversationId,
          firstSeq: first.seq,
          lastSeq: last.seq,
          preview: first.text.slice(0, PREVIEW_CHARS),
        });
        sent++;
      } catch (err) {
        // Claimed already: at most once, by design (an e-mail twice is worse than a log line).
        this.log.warn({ err, conversationId: c.conversationId }, 'missed-message notifier failed');
      }
    }
    return sent;
  }
}
