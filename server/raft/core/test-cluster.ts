// A tiny synchronous harness for unit tests: several RaftNodes, an in-memory
// "disk" per member, a message queue with drop rules, and a trivial state
// machine (the list of applied entry data). Deterministic: seeded randomness,
// no timers.

import type { Entry, HardState, RaftId, Snapshot } from '../types';
import { RaftNode } from './raft';
import type { Message, RaftConfig, ReadState, Ready } from './types';

// re-exported for the tests that drive this harness
export { seededRandom } from '../../util/random';
import { seededRandom } from '../../util/random';

/** A log whose entry i+1 has term terms[i] (data `t<term>i<index>`). */
export function entriesOfTerms(terms: number[]): Entry[] {
  return terms.map((term, i) => ({ index: i + 1, term, type: 'normal' as const, data: `t${term}i${i + 1}` }));
}

export interface Disk {
  hardState: HardState;
  entries: Entry[];
  snapshot?: Snapshot;
}

export type ClusterConfig = Partial<Omit<RaftConfig, 'id' | 'random'>>;

export class TestCluster {
  readonly nodes = new Map<RaftId, RaftNode>();
  readonly disks = new Map<RaftId, Disk>();
  /** Data of applied normal entries (the no-op '' entries excluded), per member. */
  readonly applied = new Map<RaftId, string[]>();
  readonly readStates = new Map<RaftId, ReadState[]>();
  /** Term of the last applied entry, per member (what a real shell records for its snapshots). */
  private readonly appliedTerm = new Map<RaftId, number>();
  /** Every message sent, for assertions. */
  readonly sent: Message[] = [];
  queue: Message[] = [];
  /** Return true to drop a message. */
  dropIf: (m: Message) => boolean = () => false;
  private readonly down = new Set<RaftId>();
  private seed: number;

  constructor(
    ids: RaftId[],
    readonly config: ClusterConfig = {},
    seed = 1,
  ) {
    this.seed = seed;
    for (const id of ids) this.addNode(id, { voters: ids, learners: [] });
  }

  /** Starts a member with an empty disk and the given initial membership. */
  addNode(id: RaftId, conf: { voters: RaftId[]; learners: RaftId[] } = { voters: [], learners: [] }): RaftNode {
    this.disks.set(id, { hardState: { term: 0, vote: '', commit: 0 }, entries: [] });
    this.applied.set(id, []);
    this.readStates.set(id, []);
    const node = new RaftNode({ ...this.config, id, random: seededRandom(this.seed++) }, { conf });
    this.nodes.set(id, node);
    return node;
  }

  /** Replaces `id` with a member restarted from the given disk (e.g. a log built with `entriesOfTerms`). */
  load(id: RaftId, disk: Disk, conf: { voters: RaftId[]; learners: RaftId[] }): RaftNode {
    this.disks.set(id, { hardState: { ...disk.hardState }, entries: disk.entries.slice(), snapshot: disk.snapshot });
    this.applied.set(id, []);
    this.readStates.set(id, []);
    const node = new RaftNode(
      { ...this.config, id, random: seededRandom(this.seed++) },
      { hardState: disk.hardState, entries: disk.entries.slice(), snapshot: disk.snapshot, conf },
    );
    this.nodes.set(id, node);
    return node;
  }

  node(id: RaftId): RaftNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** Crash and restart from the disk (the state machine is rebuilt by re-applying). */
  restart(id: RaftId): RaftNode {
    const disk = this.disks.get(id)!;
    const conf = this.node(id).conf;
    this.applied.set(id, disk.snapshot ? (JSON.parse(disk.snapshot.data) as string[]) : []);
    this.appliedTerm.set(id, disk.snapshot?.meta.term ?? 0);
    this.readStates.set(id, []);
    this.queue = this.queue.filter((m) => m.to !== id);
    const node = new RaftNode(
      { ...this.config, id, random: seededRandom(this.seed++) },
      {
        hardState: disk.hardState,
        snapshot: disk.snapshot,
        entries: disk.entries.slice(),
        conf: disk.snapshot ? undefined : conf,
      },
    );
    this.nodes.set(id, node);
    return node;
  }

