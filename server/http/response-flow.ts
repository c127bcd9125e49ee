// What a streamed response (log streams) may hold for a reader that reads
// slower than its source writes. Past the soft mark the response says it is
// behind and the source pauses (a node's publisher keeps its lines, a
// follower stops polling), as dockerd blocks a slow `docker logs` reader;
// past the hard cap (a source that cannot pause) the reader is dropped. So a
// client that stops reading costs the manager a bounded amount, never
// whatever the source produced meanwhile.

import type { ServerResponse } from 'node:http';

/** Bytes held before the source is asked to wait: about two of the nodes' 512 KiB batches. */
export const STREAM_SOFT_BYTES = 1024 * 1024;
/** Bytes held at most: a reader past it is closed. */
export const STREAM_HARD_BYTES = 4 * 1024 * 1024;

export interface ResponseFlowOptions {
  softBytes?: number;
  hardBytes?: number;
}

export class ResponseFlow {
  private readonly softBytes: number;
  private readonly hardBytes: number;
  /** Chunks written before the head went out (the subscription opens first). */
  private early: (string | Buffer)[] = [];
  private earlyBytes = 0;
  private sentHead = false;
  private waiting: Promise<void> | undefined;
  /** Set once the reader was dropped for being too far behind. */
  overflowed = false;

  constructor(
    private readonly res: ServerResponse,
    opts: ResponseFlowOptions = {},
  ) {
    this.softBytes = opts.softBytes ?? STREAM_SOFT_BYTES;
    this.hardBytes = opts.hardBytes ?? STREAM_HARD_BYTES;
  }

  /** Whether the head went out (the response is being streamed). */
  get headed(): boolean {
    return this.sentHead;
  }

  /** Bytes written and not yet taken by the reader's socket. */
  get buffered(): number {
    return this.sentHead ? this.res.writableLength : this.earlyBytes;
  }

  /** Writes (or keeps, before the head); false once the response is gone or was dropped here. */
  write(chunk: string | Buffer): boolean {
    if (this.res.destroyed || this.overflowed) return false;
    if (!this.sentHead) {
      this.early.push(chunk);
      this.earlyBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    } else {
      this.res.write(chunk);
    }
    if (this.buffered > this.hardBytes) {
      this.overflowed = true;
      this.res.destroy();
      return false;
    }
    return true;
  }

  /** The head went out: what was kept goes now. */
  headSent(): void {
    if (this.sentHead) return;
    this.sentHead = true;
    const early = this.early;
    this.early = [];
    this.earlyBytes = 0;
    for (const c of early) if (c.length) this.res.write(c);
  }

  /** undefined while under the soft mark; otherwise settles once the reader took everything (or left). */
  ready(): Promise<void> | undefined {
    if (this.buffered < this.softBytes || this.res.destroyed) return undefined;
    // before the head there is nothing to drain: the head comes within one round trip
    if (!this.sentHead) return undefined;
    this.waiting ??= new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        this.waiting = undefined;
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
    return this.waiting;
  }
}
