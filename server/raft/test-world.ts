// A tiny in-memory raft world for the shell's tests: durable-at-once storage,
// a droppable network and a manual clock, with real RaftLogs and MemoryStores.

import { setImmediate } from 'node:timers';
import type { Config } from '../api/types';
import type { Batch } from '../store/batch';
import { MemoryStore } from '../store/memory-store';
import { ManualClock } from '../util/clock';
import { seededRandom } from './core/test-cluster';
import type { WireMessage } from './member-hints';
import { RaftLog, type RaftLogOptions, type RaftTransport } from './raft-log';
import type { Entry, HardState, RaftId, RaftStorage, Snapshot } from './types';

export class MemStorage implements RaftStorage {
  hardState: HardState = { term: 0, vote: '', commit: 0 };
  snapshot: Snapshot | undefined;
  entries: Entry[] = [];
  failCompact = false;
  /** While set, a compaction waits for it (a snapshot the disk is slow to take). */
  holdCompact: Promise<void> | undefined;
  compactions = 0;
  async load() {
    return { hardState: { ...this.hardState }, snapshot: this.snapshot, entries: this.entries.slice() };
  }
  async save(u: { hardState?: HardState; entries?: Entry[]; snapshot?: Snapshot }) {
    if (u.snapshot) {
      this.snapshot = u.snapshot;
      this.entries = this.entries.filter((e) => e.index > u.snapshot!.meta.index);
    }
    if (u.entries && u.entries.length > 0) {
      const first = u.entries[0]!.index;
      this.entries = this.entries.filter((e) => e.index < first).concat(u.entries);
    }
    if (u.hardState) this.hardState = { ...u.hardState };
  }
  async compact(s: Snapshot, keep: number) {
    await this.holdCompact;
    if (this.failCompact) throw new Error('disk full');
    this.compactions++;
    this.snapshot = s;
    this.entries = this.entries.filter((e) => e.index > s.meta.index - keep);
  }
}

export class Net {
  handlers = new Map<RaftId, (from: RaftId, m: WireMessage) => void>();
  down = new Set<RaftId>();
  transport(id: RaftId): RaftTransport & { peers: Map<RaftId, string> } {
    const peers = new Map<RaftId, string>();
    return {
      peers,
      send: (to, m) => {
        if (!peers.has(to)) return false;
        if (this.down.has(id) || this.down.has(to)) return true;
        const copy = JSON.parse(JSON.stringify(m)) as WireMessage;
        queueMicrotask(() => this.handlers.get(to)?.(id, copy));
        return true;
      },
      onMessage: (h) => {
        this.handlers.set(id, h);
        return () => this.handlers.delete(id);
      },
      addPeer: (p, addr) => void peers.set(p, addr),
      removePeer: (p) => void peers.delete(p),
    };
  }
}

export const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

export class World {
  clock = new ManualClock();
  net = new Net();
  storages = new Map<RaftId, MemStorage>();
  stores = new Map<RaftId, MemoryStore>();
  logs = new Map<RaftId, RaftLog>();
  transports = new Map<RaftId, ReturnType<Net['transport']>>();
  errors: string[] = [];
  private seed = 1;

  async open(id: RaftId, extra: Partial<RaftLogOptions> = {}): Promise<RaftLog> {
    const storage = this.storages.get(id) ?? new MemStorage();
    this.storages.set(id, storage);
    const store = new MemoryStore();
    this.stores.set(id, store);
    const transport = this.net.transport(id);
    this.transports.set(id, transport);
    const log = await RaftLog.open({
      id,
      addr: `addr-${id}`,
      storage,
      transport,
      clock: this.clock,
      store,
      random: seededRandom(this.seed++),
      core: { electionTick: 10, heartbeatTick: 1 },
      tickMs: 100,
      logger: { error: (m) => this.errors.push(m) },
      ...extra,
    });
    this.logs.set(id, log);
    return log;
  }

  /** Advance virtual time in 10 ms steps, letting promises settle between them. */
  async run(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 10) {
      this.clock.advance(10);
      await flush();
    }
  }

  async until(cond: () => boolean, maxMs = 10_000): Promise<void> {
    for (let t = 0; t < maxMs; t += 10) {
      if (cond()) return;
      await this.run(10);
    }
    throw new Error('condition not reached');
  }

  leader(): RaftLog | undefined {
    return [...this.logs.values()].find((l) => l.isLeader());
  }
}

export function config(id: string): Config {
  const now = new Date(0).toISOString();
  return { ID: id, Version: { Index: 0 }, CreatedAt: now, UpdatedAt: now, Spec: { Name: id, Labels: {} } } as Config;
}
export const create = (id: string): Batch => ({ ops: [{ op: 'create', kind: 'config', object: config(id) }] });

export async function threeMembers(w: World): Promise<RaftLog> {
  const boot = { n1: 'addr-n1', n2: 'addr-n2', n3: 'addr-n3' };
  for (const id of Object.keys(boot)) await w.open(id, { bootstrap: boot });
  await w.until(() => !!w.leader());
  return w.leader()!;
}
