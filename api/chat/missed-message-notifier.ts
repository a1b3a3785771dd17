/**
 * Called once per conversation burst when a message stays unread for 10 minutes while its
 * recipient has no live endpoint. The default logs; Graph plugs in e-mail.
 */
export interface MissedMessageNotifier {
  notify(event: {
    readonly recipientId: string;
    readonly recipientEmail: string;
    readonly senderId: string;
    readonly senderName: string;
    readonly senderEmail: string;
    readonly conversationId: string;
    readonly firstSeq: number;
    readonly lastSeq: number;
    readonly preview: string;
  }): Promise<void>;
}
