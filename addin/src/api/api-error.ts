/** An API failure as the panes see it: the HTTP status (0 = network) and the server's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }
}

/** Maps a non-2xx response to an ApiError using the contract's `{ error: { code, message } }` body. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  const code = body?.error?.code ?? `http_${res.status}`;
  const message = body?.error?.message ?? fallbackMessage(res.status);
  return new ApiError(res.status, code, message);
}

function fallbackMessage(status: number): string {
  if (status === 401) return 'You are not signed in.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many requests. Try again shortly.';
  if (status >= 500) return 'The server had a problem. Try again shortly.';
  return `Request failed (${status}).`;
}
