import { SequenceConflict, SwarmError } from '../api/errors';
import { proposalTooLarge, type ConsensusLog } from '../raft/log';
import type { MemoryStore } from './memory-store';
import { MAX_PROPOSAL_BYTES, splitBatch } from './split-batch';
import { Tx } from './tx';

export interface UpdateOptions {
  /**
   * Re-run the transaction when it loses a version race (control loops).
   * The control API passes false: a stale client version is the client's error.
   */
  retry?: boolean;
  /** Largest proposal in encoded bytes (tests lower it). */
  maxProposalBytes?: number;
}

const MAX_RETRIES = 20;

/**
 * The one write path: build a transaction against the applied store, propose
 * its batch, and return once the entry is durable and applied.
 */
export class ClusterStore {
  constructor(
    readonly view: MemoryStore,
    private readonly log: ConsensusLog,
    private readonly clock: () => number = Date.now,
  ) {}

  isLeader(): boolean {
    return this.log.isLeader();
  }

  async update<T>(fn: (tx: Tx) => T, opts: UpdateOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const now = Math.floor(this.clock());
      const tx = new Tx(this.view, new Date(now).toISOString());
      let result: T;
      try {
        result = fn(tx);
      } catch (err) {
        if (opts.retry && err instanceof SequenceConflict && attempt < MAX_RETRIES) continue;
        throw err;
      }
      if (tx.size === 0) return result;
      const max = opts.maxProposalBytes ?? MAX_PROPOSAL_BYTES;
      // the entry carries its time: the events it makes are stamped with it on every manager
      const { batches, bytes } = splitBatch({ ...tx.batch(), time: now }, max);
      // A client's transaction stays atomic, so it must fit one proposal. A control loop's
      // pass is a set of independent, idempotent writes: like swarmkit's store.Batch it is
      // committed in parts, and a part that loses a race re-runs the pass on the new state.
      if (batches.length > 1 && !opts.retry) throw proposalTooLarge(bytes, max);
      let error: SwarmError | undefined;
      for (const b of batches) {
        ({ error } = await this.log.propose(b));
        if (error) break;
      }
      if (!error) return result;
      if (opts.retry && error instanceof SequenceConflict && attempt < MAX_RETRIES) continue;
      throw error instanceof SwarmError ? error : new Error(String(error));
    }
  }
}
