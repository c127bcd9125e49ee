import type { Batch } from './batch';

/**
 * swarmkit caps a proposal at 1.5 MiB (store transaction limits, §8); larger
 * ones would not fit a raft message or a transport frame, and one huge entry
 * stalls replication for everyone.
 */
export const MAX_PROPOSAL_BYTES = 1.5 * 1024 * 1024;

/**
 * Split a batch into consecutive batches of at most `maxBytes` of encoded
 * ops each (an op larger than that travels alone). Order is kept.
 */
export function splitBatch(batch: Batch, maxBytes = MAX_PROPOSAL_BYTES): { batches: Batch[]; bytes: number } {
  const batches: Batch[] = [];
  let current: Batch = { ops: [] };
  let size = 0;
  let bytes = 0;
  for (const op of batch.ops) {
    const n = Buffer.byteLength(JSON.stringify(op));
    bytes += n;
    if (current.ops.length > 0 && size + n > maxBytes) {
      batches.push(current);
      current = { ops: [] };
      size = 0;
    }
    current.ops.push(op);
    size += n;
  }
  if (current.ops.length > 0) batches.push(current);
  return { batches, bytes };
}
