import { SequenceConflict, SwarmError } from '../api/errors';
import type { ConsensusLog } from '../raft/log';
import type { MemoryStore } from './memory-store';
import { Tx } from './tx';

export interface UpdateOptions {
  /**
   * Re-run the transaction when it loses a version race (control loops).
   * The control API passes false: a stale client version is the client's error.
   */
  retry?: boolean;
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
      const tx = new Tx(this.view, new Date(this.clock()).toISOString());
      let result: T;
      try {
        result = fn(tx);
      } catch (err) {
        if (opts.retry && err instanceof SequenceConflict && attempt < MAX_RETRIES) continue;
        throw err;
      }
      if (tx.size === 0) return result;
      const { error } = await this.log.propose(tx.batch());
      if (!error) return result;
      if (opts.retry && error instanceof SequenceConflict && attempt < MAX_RETRIES) continue;
      throw error instanceof SwarmError ? error : new Error(String(error));
    }
  }
}
