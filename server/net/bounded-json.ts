// JSON from the network, parsed only within bounds on its size, its nesting
// and its number of values. Nesting and values are checked by one linear scan
// before JSON.parse runs, so a body of ten thousand `[` or a million `{},`
// costs one pass over its bytes, never a parse.

export interface JsonBounds {
  /** Largest accepted text, in bytes. */
  maxBytes: number;
  /** Deepest accepted nesting of objects and arrays (a bare `{}` is depth 1). */
  maxDepth: number;
  /**
   * Most values accepted, counted as one plus every `{`, `[`, `,` and `:`
   * outside strings (so an object member weighs two: its key is the dearest
   * part). JSON.parse costs far more per value than per byte (4 MiB of `{},`
   * is 1.4 million objects and most of a second; 4 MiB of base64 a few
   * milliseconds), so this, not the size, is what bounds how long a parse
   * blocks the event loop.
   */
  maxValues: number;
}

/**
 * Request bodies of the Engine API and the console API. 4 MiB admits Docker's
 * largest payloads (a 1000 KB config is 1.33 MB in base64, a 500 KB secret
 * 0.67 MB) with room for big but real specs; swarm itself cannot store an
 * object above its 1.5 MiB transaction limit. The deepest object Docker
 * defines nests about ten levels (a service's mount driver options are
 * Spec.TaskTemplate.ContainerSpec.Mounts[].VolumeOptions.DriverConfig.Options);
 * 64 leaves six times that. A service with 20,000 environment variables
 * counts 20,000 values; 100,000 leaves five times that and parses in tens of
 * ms at worst (bench/RESULTS.md, parse stall).
 */
export const API_JSON_BOUNDS: JsonBounds = { maxBytes: 4 * 1024 * 1024, maxDepth: 64, maxValues: 100_000 };

/**
 * Cluster-port frames wrap API objects in raft and request envelopes (a
 * message, its entries, a batch, its operations: a dozen levels), so they get
 * the API's depth plus that, rounded up. (Their size is the frame limit; their
 * number of values depends on who sends them, see the transport's limits.)
 */
export const FRAME_MAX_DEPTH = 128;

/** Why a text was refused; `status` is what an HTTP API answers with. */
export class JsonBoundsError extends Error {
  constructor(
    readonly reason: 'too-large' | 'too-deep' | 'too-many-values' | 'syntax',
    message: string,
  ) {
    super(message);
    this.name = 'JsonBoundsError';
  }

  get status(): 400 | 413 {
    return this.reason === 'too-large' ? 413 : 400;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Where a text first breaks a bound, found by `scanJSON`. */
export interface ShapeProblem {
  reason: 'too-deep' | 'too-many-values';
  /** Byte offset of the bracket or comma that broke it. */
  at: number;
}

/**
 * The first place `text` nests deeper than `maxDepth` or holds more than
 * `maxValues` values (see JsonBounds), or undefined. One linear pass; strings are skipped with indexOf, so base64
 * payloads cost next to nothing, and bytes of multi-byte UTF-8 characters
 * never equal the ASCII delimiters looked for. Malformed text is left for
 * JSON.parse to report.
 */
export function scanJSON(text: Buffer, maxDepth: number, maxValues = Infinity): ShapeProblem | undefined {
  let depth = 0;
  let values = 1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text[i];
    if (c === QUOTE) {
      let end = i;
      for (;;) {
        end = text.indexOf(QUOTE, end + 1);
        if (end < 0) return undefined;
        let slashes = 0;
        while (text[end - 1 - slashes] === BACKSLASH) slashes++;
        if ((slashes & 1) === 0) break;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return { reason: 'too-deep', at: i };
      if (++values > maxValues) return { reason: 'too-many-values', at: i };
    } else if (c === COMMA || c === COLON) {
      if (++values > maxValues) return { reason: 'too-many-values', at: i };
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return undefined;
}

/** A refusal message for a shape problem. */
export function shapeMessage(p: ShapeProblem, bounds: Pick<JsonBounds, 'maxDepth' | 'maxValues'>): string {
  return p.reason === 'too-deep'
    ? `JSON nests deeper than ${bounds.maxDepth} levels (at byte ${p.at}); no real object needs that`
    : `JSON holds more than ${bounds.maxValues} values (at byte ${p.at}); no real object needs that`;
}

/** Parse `text` as JSON within `bounds`; throws JsonBoundsError. Empty text is undefined. */
export function parseBoundedJSON(text: Buffer, bounds: JsonBounds): unknown {
  if (text.length > bounds.maxBytes)
    throw new JsonBoundsError('too-large', `body of ${text.length} bytes exceeds the ${bounds.maxBytes}-byte limit`);
  const problem = scanJSON(text, bounds.maxDepth, bounds.maxValues);
  if (problem) throw new JsonBoundsError(problem.reason, shapeMessage(problem, bounds));
  const s = text.toString('utf8');
  if (s.trim() === '') return undefined;
  try {
    return JSON.parse(s);
  } catch (err) {
    throw new JsonBoundsError('syntax', `invalid JSON: ${(err as Error).message}`);
  }
}
