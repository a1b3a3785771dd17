/** Close codes the panes understand. 4xxx are ours (RFC 6455 leaves 4000–4999 to applications). */
export const CloseCode = Object.freeze({
  normal: 1000,
  goingAway: 1001,
  /** No close frame: the socket was dropped (never sent on the wire, RFC 6455 7.4.1). */
  abnormal: 1006,
  policy: 1008,
  tooBig: 1009,
  serverError: 1011,
  tryAgainLater: 1013,
  badFrame: 4400,
  unauthorized: 4401,
  rateLimited: 4429,
  tooManyConnections: 4409,
  /** The client fell too far behind: reconnect and resync from the store. */
  resync: 4410,
});

/** Bytes queued on a socket beyond which the client is told to resync instead of stalling the server. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
