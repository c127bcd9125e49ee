import type { SwarmError } from '../api/errors';
import type { Batch } from '../store/batch';

export interface ProposalResult {
  index: number;
  /** Set when the committed entry failed validation at apply time. */
  error?: SwarmError;
}

/**
 * The write path's contract: `propose` resolves only after the entry is
 * durable (on a quorum, once raft replaces the single-node log) and applied
 * to the local store. Control loops and the control API see only this.
 */
export interface ConsensusLog {
  propose(batch: Batch): Promise<ProposalResult>;
  /** Whether this manager may run the control loops and accept writes. */
  isLeader(): boolean;
  close(): Promise<void>;
}
