// JSON from the network, parsed only within a size and a nesting bound. The
// nesting is checked by a linear scan before JSON.parse runs, so a body of
// ten thousand `[` costs one pass over its bytes, never a parse.

export interface JsonBounds {
  /** Largest accepted text, in bytes. */
  maxBytes: number;
  /** Deepest accepted nesting of objects and arrays (a bare `{}` is depth 1). */
  maxDepth: number;
}

/**
 * Request bodies of the Engine API and the console API. 4 MiB admits Docker's
 * largest payloads (a 1000 KB config is 1.33 MB in base64, a 500 KB secret
 * 0.67 MB) with room for big but real specs; swarm itself cannot store an
 * object above its 1.5 MiB transaction limit. The deepest object Docker
 * defines nests about ten levels (a service's mount driver options are
 * Spec.TaskTemplate.ContainerSpec.Mounts[].VolumeOptions.DriverConfig.Options);
 * 64 leaves six times that.
 */
export const API_JSON_BOUNDS: JsonBounds = { maxBytes: 4 * 1024 * 1024, maxDepth: 64 };

/**
 * Cluster-port frames wrap API objects in raft and request envelopes (a
 * message, its entries, a batch, its operations: a dozen levels), so they get
 * the API's depth plus that, rounded up. Their size is the frame limit.
 */
export const FRAME_MAX_DEPTH = 128;

/** Why a text was refused; `status` is what an HTTP API answers with. */
export class JsonBoundsError extends Error {
  constructor(
    readonly reason: 'too-large' | 'too-deep' | 'syntax',
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

/**
 * Offset of the first `{`/`[` (outside strings) that nests deeper than
 * `maxDepth`, or -1. Strings are skipped with indexOf, so base64 payloads cost
 * next to nothing; bytes of multi-byte UTF-8 characters never equal the ASCII
 * delimiters looked for. Malformed text is left for JSON.parse to report.
 */
export function tooDeepAt(text: Buffer, maxDepth: number): number {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text[i];
    if (c === QUOTE) {
      let end = i;
      for (;;) {
        end = text.indexOf(QUOTE, end + 1);
        if (end < 0) return -1;
        let slashes = 0;
        while (text[end - 1 - slashes] === BACKSLASH) slashes++;
        if ((slashes & 1) === 0) break;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return i;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return -1;
}

/** Parse `text` as JSON within `bounds`; throws JsonBoundsError. Empty text is undefined. */
export function parseBoundedJSON(text: Buffer, bounds: JsonBounds): unknown {
  if (text.length > bounds.maxBytes)
    throw new JsonBoundsError('too-large', `body of ${text.length} bytes exceeds the ${bounds.maxBytes}-byte limit`);
  const at = tooDeepAt(text, bounds.maxDepth);
  if (at >= 0)
    throw new JsonBoundsError(
      'too-deep',
      `JSON nests deeper than ${bounds.maxDepth} levels (at byte ${at}); no real object needs that`,
    );
  const s = text.toString('utf8');
  if (s.trim() === '') return undefined;
  try {
    return JSON.parse(s);
  } catch (err) {
    throw new JsonBoundsError('syntax', `invalid JSON: ${(err as Error).message}`);
  }
}
