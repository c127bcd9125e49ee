import type { Batch } from '../store/batch';
import type { MemoryStore } from '../store/memory-store';
import type { LogStorage } from '../storage/log-storage';
import type { ConsensusLog, ProposalResult } from './log';

export interface SingleNodeLogOptions {
  /** Entries between snapshots (swarm's Raft.SnapshotInterval). */
  snapshotInterval: number;
  /** Entries kept behind a snapshot (Raft.LogEntriesForSlowFollowers). */
  keepEntries: number;
}

/**
 * A one-member log: propose → persist → apply. Proposals that arrive while a
 * write is in flight are group-committed in one SQLite transaction. The raft
 * issue replaces this with a replicated log behind the same ConsensusLog.
 */
export class SingleNodeLog implements ConsensusLog {
  private queue: { batch: Batch; resolve: (r: ProposalResult) => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;
  private lastIndex: number;
  private sinceSnapshot = 0;
  private closed = false;

  constructor(
    private readonly store: MemoryStore,
    private readonly storage: LogStorage,
    private readonly opts: SingleNodeLogOptions,
  ) {
    this.lastIndex = store.index;
  }

  /** Rebuild the store from the newest snapshot plus the entries after it. */
  static async open(store: MemoryStore, storage: LogStorage, opts: SingleNodeLogOptions): Promise<SingleNodeLog> {
    const { snapshot, entries } = await storage.load();
    if (snapshot) store.restore(snapshot);
    for (const e of entries) store.apply(e.index, e.batch);
    return new SingleNodeLog(store, storage, opts);
  }

  isLeader(): boolean {
    return !this.closed;
  }

  propose(batch: Batch): Promise<ProposalResult> {
    if (this.closed) return Promise.reject(new Error('log is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.queue.length);
        const first = this.lastIndex + 1;
        try {
          await this.storage.append(group.map((p, i) => ({ index: first + i, term: 1, batch: p.batch })));
        } catch (err) {
          for (const p of group) p.reject(err);
          continue;
        }
        this.lastIndex += group.length;
        group.forEach((p, i) => {
          const { error } = this.store.apply(first + i, p.batch);
          p.resolve({ index: first + i, error });
        });
        this.sinceSnapshot += group.length;
        if (this.sinceSnapshot >= this.opts.snapshotInterval) {
          this.sinceSnapshot = 0;
          try {
            await this.storage.saveSnapshot(this.store.image(), this.opts.keepEntries);
          } catch (err) {
            // the entries are all in the log: a failed snapshot only delays
            // compaction, and must not strand the proposals queued meanwhile
            console.error('log: snapshot failed:', err instanceof Error ? err.message : err);
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await new Promise((r) => setTimeout(r, 5));
  }
}
