/** A refusal of the console's auth door: 401, 403, 409 or 429 with the contract's message. */
export class AuthError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** seconds, for a 429's Retry-After */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}
