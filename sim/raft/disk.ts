// A simulated disk implementing RaftStorage. Writes become durable only when
// their fsync completes (after a delay on the virtual clock); a crash loses
// every write issued but not yet synced. Only acknowledged saves survive —
// unless `ackBeforeSync` is set, a deliberate bug that acknowledges at once.

import type { Entry, HardState, RaftStorage, Snapshot } from '../../server/raft/types';
import type { Scheduler } from './scheduler';

export interface DiskState {
  hardState: HardState;
  snapshot?: Snapshot;
  entries: Entry[];
}

export interface DiskOptions {
  /** fsync latency of one write, ms. */
  fsyncMs: () => number;
  /** BUG injection: resolve save() before the data is durable. */
  ackBeforeSync?: boolean;
  /** Called after a write became durable (the simulation's log-matching check). */
  onDurable?: (disk: SimDisk, written: Entry[]) => void;
}

type Op =
  { kind: 'save'; update: Parameters<RaftStorage['save']>[0] } | { kind: 'compact'; snapshot: Snapshot; keep: number };

export class SimDisk implements RaftStorage {
  /** What survives a crash. */
  durable: DiskState = emptyState();
  /** What reads see: durable plus writes issued but not yet synced (the page cache). */
  private cache: DiskState = emptyState();
  /** Bumped by a crash: writes of an older incarnation never land. */
  private generation = 0;
  private busyUntil = 0;
  writes = 0;
  /** Writes issued but not yet synced. */
  private inflight = 0;
  /** Called once when the next write is issued, with the ms until it will be synced (to crash mid-write). */
  onNextWrite: ((syncInMs: number) => void) | undefined;
  /** Writes a crash threw away (acknowledged ones too, with ackBeforeSync). */
  lost = 0;

  constructor(
    readonly id: string,
    private readonly sched: Scheduler,
    private readonly opts: DiskOptions,
  ) {}

  load(): Promise<{ hardState: HardState; snapshot?: Snapshot; entries: Entry[] }> {
    const d = this.cache;
    return Promise.resolve({ hardState: { ...d.hardState }, snapshot: d.snapshot, entries: d.entries.slice() });
  }

  save(update: Parameters<RaftStorage['save']>[0]): Promise<void> {
    return this.write({ kind: 'save', update: { ...update, entries: update.entries?.slice() } });
  }

  compact(snapshot: Snapshot, keepEntries: number): Promise<void> {
    return this.write({ kind: 'compact', snapshot, keep: Math.max(0, keepEntries) });
  }

  /** The process died: writes still waiting for their fsync are lost. */
  crash(): void {
    this.generation++;
    this.busyUntil = this.sched.now;
    this.cache = cloneState(this.durable);
    this.lost += this.inflight;
    this.inflight = 0;
  }

  /** Term of `index` on disk (the snapshot's term at its index), undefined if absent. */
  term(index: number): number | undefined {
    return termIn(this.durable, index);
  }

  entry(index: number): Entry | undefined {
    const first = this.durable.entries[0]?.index;
    if (first === undefined || index < first) return undefined;
    return this.durable.entries[index - first];
  }

  private write(op: Op): Promise<void> {
    const gen = this.generation;
    // writes complete in order: one fsync after another
    const done = Math.max(this.sched.now, this.busyUntil) + this.opts.fsyncMs();
    this.busyUntil = done;
    applyOp(this.cache, op);
    this.inflight++;
    const hook = this.onNextWrite;
    this.onNextWrite = undefined;
    hook?.(done - this.sched.now);
    return new Promise<void>((resolve) => {
      if (this.opts.ackBeforeSync) resolve();
      this.sched.at(done - this.sched.now, `fsync ${this.id}`, () => {
        if (gen !== this.generation) return; // crashed before the fsync: never durable, never acknowledged
        this.writes++;
        this.inflight--;
        const written = applyOp(this.durable, op);
        this.opts.onDurable?.(this, written);
        resolve();
      });
    });
  }
}

function emptyState(): DiskState {
  return { hardState: { term: 0, vote: '', commit: 0 }, entries: [] };
}

function cloneState(d: DiskState): DiskState {
  return { hardState: { ...d.hardState }, snapshot: d.snapshot, entries: d.entries.slice() };
}

function termIn(d: DiskState, index: number): number | undefined {
  if (d.snapshot && index === d.snapshot.meta.index) return d.snapshot.meta.term;
  const first = d.entries[0]?.index;
  if (first === undefined || index < first) return index === 0 ? 0 : undefined;
  return d.entries[index - first]?.term;
}

/** The semantics of SqliteRaftStorage, on plain arrays. Returns the entries written. */
function applyOp(d: DiskState, op: Op): Entry[] {
  const snapIndex = d.snapshot?.meta.index ?? 0;
  if (op.kind === 'compact') {
    if (op.snapshot.meta.index < snapIndex) return [];
    d.snapshot = op.snapshot;
    const cut = op.snapshot.meta.index - op.keep;
    d.entries = d.entries.filter((e) => e.index > cut);
    return [];
  }
  const { snapshot, entries, hardState } = op.update;
  let floor = snapIndex;
  if (snapshot && snapshot.meta.index > snapIndex) {
    const keepsTail = termIn(d, snapshot.meta.index) === snapshot.meta.term;
    d.snapshot = snapshot;
    d.entries = keepsTail ? d.entries.filter((e) => e.index > snapshot.meta.index) : [];
    floor = snapshot.meta.index;
  }
  const fresh = entries?.filter((e) => e.index > floor) ?? [];
  if (fresh.length > 0) {
    const first = fresh[0]!.index;
    d.entries = d.entries.filter((e) => e.index < first).concat(fresh);
  }
  if (hardState) d.hardState = { ...hardState };
  return fresh;
}
