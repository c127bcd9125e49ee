// The leader's view of one member's log (etcd's Progress): probe while the
// match point is unknown (one append at a time), replicate once it is
// (pipelined appends, bounded by the inflight window), snapshot while a
// snapshot is streaming to it.

import type { RaftId } from '../types';
import type { SnapshotSender } from './snapshot-chunks';
import type { ProgressState, ProgressStatus, StalledReplication } from './types';

/** Ring buffer of the last index of each append message in flight. */
export class Inflights {
  private buf: number[];
  private start = 0;
  count = 0;

  constructor(readonly capacity: number) {
    this.buf = new Array<number>(capacity).fill(0);
  }

  full(): boolean {
    return this.count >= this.capacity;
  }

  add(lastIndex: number): void {
    if (this.full()) throw new Error('raft inflights: add to a full window');
    this.buf[(this.start + this.count) % this.capacity] = lastIndex;
    this.count++;
  }

  /** Frees every message whose last index is <= `index` (acknowledged). */
  freeLE(index: number): void {
    while (this.count > 0 && this.buf[this.start]! <= index) {
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
    if (this.count === 0) this.start = 0;
  }

  /** Frees the oldest message (presumed lost). */
  freeFirstOne(): void {
    if (this.count === 0) return;
    this.start = (this.start + 1) % this.capacity;
    this.count--;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
  }
}

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** Probe state: an append was sent and its answer is awaited. */
  probeSent = false;
  /** Snapshot state: the snapshot index being sent. */
  pendingSnapshot = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  readonly inflights: Inflights;
  snapshotSender: SnapshotSender | undefined;
  /** The entry at `next` cannot be sent (too large for a message): set until `next` moves. */
  stalled: StalledReplication | undefined;

  constructor(
    readonly id: RaftId,
    next: number,
    public learner: boolean,
    maxInflight: number,
  ) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
    this.snapshotSender = undefined;
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(index: number, sender: SnapshotSender): void {
    this.resetState('snapshot');
    this.pendingSnapshot = index;
    this.snapshotSender = sender;
  }

  /** An accepted append up to `n`. Returns false for a stale answer. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /** Pipelining: assume the append up to `n` will succeed. */
  optimisticUpdate(n: number): void {
    this.next = n + 1;
  }

  /**
   * A rejected append at `rejected`; `matchHint` is the highest index that may
   * match. Returns false when the rejection is stale.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }

  status(): ProgressStatus {
    const s: ProgressStatus = {
      match: this.match,
      next: this.next,
      state: this.state,
      recentActive: this.recentActive,
      learner: this.learner,
    };
    if (this.snapshotSender) s.snapshotSent = this.snapshotSender.status();
    if (this.stalled) s.stalled = { ...this.stalled };
    return s;
  }
}
