// ReadIndex (raft thesis §6.4): the leader records its commit index for a
// read, confirms it is still leader with a heartbeat round acknowledged by a
// quorum, and only then answers. Rounds are answered in order: a quorum ack
// for a later round also confirms every earlier one.

import type { RaftId } from '../types';

export interface ReadRequest {
  index: number;
  context: string;
  /** Member that asked (the leader itself for local reads). */
  from: RaftId;
  acks: Set<RaftId>;
}

export class ReadOnly {
  private pending = new Map<string, ReadRequest>();
  private queue: string[] = [];

  /** Returns false when a read with this context is already pending. */
  add(index: number, context: string, from: RaftId): boolean {
    if (this.pending.has(context)) return false;
    this.pending.set(context, { index, context, from, acks: new Set() });
    this.queue.push(context);
    return true;
  }

  /** Records a heartbeat ack; returns who acked the round so far (undefined for unknown rounds). */
  recvAck(id: RaftId, context: string): ReadonlySet<RaftId> | undefined {
    const r = this.pending.get(context);
    if (!r) return undefined;
    r.acks.add(id);
    return r.acks;
  }

  /** Releases every read up to and including `context`, oldest first. */
  advance(context: string): ReadRequest[] {
    const at = this.queue.indexOf(context);
    if (at < 0) return [];
    const done = this.queue.splice(0, at + 1);
    return done.map((c) => {
      const r = this.pending.get(c)!;
      this.pending.delete(c);
      return r;
    });
  }

  /** The newest round, carried by heartbeats so a lost round is retried. */
  lastPendingContext(): string {
    return this.queue[this.queue.length - 1] ?? '';
  }

  size(): number {
    return this.queue.length;
  }

  reset(): void {
    this.pending.clear();
    this.queue = [];
  }
}
