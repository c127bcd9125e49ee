import { DEFAULT_CONFIG } from '../raft/core/types';
import type { Batch } from './batch';

/**
 * swarmkit caps a proposal at 1.5 MiB (store transaction limits, §8); larger
 * ones would not fit a raft message or a transport frame, and one huge entry
 * stalls replication for everyone. Measured as the raft core measures it: the
 * batch's JSON as the wire carries it (see opWireBytes).
 */
export const MAX_PROPOSAL_BYTES: number = DEFAULT_CONFIG.maxProposalBytes;

/** `{"ops":[` and `],"time":1765000000000}`, escaped, in quotes: what a batch adds around its ops. */
const BATCH_ENVELOPE_BYTES = 52;

/**
 * An op's bytes in a proposal on the wire. A batch's JSON travels inside a
 * JSON message as a string, so its escapes are escaped again: a label of
 * quotes takes four times its length.
 */
export function opWireBytes(op: Batch['ops'][number]): number {
  return wireBytes(op);
}

/** Bytes `value` adds to a proposal on the wire (its JSON, escaped once more; no quotes around it). */
export function wireBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(JSON.stringify(value)), 'utf8') - 2;
}

/**
 * Split a batch into consecutive batches of at most `maxBytes` each, measured
 * on the wire (an op larger than that travels alone, and the log refuses it).
 * Order is kept. `bytes` is the whole batch's size.
 */
export function splitBatch(batch: Batch, maxBytes = MAX_PROPOSAL_BYTES): { batches: Batch[]; bytes: number } {
  const batches: Batch[] = [];
  // every part carries the time and the audit stamp: each is applied, and recorded, on its own
  const stamp: Omit<Batch, 'ops'> = {
    ...(batch.time === undefined ? {} : { time: batch.time }),
    ...(batch.audit === undefined ? {} : { audit: batch.audit }),
  };
  const envelope = BATCH_ENVELOPE_BYTES + (batch.audit === undefined ? 0 : wireBytes(batch.audit) + 10);
  let current: Batch = { ops: [], ...stamp };
  let size = envelope;
  let bytes = envelope;
  for (const op of batch.ops) {
    const n = opWireBytes(op) + 1; // and its comma
    bytes += n;
    if (current.ops.length > 0 && size + n > maxBytes) {
      batches.push(current);
      current = { ops: [], ...stamp };
      size = envelope;
    }
    current.ops.push(op);
    size += n;
  }
  if (current.ops.length > 0) batches.push(current);
  return { batches, bytes };
}
