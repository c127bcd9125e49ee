import { join } from 'node:path';
import { openDb, type Db } from '../storage/db';
import type { RaftRecordCodec } from '../storage/encryption/record-codec';
import { SqliteRaftStorage } from '../raft/storage/sqlite-storage';
import { RaftLog, type RaftLogLogger, type RaftTransport } from '../raft/raft-log';
import { encodeConfChange } from '../raft/core';
import type { RaftId, RaftStorage } from '../raft/types';
import { systemClock, type Clock } from '../util/clock';
import { ClusterStore } from './cluster-store';
import { MemoryStore } from './memory-store';

export interface OpenedStore {
  store: ClusterStore;
  db: Db;
  log: RaftLog;
  storage: SqliteRaftStorage;
  close(): Promise<void>;
}

/** Raft timing on loopback: failover (detect + elect) within 2 s. See server/manager/membership/timing.ts. */
export interface RaftTimingOptions {
  tickMs?: number;
  electionTick?: number;
  heartbeatTick?: number;
}

export interface OpenStoreOptions extends RaftTimingOptions {
  /** Timestamps the store writes (tx.now). */
  clock?: () => number;
  /** Applied entries between snapshots (Raft.SnapshotInterval). */
  snapshotInterval?: number;
  /** Entries kept behind a snapshot (Raft.LogEntriesForSlowFollowers). */
  keepEntries?: number;
  /** This member's raft ID (the node ID); tests get a private one-member group. */
  id?: RaftId;
  /** This member's cluster address (host:port). */
  addr?: string;
  /** The cluster transport; a one-member group needs none. */
  transport?: RaftTransport;
  /** Clock for raft ticks and waits. */
  raftClock?: Clock;
  /** Empty storage only: found a brand-new one-member group of this member. Default true. */
  bootstrap?: boolean;
  /** A joining member: the current members' addresses from the join answer. */
  peers?: Record<RaftId, string>;
  logger?: RaftLogLogger;
  /**
   * Write the log through a thread of its own (default). Off: on this thread
   * via Prisma, for unit tests that open hundreds of short-lived stores
   * (a writer thread takes ~150 ms to start).
   */
  writerThread?: boolean;
  /** Encryption at rest: raft entries and snapshots are stored through it (the manager's key ring). */
  codec?: RaftRecordCodec;
}

/** A transport for a member that has no peers (tests, and a one-manager swarm before anyone joins). */
export const noPeersTransport: RaftTransport = {
  send: () => false,
  onMessage: () => () => undefined,
  addPeer: () => undefined,
  removePeer: () => undefined,
};

/**
 * Open the data directory: the raft member over SQLite, with the store
 * rebuilt from its snapshot and committed entries. A brand-new data dir
 * founds a one-member raft group unless the member is joining (`peers`).
 */
export async function openStore(dataDir: string, opts: OpenStoreOptions = {}): Promise<OpenedStore> {
  const file = join(dataDir, 'swarmdeck.db');
  const db = await openDb(file);
  // the log's writes (and their fsyncs) go through a thread of their own, off the event loop
  const storage = new SqliteRaftStorage(db, {
    ...(opts.writerThread === false ? {} : { file }),
    ...(opts.codec ? { codec: opts.codec } : {}),
  });
  const id = opts.id ?? 'local';
  const addr = opts.addr ?? '';
  try {
    await adoptSingleNodeLog(storage, id, addr);
    const view = new MemoryStore();
    const joining = !!opts.peers;
    const log = await RaftLog.open({
      id,
      addr,
      storage,
      transport: opts.transport ?? noPeersTransport,
      clock: opts.raftClock ?? systemClock,
      store: view,
      random: Math.random,
      tickMs: opts.tickMs,
      core: { electionTick: opts.electionTick ?? 10, heartbeatTick: opts.heartbeatTick ?? 1 },
      snapshotInterval: opts.snapshotInterval ?? 10_000,
      keepEntries: opts.keepEntries ?? 500,
      bootstrap: joining || opts.bootstrap === false ? undefined : { [id]: addr },
      peers: opts.peers,
      logger: opts.logger ?? { error: (m) => console.error(m), info: (m) => console.log(m) },
    });
    const store = new ClusterStore(view, log, opts.clock);
    // a one-member group elects itself at once: be ready to write when this resolves
    const conf = log.status().conf;
    if (conf.voters.length === 1 && conf.voters[0] === id) await untilLeader(log, 5_000);
    return {
      store,
      db,
      log,
      storage,
      async close() {
        await log.close();
        await storage.close();
        await db.$disconnect();
      },
    };
  } catch (err) {
    await storage.close().catch(() => undefined);
    await db.$disconnect();
    throw err;
  }
}

function untilLeader(log: RaftLog, ms: number): Promise<void> {
  if (log.isLeader()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('raft: a one-member group did not elect itself'));
    }, ms);
    const off = log.onLeadershipChange((isLeader) => {
      if (!isLeader) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/**
 * Data written by the single-member log before raft (entries at term 1, no
 * hard state, no membership): make this member the group's one voter by
 * appending the conf change a bootstrap would have written, committed.
 */
async function adoptSingleNodeLog(storage: RaftStorage, id: RaftId, addr: string): Promise<void> {
  const state = await storage.load();
  const last = state.entries.at(-1)?.index ?? state.snapshot?.meta.index ?? 0;
  const hasMembers =
    (state.snapshot?.meta.conf.voters.length ?? 0) > 0 || state.entries.some((e) => e.type === 'conf-change');
  if (state.hardState.term !== 0 || last === 0 || hasMembers) return;
  const index = last + 1;
  await storage.save({
    entries: [
      { index, term: 1, type: 'conf-change', data: encodeConfChange({ type: 'add-voter', id, context: addr }) },
    ],
    hardState: { term: 1, vote: '', commit: index },
  });
}
