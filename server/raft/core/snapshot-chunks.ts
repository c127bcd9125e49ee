// Streaming a snapshot to a lagging follower in chunks. One chunk is in
// flight at a time; the follower acknowledges the offset it holds, so a lost
// chunk is resent from the follower's acknowledged offset, and a follower that
// lost the transfer (restart, different snapshot) acknowledges 0 to restart it.

import type { Snapshot, SnapshotMeta } from '../types';
import type { SnapshotChunkMessage } from './types';

export interface Chunk {
  offset: number;
  chunk: string;
  total: number;
  done: boolean;
}

/** Leader side, one per follower being sent a snapshot. */
export class SnapshotSender {
  /** The follower holds data[0, acked). */
  acked = 0;
  private inFlight = false;
  /** Leader tick of the last send or acknowledgement. */
  private lastActivity: number;

  constructor(
    readonly snapshot: Snapshot,
    private readonly chunkSize: number,
    now: number,
  ) {
    this.lastActivity = now;
  }

  get index(): number {
    return this.snapshot.meta.index;
  }

  get total(): number {
    return this.snapshot.data.length;
  }

  /** The next chunk to send, or undefined while one is in flight. */
  next(now: number): Chunk | undefined {
    if (this.inFlight) return undefined;
    const offset = this.acked;
    const end = Math.min(offset + this.chunkSize, this.total);
    this.inFlight = true;
    this.lastActivity = now;
    return { offset, chunk: this.snapshot.data.slice(offset, end), total: this.total, done: end >= this.total };
  }

  /** The follower reports the offset it holds; the follower is the truth (it may have restarted). */
  ack(offset: number, now: number): void {
    this.acked = Math.max(0, Math.min(offset, this.total));
    this.inFlight = false;
    this.lastActivity = now;
  }

  /** A chunk or its acknowledgement was lost: allow a resend from the acknowledged offset. */
  expire(now: number, timeout: number): boolean {
    if (this.inFlight && now - this.lastActivity >= timeout) {
      this.inFlight = false;
      return true;
    }
    return false;
  }

  status(): { index: number; offset: number; total: number } {
    return { index: this.index, offset: this.acked, total: this.total };
  }
}

export interface AssembleResult {
  /** Offset to acknowledge (next wanted). */
  offset: number;
  /** The whole snapshot, once its last chunk arrived in order. */
  snapshot?: Snapshot;
}

/** Follower side: reassembles the chunks of one transfer. */
export class SnapshotAssembler {
  private key = '';
  private meta: SnapshotMeta | undefined;
  private parts: string[] = [];
  private received = 0;
  private total = 0;

  receive(m: SnapshotChunkMessage): AssembleResult {
    const key = `${m.from}/${m.meta.index}/${m.meta.term}`;
    if (m.offset === 0) {
      this.key = key;
      this.meta = m.meta;
      this.parts = [];
      this.received = 0;
      this.total = m.total;
    } else if (key !== this.key || m.total !== this.total) {
      // A chunk of a transfer we do not hold: ask for it from the start.
      return { offset: 0 };
    }
    if (m.offset !== this.received) return { offset: this.received }; // duplicate or gap
    this.parts.push(m.chunk);
    this.received += m.chunk.length;
    if (this.received > this.total) {
      this.reset();
      return { offset: 0 };
    }
    if (m.done) {
      if (this.received !== this.total) {
        this.reset();
        return { offset: 0 };
      }
      const snapshot: Snapshot = { meta: this.meta!, data: this.parts.join('') };
      this.reset();
      return { offset: m.total, snapshot };
    }
    return { offset: this.received };
  }

  /** Bytes of the current transfer held so far (for status). */
  progress(): { index: number; offset: number; total: number } | undefined {
    return this.meta ? { index: this.meta.index, offset: this.received, total: this.total } : undefined;
  }

  reset(): void {
    this.key = '';
    this.meta = undefined;
    this.parts = [];
    this.received = 0;
    this.total = 0;
  }
}