  /** Cuts `ids` off the network: messages to and from them are dropped (they still tick and persist). */
  isolate(...ids: RaftId[]): void {
    for (const id of ids) this.down.add(id);
  }

  heal(): void {
    this.down.clear();
  }

  /** Handles one Ready of `id` the way a shell must: persist, send, apply, advance. */
  handleReady(id: RaftId): Ready | undefined {
    const node = this.node(id);
    if (!node.hasReady()) return undefined;
    const rd = node.ready();
    const disk = this.disks.get(id)!;
    if (rd.snapshot) {
      disk.snapshot = rd.snapshot;
      disk.entries = disk.entries.filter((e) => e.index > rd.snapshot!.meta.index);
    }
    if (rd.entries.length > 0) {
      const first = rd.entries[0]!.index;
      disk.entries = disk.entries.filter((e) => e.index < first).concat(rd.entries);
    }
    if (rd.hardState) disk.hardState = rd.hardState;
    for (const m of rd.messages) {
      this.sent.push(m);
      this.queue.push(m);
    }
    if (rd.snapshot) {
      this.applied.set(id, JSON.parse(rd.snapshot.data) as string[]);
      this.appliedTerm.set(id, rd.snapshot.meta.term);
    }
    const lastApplied = rd.committedEntries[rd.committedEntries.length - 1];
    if (lastApplied) this.appliedTerm.set(id, lastApplied.term);
    const applied = this.applied.get(id)!;
    for (const e of rd.committedEntries) if (e.type === 'normal' && e.data !== '') applied.push(e.data);
    this.readStates.get(id)!.push(...rd.readStates);
    node.advance(rd);
    return rd;
  }

  /** Delivers messages and handles Readies until nothing moves (or maxSteps). */
  stabilize(maxSteps = 100_000): void {
    for (let step = 0; step < maxSteps; step++) {
      let moved = false;
      for (const id of this.nodes.keys()) {
        while (this.handleReady(id)) moved = true;
      }
      const batch = this.queue;
      this.queue = [];
      for (const m of batch) {
        if (this.down.has(m.from) || this.down.has(m.to) || this.dropIf(m)) continue;
        const to = this.nodes.get(m.to);
        if (!to) continue;
        to.step(m);
        moved = true;
      }
      if (!moved) return;
    }
    throw new Error('cluster did not stabilize');
  }

  /** Delivers only the queued messages matching `pick` (one hop), keeping the rest queued. */
  deliver(pick: (m: Message) => boolean = () => true): Message[] {
    const delivered: Message[] = [];
    const keep: Message[] = [];
    for (const m of this.queue) {
      if (!pick(m)) keep.push(m);
      else delivered.push(m);
    }
    this.queue = keep;
    for (const m of delivered) {
      if (this.down.has(m.from) || this.down.has(m.to) || this.dropIf(m)) continue;
      this.nodes.get(m.to)?.step(m);
    }
    return delivered;
  }

  /** Flushes every member's Ready (persist + queue messages) without delivering. */
  flush(): void {
    for (const id of this.nodes.keys()) {
      while (this.handleReady(id)) {
        // drain
      }
    }
  }

  tick(ids: RaftId[] = [...this.nodes.keys()], times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const id of ids) this.node(id).tick();
      this.stabilize();
    }
  }

  /** Makes `id` campaign and runs the election to completion. */
  elect(id: RaftId): void {
    this.node(id).campaign();
    this.stabilize();
  }

  leaders(): RaftId[] {
    return [...this.nodes.values()].filter((n) => n.isLeader).map((n) => n.id);
  }

  /** Takes a snapshot of `id`'s applied state and compacts its log. */
  snapshotAndCompact(id: RaftId, keepEntries = 0): Snapshot {
    const node = this.node(id);
    const st = node.status();
    const term = this.appliedTerm.get(id) ?? 0;
    const snap: Snapshot = {
      meta: { index: st.applied, term, conf: node.conf },
      data: JSON.stringify(this.applied.get(id)),
    };
    node.compact(snap, keepEntries);
    const disk = this.disks.get(id)!;
    disk.snapshot = snap;
    disk.entries = disk.entries.filter((e) => e.index > snap.meta.index - keepEntries);
    return snap;
  }
}
