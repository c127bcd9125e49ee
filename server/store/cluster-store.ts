import type { AuditNote } from '../api/audit';
import { SequenceConflict, SwarmError } from '../api/errors';
import { proposalTooLarge, type ConsensusLog } from '../raft/log';
import type { MemoryStore } from './memory-store';
import { currentAudit } from './audit-context';
import { UNATTRIBUTED } from './audit-record';
import type { Batch, BatchAudit } from './batch';
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
  /** Entries this manager proposed, and those refused or lost (the /metrics counters read them). */
  readonly proposals = { total: 0, failed: 0 };

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
      // the entry carries its time (its events are stamped with it on every manager) and who made it
      const { batches, bytes } = splitBatch({ ...tx.batch(), time: now, audit: stamp() }, max);
      // A client's transaction stays atomic, so it must fit one proposal. A control loop's
      // pass is a set of independent, idempotent writes: like swarmkit's store.Batch it is
      // committed in parts, and a part that loses a race re-runs the pass on the new state.
      if (batches.length > 1 && !opts.retry) throw proposalTooLarge(bytes, max);
      let error: SwarmError | undefined;
      for (const b of batches) {
        ({ error } = await this.proposeCounted(b));
        if (error) break;
      }
      if (!error) return result;
      if (opts.retry && error instanceof SequenceConflict && attempt < MAX_RETRIES) continue;
      throw error instanceof SwarmError ? error : new Error(String(error));
    }
  }

  private async proposeCounted(batch: Batch): Promise<Awaited<ReturnType<ConsensusLog['propose']>>> {
    this.proposals.total++;
    try {
      const r = await this.log.propose(batch);
      if (r.error) this.proposals.failed++;
      return r;
    } catch (err) {
      this.proposals.failed++;
      throw err;
    }
  }

  /**
   * Propose audit notes (what is not a write: failed logins, refused requests)
   * as an audit-only entry; resolves once it is applied. Leader only.
   */
  async note(notes: readonly AuditNote[]): Promise<void> {
    if (notes.length === 0) return;
    const { error } = await this.proposeCounted({ ops: [], time: Math.floor(this.clock()), notes: [...notes] });
    if (error) throw error;
  }
}

/** The batch's audit stamp: the actor the door or loop set with runAs, else "unattributed". */
function stamp(): BatchAudit {
  const ctx = currentAudit();
  if (!ctx) return { actor: UNATTRIBUTED };
  // the door learns that its request reached the log (a refusal after this is the record's result, not a note)
  ctx.wrote = true;
  return ctx.action ? { actor: ctx.actor, action: ctx.action.slice(0, 300) } : { actor: ctx.actor };
}
