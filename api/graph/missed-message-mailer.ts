import type { Kysely } from 'kysely';
import type { Logger } from '../../core/log/index.js';
import type { Store } from '../../core/store/index.js';
import { GraphRequestError, type GraphApi } from '../../directory-sync/sources/graph/index.js';
import type { MissedMessageNotifier } from '../chat/index.js';
import { isNoMailbox, type GraphMailboxes } from './graph-mailboxes.js';
import type { GraphTables } from './graph-tables.js';
import { escapeHtml } from './graph-values.js';

type Event = Parameters<MissedMessageNotifier['notify']>[0];

/**
 * The IM missed-message hook as e-mail: "<sender> sent you a message", sent with `sendMail` from
 * the sender's own mailbox (or GRAPH_MAIL_SENDER for senders without one). Recorded before it is
 * sent, so a repeated call never sends twice. A send that certainly failed (4xx, throttled to the
 * end) is un-recorded so a later call may send it; an uncertain one (5xx, timeout) stays recorded.
 */
export class MissedMessageMailer implements MissedMessageNotifier {
  readonly #db: Kysely<GraphTables>;
  constructor(
    store: Store,
    private readonly api: GraphApi,
    private readonly mailboxes: GraphMailboxes,
    private readonly options: { serviceMailbox?: string; productName?: string; log: Logger },
  ) {
    this.#db = store.db as Kysely<GraphTables>;
  }

  async notify(event: Event): Promise<void> {
    const sender = (await this.mailboxes.of([event.senderId])).get(event.senderId);
    // An Entra user is not always a mailbox (UPN-only users, guests): Graph's 404 for them is
    // remembered, and their mail goes out from the service mailbox.
    const own = sender && !this.mailboxes.lacksMailbox(sender.userId) ? sender.userId : undefined;
    const service = this.options.serviceMailbox;
    if (!own && !service) {
      this.options.log.info({ conversationId: event.conversationId }, 'graph: no mailbox to send the missed-message mail from; skipped');
      return;
    }
    const key = { recipient_id: event.recipientId, conversation_id: event.conversationId, first_seq: event.firstSeq };
    const claimed = await this.#db
      .insertInto('graph_missed_mail')
      .values({ ...key, sent_at: Date.now() })
      .onConflict((oc) => oc.columns(['recipient_id', 'conversation_id', 'first_seq']).doNothing())
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return;
    try {
      if (own) {
        try {
          return await this.#send(own, true, event);
        } catch (err) {
          // Nothing was sent (the user has no mailbox): the service mailbox may still send it.
          if (!isNoMailbox(err)) throw err;
          this.mailboxes.learnNoMailbox(own);
          if (!service) throw err;
        }
      }
      await this.#send(service!, false, event);
    } catch (err) {
      const certain = err instanceof GraphRequestError && err.status >= 400 && err.status < 500;
      if (certain)
        await this.#db
          .deleteFrom('graph_missed_mail')
          .where('recipient_id', '=', key.recipient_id)
          .where('conversation_id', '=', key.conversation_id)
          .where('first_seq', '=', key.first_seq)
          .execute();
      throw err;
    }
  }

  async #send(from: string, fromSender: boolean, event: Event): Promise<void> {
    const count = event.lastSeq - event.firstSeq + 1;
    const subject = count > 1 ? `Missed conversation with ${event.senderName}` : `${event.senderName} sent you a message`;
    const product = this.options.productName ?? 'Office Presence';
    await this.api.post(
      `/users/${encodeURIComponent(from)}/sendMail`,
      {
        message: {
          subject,
          body: {
            contentType: 'HTML',
            content: `<p><b>${escapeHtml(event.senderName)}</b> sent you ${count > 1 ? `${count} messages` : 'a message'} in ${escapeHtml(product)}:</p><blockquote>${escapeHtml(event.preview)}</blockquote><p>Reply from the ${escapeHtml(product)} pane in Outlook.</p>`,
          },
          toRecipients: [{ emailAddress: { address: event.recipientEmail } }],
          ...(fromSender ? {} : { replyTo: [{ emailAddress: { address: event.senderEmail, name: event.senderName } }] }),
        },
        saveToSentItems: false,
      },
      // Not idempotent: 429 is retried (never processed), 503/504 is not (it may have been sent).
      { idempotent: false },
    );
  }
}
