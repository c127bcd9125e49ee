// Errors the control API raises. Each carries the Engine API status the
// docker CLI turns back into its errdefs class (404 NotFound, 409 Conflict...).

export type ErrorCode =
  | 'InvalidArgument'
  | 'NotFound'
  | 'AlreadyExists'
  | 'FailedPrecondition'
  | 'Unimplemented'
  | 'Unavailable'
  | 'PermissionDenied'
  | 'Unknown';

const STATUS: Record<ErrorCode, number> = {
  InvalidArgument: 400,
  NotFound: 404,
  AlreadyExists: 409,
  FailedPrecondition: 400,
  Unimplemented: 501,
  Unavailable: 503,
  PermissionDenied: 403,
  Unknown: 500,
};

export class SwarmError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SwarmError';
    this.status = STATUS[code];
  }
}

/** swarmkit's gRPC-wrapped form, e.g. `rpc error: code = InvalidArgument desc = ...`. */
export function rpcError(code: ErrorCode, desc: string): SwarmError {
  return new SwarmError(code, `rpc error: code = ${code} desc = ${desc}`);
}

export function notFound(kind: string, ref: string): SwarmError {
  return new SwarmError('NotFound', `${kind} ${ref} not found`);
}

/**
 * Raised by the store when an update carries a stale Version.Index. dockerd's
 * text; its status is a 409 here where dockerd answers 500, since a stale
 * version is a refused input and a refused input is never a 5xx.
 */
export class SequenceConflict extends SwarmError {
  override readonly status = 409;
  constructor() {
    super('Unknown', 'rpc error: code = Unknown desc = update out of sequence');
  }
}

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>(Object.keys(STATUS) as ErrorCode[]);

/**
 * A SwarmError rebuilt from its wire form ({code, message}) on the other side
 * of the cluster transport: same code, so same status, same message.
 */
export function errorFromWire(e: { code?: unknown; message: string }): SwarmError {
  if (e.message === new SequenceConflict().message) return new SequenceConflict();
  const code = typeof e.code === 'string' && ERROR_CODES.has(e.code) ? (e.code as ErrorCode) : 'Unknown';
  return new SwarmError(code, e.message);
}
