// Length-prefixed frames on a cluster connection: a 4-byte big-endian length,
// then that many bytes of UTF-8 JSON. Pure codec, no sockets.

import { FRAME_MAX_DEPTH, scanJSON } from '../../net/bounded-json';

export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;
const HEADER_BYTES = 4;

/** A frame above the size limit: the connection carrying it is closed. */
export class FrameTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`frame of ${bytes} bytes exceeds the ${limit}-byte limit`);
    this.name = 'FrameTooLargeError';
  }
}

/** Bytes that are not a frame (bad JSON): the peer is broken, so the connection is closed. */
export class FrameFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameFormatError';
  }
}

export function encodeFrame(value: unknown, maxBytes = DEFAULT_MAX_FRAME_BYTES): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  if (body.length > maxBytes) throw new FrameTooLargeError(body.length, maxBytes);
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, HEADER_BYTES);
  return frame;
}

/**
 * Reassembles frames from socket chunks. Chunks are kept in a list and joined
 * once per frame, so a large frame arriving in many pieces is copied once.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Body length of the frame being read, once its header is complete. */
  private want: number | undefined;

  constructor(
    readonly maxBytes = DEFAULT_MAX_FRAME_BYTES,
    readonly maxDepth = FRAME_MAX_DEPTH,
    /** See bounded-json's JsonBounds; by default only the size bounds a frame. */
    readonly maxValues = Infinity,
  ) {}

  /** Feed bytes; returns every frame completed by them. Throws on a bad frame (the stream is then unusable). */
  push(chunk: Buffer): unknown[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const out: unknown[] = [];
    for (;;) {
      if (this.want === undefined) {
        if (this.buffered < HEADER_BYTES) return out;
        const len = this.take(HEADER_BYTES).readUInt32BE(0);
        if (len > this.maxBytes) throw new FrameTooLargeError(len, this.maxBytes);
        this.want = len;
      }
      if (this.buffered < this.want) return out;
      const body = this.take(this.want);
      this.want = undefined;
      const problem = scanJSON(body, this.maxDepth, this.maxValues);
      if (problem) {
        const what =
          problem.reason === 'too-deep'
            ? `nests deeper than ${this.maxDepth} levels`
            : `holds more than ${this.maxValues} values`;
        throw new FrameFormatError(`frame of ${body.length} bytes ${what}`);
      }
      try {
        out.push(JSON.parse(body.toString('utf8')));
      } catch {
        throw new FrameFormatError(`frame of ${body.length} bytes is not valid JSON`);
      }
    }
  }

  /** A frame has begun (some of its header or body arrived) and is not complete yet. */
  get partial(): boolean {
    return this.buffered > 0 || this.want !== undefined;
  }

  /** Bytes held for frames not yet complete. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0]!;
        const part = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, part);
        filled += part;
        if (part === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(part);
      }
    }
    this.buffered -= n;
    return out;
  }
}
