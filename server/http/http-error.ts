// A refusal at the HTTP edge that carries its own status (413, 415, 400...),
// for the parts both APIs share: bodies, URLs, browser checks.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
