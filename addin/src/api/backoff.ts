/** Reconnect delay with exponential growth and full jitter, so many panes do not reconnect in step. */
export function backoffDelay(attempt: number, { baseMs = 500, maxMs = 30_000, random = Math.random } = {}): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(cap / 2 + random() * (cap / 2));
}
