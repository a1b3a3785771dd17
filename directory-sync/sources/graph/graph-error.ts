/** A Graph request that failed for good (after retries). Safe to log: no tokens, no bodies beyond Graph's error. */
export class GraphRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly method: string,
    readonly path: string,
    /** The Location header of a 410 Gone: where a fresh full round starts. */
    readonly location?: string,
  ) {
    super(`Graph ${method} ${path}: ${status} ${code}: ${message}`);
    this.name = 'GraphRequestError';
  }

  /** The delta token is no longer usable: 410 Gone, or an expired/unknown sync state. */
  get needsResync(): boolean {
    return this.status === 410 || /syncStateNotFound|syncStateInvalid|resyncRequired/i.test(this.code);
  }
}

/** Path and query without the host, for messages (delta tokens are long; keep it short). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return (u.pathname + (u.search ? '?…' : '')).slice(0, 200);
  } catch {
    return url.slice(0, 200);
  }
}
