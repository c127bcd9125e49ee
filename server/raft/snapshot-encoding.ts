// A snapshot's text, written in slices so a big store does not hold the event
// loop: JSON.stringify of a 5,000-task store took 171 ms in one go (P9's
// manager), longer than a heartbeat. The image is captured at one index first
// (references only: the store's objects are immutable, writers replace them),
// then encoded a few milliseconds at a time with turns of the event loop
// between, so applies, ticks and sockets go on meanwhile.

/** How long one slice of encoding may run before it gives the event loop a turn. */
export const ENCODE_SLICE_MS = 8;

/** How deep the encoder walks before handing a value to JSON.stringify whole (image → tables → objects). */
const SLICED_DEPTH = 3;

/**
 * The JSON text of `value` as pieces, the same text as `JSON.stringify(value)` once joined.
 * Plain objects and arrays down to `depth` are walked; below that, each value is one piece.
 */
export function* jsonPieces(value: unknown, depth = SLICED_DEPTH): Generator<string> {
  if (depth <= 0 || value === null || typeof value !== 'object' || 'toJSON' in value) {
    // JSON.stringify's top-level undefined (undefined, a function) is 'null' inside an array: callers
    // below only pass values that encode
    yield JSON.stringify(value) ?? 'null';
    return;
  }
  if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      yield* jsonPieces(value[i], depth - 1);
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  for (const [k, v] of Object.entries(value)) {
    // as JSON.stringify: keys whose value does not encode are left out
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    yield `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    yield* jsonPieces(v, depth - 1);
  }
  yield '}';
}

export interface SlicedEncodeOptions {
  sliceMs?: number;
  /** Gives the event loop a turn between slices. */
  yieldTurn?: () => Promise<void>;
  /** Asked between slices: true abandons the encoding (undefined is returned). */
  cancelled?: () => boolean;
  now?: () => number;
}

const setImmediateTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** `JSON.stringify(value)`, a slice at a time; undefined when cancelled. */
export async function encodeJsonInSlices(value: unknown, o: SlicedEncodeOptions = {}): Promise<string | undefined> {
  const sliceMs = o.sliceMs ?? ENCODE_SLICE_MS;
  const yieldTurn = o.yieldTurn ?? setImmediateTurn;
  const now = o.now ?? (() => performance.now());
  const pieces: string[] = [];
  let sliceStart = now();
  let n = 0;
  for (const piece of jsonPieces(value)) {
    pieces.push(piece);
    // the clock is read every 64 pieces: most pieces are one small object
    if (++n % 64 !== 0 || now() - sliceStart < sliceMs) continue;
    await yieldTurn();
    if (o.cancelled?.()) return undefined;
    sliceStart = now();
  }
  return pieces.join('');
}
