import { SwarmError } from '../api/errors';
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

/**
 * A write whose entry would exceed the proposal limit, refused before it reaches the log:
 * swarmkit's ErrRequestTooLarge text, with the numbers.
 */
export function proposalTooLarge(bytes: number, limit: number): SwarmError {
  return new SwarmError(
    'InvalidArgument',
    `rpc error: code = InvalidArgument desc = raft: raft message is too large and can't be sent: the write is ${bytes} bytes encoded, the limit is ${limit}`,
  );
}
