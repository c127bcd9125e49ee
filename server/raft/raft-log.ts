// The raft shell: drives one pure RaftNode with injected storage, transport,
// clock and randomness, so the same code runs in production and in the
// deterministic simulation (sim/raft). It is the replicated ConsensusLog.

import { SwarmError } from '../api/errors';
import type { Batch } from '../store/batch';
import type { MemoryStore } from '../store/memory-store';
import type { Clock } from '../util/clock';
import { applyEntry, applyMembership, snapshotImage, tryDecodeSnapshotData, type SnapshotImage } from './apply';
import { encodeJsonInSlices } from './snapshot-encoding';
import { FailedEntries, type FailedEntry } from './failed-entries';
import { raftMessageProblem } from './message-check';
import {
  RaftNode,
  encodeConfChange,
  type ConfChange,
  type ProposeResult,
  type RaftConfig,
  type Ready,
  type Role,
  type StalledReplication,
  type Status,
} from './core';
import { proposalTooLarge, type ConsensusLog, type ProposalResult } from './log';
import { isMemberHint, type MemberList, type WireMessage } from './member-hints';
import type { Entry, RaftId, RaftStorage, Snapshot } from './types';

/** The slice of ClusterTransport the shell needs (the simulation provides its own). */
export interface RaftTransport {
  /** Fire-and-forget; false when the message was not queued. */
  send(to: RaftId, message: WireMessage): boolean | void;
  onMessage(handler: (from: RaftId, message: WireMessage) => void): () => void;
  addPeer(id: RaftId, addr: string): void;
  removePeer(id: RaftId): void;
}

export interface RaftLogLogger {
  error(msg: string): void;
  info?(msg: string): void;
}

export interface RaftLogOptions {
  id: RaftId;
  /** This member's cluster address (kept in the member map). */
  addr?: string;
  /** Core tuning (election/heartbeat ticks, pre-vote, ...). */
  core?: Partial<Omit<RaftConfig, 'id' | 'random'>>;
  storage: RaftStorage;
  transport: RaftTransport;
  clock: Clock;
  store: MemoryStore;
  random: () => number;
  /** Milliseconds per raft tick (swarm: 1 s; default 100 ms). */
  tickMs?: number;
  /** Applied entries between snapshots (swarm's SnapshotInterval, 10,000). */
  snapshotInterval?: number;
  /** Entries kept behind a snapshot for slow followers (LogEntriesForSlowFollowers, 500). */
  keepEntries?: number;
  /** A brand-new cluster (empty storage only): founding voters and their addresses. */
  bootstrap?: Record<RaftId, string>;
  /**
   * A joining member: the current members' addresses (from the join answer), so it can answer
   * the leader before it has replayed the conf changes that name them.
   */
  peers?: Record<RaftId, string>;
  /** How long readBarrier and transferLeadership wait (default: two election timeouts). */
  waitMs?: number;
  logger?: RaftLogLogger;
  /** Called for every applied entry, after the store applied it (metrics, the simulation's checks). */
  onApply?: (entry: Entry) => void;
}

export interface RaftLogStatus extends Status {
  /** Index the store reflects. */
  storeIndex: number;
  /** The leader has applied an entry of its term: it may run the control loops. */
  leaderReady: boolean;
  snapshot: { index: number; term: number; bytes: number };
  members: { id: RaftId; addr: string }[];
  pendingProposals: number;
  /** Snapshots received from a leader and installed since this member started (catch-up by snapshot). */
  snapshotsInstalled: number;
  /** Committed entries (and snapshots) this member could not apply since it started: the store moved past them. */
  failedEntries: { total: number; recent: FailedEntry[] };
  /** Messages dropped before the core since this member started: malformed, or not from a member. */
  droppedMessages: number;
  /** Leader only: followers stuck behind an entry too large for any message (written before proposals were capped). */
  stalledReplication: ({ to: RaftId } & StalledReplication)[];
}

export type LeadershipListener = (isLeader: boolean, leader: RaftId, term: number) => void;

/** swarmkit's ErrLostLeadership text. */
export const LOST_LEADERSHIP = 'raft: failed to process the request: node lost leader status';
export const NO_LEADER =
  "The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";

/** Raised by propose/readBarrier/conf changes on a member that is not the leader. */
export class NotLeaderError extends SwarmError {
  constructor(readonly leader: RaftId) {
    super(
      'Unavailable',
      leader ? `rpc error: code = Unavailable desc = not the leader (leader is ${leader})` : NO_LEADER,
    );
  }
}

/** The leader a rejected call named ('' when none is known), or undefined if `err` is not a not-leader error. */
export function leaderOf(err: unknown): RaftId | undefined {
  return err instanceof NotLeaderError ? err.leader : undefined;
}

export function lostLeadership(): SwarmError {
  return new SwarmError('Unavailable', LOST_LEADERSHIP);
}

export function isLostLeadership(err: unknown): boolean {
  return err instanceof SwarmError && err.message === LOST_LEADERSHIP;
}

interface PendingProposal {
  term: number;
  /** The proposed batch: the leader applies this very object (its references are the store's). */
  batch?: Batch;
  resolve: (r: ProposalResult) => void;
  reject: (e: unknown) => void;
}

interface PendingRead {
  /** Read point once the leader answered. */
  index?: number;
  resolve: (index: number) => void;
  reject: (e: unknown) => void;
  cancelTimer: () => void;
}

const DEFAULTS = { tickMs: 100, snapshotInterval: 10_000, keepEntries: 500 };

/** Entry bytes applied (or persisted) in one go before the Ready loop lets the event loop run. */
const YIELD_AFTER_BYTES = 256 * 1024;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const ms = (n: number): string => n.toFixed(0);
const mib = (chars: number): string => (chars / 2 ** 20).toFixed(1);

export class RaftLog implements ConsensusLog {
  readonly id: RaftId;
  private readonly core: RaftNode;
  private readonly o: RaftLogOptions & typeof DEFAULTS;
  private readonly store: MemoryStore;
  private readonly memberAddrs = new Map<RaftId, string>();
  private readonly proposals = new Map<number, PendingProposal>();
  private readonly reads = new Map<string, PendingRead>();
  private readonly leadershipListeners = new Set<LeadershipListener>();
  private readonly transfers = new Set<{
    to: RaftId;
    resolve: () => void;
    reject: (e: unknown) => void;
    cancelTimer: () => void;
  }>();
  private processing: Promise<void> | undefined;
  /** A snapshot being written or stored (one at a time). */
  private snapshotting: Promise<void> | undefined;
  /** A stored snapshot whose entries the core still holds (dropped between Readies). */
  private compacted: Snapshot | undefined;
  private cancelTick: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private closed = false;
  private failed: unknown;
  private readSeq = 0;
  /** Term of the entry the store reflects (for snapshot metadata). */
  private appliedTerm: number;
  private sinceSnapshot = 0;
  private snapshotsInstalled = 0;
  private snapshotMeta: { index: number; term: number; bytes: number };
  /** Term the pending proposals were made in: a term change orphans them. */
  private proposalTerm = 0;
  private reported = { isLeader: false, leader: '', term: 0 };
  private readonly failures = new FailedEntries();
  private droppedMessages = 0;
  /** Clock time of the last warning about a dropped message (one a minute at most). */
  private droppedWarnedAt = -Infinity;
  /** Stalled replications already logged (`to@index`). */
  private stallsLogged = new Set<string>();
  /**
   * Members a member of ours named that our applied configuration does not know yet (see
   * member-hints.ts): admitted and addressed until the log says for itself.
   */
  private readonly vouched = new Map<RaftId, string>();
  /** Clock time a leader was last heard from (appends, heartbeats, snapshot chunks), or of the start. */
  private leaderHeardAt: number;
  private memberQueryAt = -Infinity;

  private constructor(o: RaftLogOptions & typeof DEFAULTS, core: RaftNode, snapshot: Snapshot | undefined) {
    this.o = o;
    this.id = o.id;
    this.core = core;
    this.store = o.store;
    this.appliedTerm = snapshot?.meta.term ?? 0;
    this.snapshotMeta = snapshot
      ? { index: snapshot.meta.index, term: snapshot.meta.term, bytes: snapshot.data.length }
      : { index: 0, term: 0, bytes: 0 };
    this.leaderHeardAt = o.clock.now();
  }

  /**
   * Load the member from storage and bring the store up to its committed
   * entries before anything else runs (no ticks, no network until then).
   */
  static async open(opts: RaftLogOptions): Promise<RaftLog> {
    const o = { ...DEFAULTS, ...stripUndefined(opts) } as RaftLogOptions & typeof DEFAULTS;
    let state = await o.storage.load();
    const fresh = !state.snapshot && state.entries.length === 0 && state.hardState.term === 0;
    if (fresh && o.bootstrap && Object.keys(o.bootstrap).length > 0) {
      // Founding members go in as committed conf changes at term 1, like the core's own bootstrap,
      // but carrying their addresses so members that join later can reach them after replaying the log.
      const ids = Object.keys(o.bootstrap).sort();
      const entries: Entry[] = ids.map((id, i) => ({
        index: i + 1,
        term: 1,
        type: 'conf-change',
        data: encodeConfChange({ type: 'add-voter', id, context: o.bootstrap![id] }),
      }));
      await o.storage.save({ entries, hardState: { term: 1, vote: '', commit: entries.length } });
      state = await o.storage.load();
    }
    const core = new RaftNode(
      { ...o.core, id: o.id, random: o.random },
      { hardState: state.hardState, snapshot: state.snapshot, entries: state.entries },
    );
    const log = new RaftLog(o, core, state.snapshot);
    // a store restored elsewhere already may be ahead; otherwise start from the snapshot
    if (state.snapshot && state.snapshot.meta.index > o.store.index) log.restoreStore(state.snapshot);
    if (state.snapshot) log.loadMembers(state.snapshot);
    if (o.addr) log.memberAddrs.set(o.id, o.addr);
    for (const [id, addr] of Object.entries(o.peers ?? {})) {
      if (id === o.id || log.memberAddrs.has(id) || core.conf.removed?.includes(id)) continue;
      log.memberAddrs.set(id, addr);
      o.transport.addPeer(id, addr);
    }
    // Replay the committed entries (the first Readies) before joining the network.
    await log.drain();
    log.unsubscribe = o.transport.onMessage((from, m) => log.receive(from, m));
    log.armTick();
    const conf = core.conf;
    if (conf.voters.length === 1 && conf.voters[0] === o.id && !core.isLeader) {
      core.campaign(); // a one-member cluster need not wait out an election timeout
      log.kick();
    }
    return log;
  }

  // ---- ConsensusLog ----------------------------------------------------------

  /** Leader that has applied an entry of its own term (its store is current): may run the control loops. */
  isLeader(): boolean {
    return !this.closed && this.core.isLeader && this.appliedTerm === this.core.currentTerm;
  }

  /** Cheap view of the core's role (the simulation checks election safety with it every step). */
  roleState(): { term: number; role: Role; leader: RaftId } {
    return { term: this.core.currentTerm, role: this.core.status().role, leader: this.core.leader };
  }

  /** The known leader ('' if none). */
  leader(): RaftId {
    return this.closed ? '' : this.core.leader;
  }

  propose(batch: Batch): Promise<ProposalResult> {
    return this.proposeEntry(
      (core) => core.propose(JSON.stringify(batch)),
      (_reason, r) => (r && 'bytes' in r ? proposalTooLarge(r.bytes, r.limit) : undefined),
      batch,
    );
  }

  /**
   * Linearizable read point: resolves with an index once the local store has
   * applied it; reads of the store after that see every write acknowledged
   * before the call. Works on followers (the leader is asked).
   */
  readBarrier(timeoutMs = this.waitMs()): Promise<number> {
    const unusable = this.unusable();
    if (unusable) return Promise.reject(unusable);
    const context = `${this.id}/${++this.readSeq}`;
    if (!this.core.readIndex(context)) return Promise.reject(new NotLeaderError(''));
    return new Promise<number>((resolve, reject) => {
      const cancelTimer = this.o.clock.setTimeout(() => {
        if (this.reads.delete(context)) reject(new NotLeaderError(this.core.leader));
      }, timeoutMs);
      this.reads.set(context, { resolve, reject, cancelTimer });
      this.kick();
    });
  }

  onLeadershipChange(cb: LeadershipListener): () => void {
    this.leadershipListeners.add(cb);
    return () => this.leadershipListeners.delete(cb);
  }

  // ---- membership --------------------------------------------------------------

  /** Propose adding a member; resolves once the change is applied here. */
  addMember(id: RaftId, addr: string, opts: { asLearner?: boolean } = {}): Promise<ProposalResult> {
    return this.confChange({ type: opts.asLearner ? 'add-learner' : 'add-voter', id, context: addr });
  }

  promote(id: RaftId): Promise<ProposalResult> {
    return this.confChange({ type: 'promote', id, context: this.memberAddrs.get(id) });
  }

  removeMember(id: RaftId): Promise<ProposalResult> {
    return this.confChange({ type: 'remove', id });
  }

  /** Hand leadership to `to`; resolves when it is the leader, rejects after the wait timeout. */
  transferLeadership(to: RaftId, timeoutMs = this.waitMs()): Promise<void> {
    const unusable = this.unusable();
    if (unusable) return Promise.reject(unusable);
    if (!this.core.isLeader) return Promise.reject(new NotLeaderError(this.core.leader));
    if (!this.core.transferLeadership(to)) {
      return Promise.reject(new SwarmError('InvalidArgument', `cannot transfer leadership to ${to}`));
    }
    this.kick();
    return new Promise<void>((resolve, reject) => {
      const t = {
        to,
        resolve,
        reject,
        cancelTimer: this.o.clock.setTimeout(() => {
          if (this.transfers.delete(t)) reject(new SwarmError('Unavailable', `leadership transfer to ${to} timed out`));
        }, timeoutMs),
      };
      this.transfers.add(t);
    });
  }

  /** Apply new timing (the cluster's Raft settings changed): ticks re-arm at the new interval. */
  setTiming(t: { tickMs?: number; electionTick?: number; heartbeatTick?: number }): void {
    const electionTick = t.electionTick ?? this.o.core?.electionTick ?? 10;
    const heartbeatTick = t.heartbeatTick ?? this.o.core?.heartbeatTick ?? 1;
    this.core.setTiming(electionTick, heartbeatTick);
    this.o.core = { ...this.o.core, electionTick, heartbeatTick };
    if (t.tickMs && t.tickMs > 0 && t.tickMs !== this.o.tickMs) {
      this.o.tickMs = t.tickMs;
      if (!this.closed && !this.failed) {
        this.cancelTick?.();
        this.armTick();
      }
    }
  }

  /** Snapshot every `snapshotInterval` applied entries, keeping `keepEntries` behind it (cluster settings). */
  setSnapshotPolicy(p: { snapshotInterval?: number; keepEntries?: number }): void {
    if (p.snapshotInterval !== undefined && p.snapshotInterval >= 1) this.o.snapshotInterval = p.snapshotInterval;
    if (p.keepEntries !== undefined && p.keepEntries >= 0) this.o.keepEntries = p.keepEntries;
  }

  /** Milliseconds per tick and the ticks of the election timeout, as in force now. */
  timing(): { tickMs: number; electionTick: number; heartbeatTick: number } {
    return {
      tickMs: this.o.tickMs,
      electionTick: this.o.core?.electionTick ?? 10,
      heartbeatTick: this.o.core?.heartbeatTick ?? 1,
    };
  }

  /** Member → address, as known from the applied log. */
  members(): Map<RaftId, string> {
    return new Map(this.memberAddrs);
  }

  status(): RaftLogStatus {
    return {
      ...this.core.status(),
      storeIndex: this.store.index,
      leaderReady: this.isLeader(),
      snapshot: { ...this.snapshotMeta },
      members: [...this.memberAddrs].sort().map(([id, addr]) => ({ id, addr })),
      pendingProposals: this.proposals.size,
      snapshotsInstalled: this.snapshotsInstalled,
      failedEntries: { total: this.failures.total, recent: this.failures.list() },
      droppedMessages: this.droppedMessages,
      stalledReplication: this.core.stalledReplication(),
    };
  }

  /**
   * Whether `id` is a member now: a voter or learner of the applied configuration, or a peer this
   * member was told about when it joined or by a member while it lagged behind (it learns the
   * configuration by replaying the log).
   */
  isMember(id: RaftId): boolean {
    const m = this.core.membership(id);
    return m === 'voter' || m === 'learner' || (m === undefined && (this.memberAddrs.has(id) || this.vouched.has(id)));
  }

  /** Whether `id` was removed from the group for good. */
  isRemovedMember(id: RaftId): boolean {
    return this.core.membership(id) === 'removed';
  }

  /** Committed entries (and snapshots) this member could not apply, newest last (bounded). */
  failedEntries(): FailedEntry[] {
    return this.failures.list();
  }

  async close(): Promise<void> {
    if (this.closed) {
      await this.processing;
      return;
    }
    this.closed = true;
    this.cancelTick?.();
    this.unsubscribe?.();
    await this.processing;
    // a snapshot being written stops at its next slice; one being stored finishes (the caller closes the storage next)
    await this.snapshotting;
    this.failAll(new SwarmError('Unavailable', 'raft: the log is closed'));
    this.report();
  }

  // ---- driving the core ----------------------------------------------------------

  private electionTimeoutMs(): number {
    return this.timing().electionTick * this.o.tickMs;
  }

  private waitMs(): number {
    return 2 * (this.o.core?.electionTick ?? 10) * this.o.tickMs;
  }

  private unusable(): Error | undefined {
    if (this.failed) return new SwarmError('Unavailable', `raft: storage failed: ${errText(this.failed)}`);
    if (this.closed) return new SwarmError('Unavailable', 'raft: the log is closed');
    return undefined;
  }

  private proposeEntry(
    call: (core: RaftNode) => ReturnType<RaftNode['propose']>,
    refuse?: (reason: string, r?: ProposeResult & { ok: false }) => Error | undefined,
    batch?: Batch,
  ): Promise<ProposalResult> {
    const unusable = this.unusable();
    if (unusable) return Promise.reject(unusable);
    const r = call(this.core);
    if (!r.ok) {
      const err = refuse?.(r.reason, r) ?? new NotLeaderError(r.leader === this.id ? '' : r.leader);
      return Promise.reject(err);
    }
    this.noteTerm();
    const old = this.proposals.get(r.index);
    if (old) old.reject(lostLeadership()); // its entry was overwritten while we were not leading
    return new Promise<ProposalResult>((resolve, reject) => {
      this.proposals.set(r.index, { term: r.term, batch, resolve, reject });
      this.kick();
    });
  }

  private confChange(cc: ConfChange): Promise<ProposalResult> {
    return this.proposeEntry(
      (core) => core.proposeConfChange(cc),
      (reason) => {
        if (reason === 'conf-change-pending')
          return new SwarmError('FailedPrecondition', 'raft: a membership change is already in progress');
        if (reason === 'invalid-conf-change')
          return new SwarmError('InvalidArgument', `raft: invalid membership change ${cc.type} ${cc.id}`);
        return undefined;
      },
    );
  }

  private receive(from: RaftId, m: WireMessage): void {
    if (this.closed || this.failed) return;
    const problem = raftMessageProblem(m, from) ?? (this.isMember(from) ? undefined : `${from} is not a member`);
    if (problem) {
      this.droppedMessages++;
      const now = this.o.clock.now();
      if (now - this.droppedWarnedAt >= 60_000) {
        this.droppedWarnedAt = now;
        this.o.logger?.error(`raft: dropped a message from ${from} (${this.droppedMessages} so far): ${problem}`);
      }
      return;
    }
    if (isMemberHint(m)) {
      if (m.type === 'member-query') this.answerMemberQuery(from);
      else this.admitVouched(from, m);
      return;
    }
    if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') this.leaderHeardAt = this.o.clock.now();
    this.core.step(m);
    this.kick();
  }

  /**
   * No leader heard for an election timeout: one may lead that our applied configuration does not
   * know yet (we slept through its addition), whose messages we drop and whom we cannot answer. Ask
   * the members we know which members they know (see member-hints.ts).
   */
  private maybeQueryMembers(): void {
    if (this.core.isLeader) return;
    const now = this.o.clock.now();
    const timeout = this.electionTimeoutMs();
    if (now - this.leaderHeardAt < timeout || now - this.memberQueryAt < timeout) return;
    this.memberQueryAt = now;
    const term = this.core.currentTerm;
    for (const id of this.memberAddrs.keys()) {
      if (id === this.id || this.core.membership(id) === 'removed') continue;
      this.o.transport.send(id, { type: 'member-query', from: this.id, to: id, term });
    }
  }

  /** The voters and learners of our applied configuration, to a member (the gate let only members through). */
  private answerMemberQuery(to: RaftId): void {
    const conf = this.core.conf;
    const members: Record<RaftId, string> = {};
    for (const id of [...conf.voters, ...conf.learners]) {
      const addr = this.memberAddrs.get(id);
      if (addr) members[id] = addr;
    }
    this.o.transport.send(to, { type: 'member-list', from: this.id, to, term: this.core.currentTerm, members });
  }

  /** Members a member named that the log has not told us of (yet): theirs is a member's word. */
  private admitVouched(from: RaftId, m: MemberList): void {
    // only the answers to our own question, while it is fresh
    if (this.o.clock.now() - this.memberQueryAt > this.electionTimeoutMs()) return;
    for (const [id, addr] of Object.entries(m.members)) {
      if (id === this.id || id === from || this.core.membership(id) !== undefined || this.memberAddrs.has(id)) continue;
      if (this.vouched.get(id) === addr) continue;
      this.vouched.set(id, addr);
      this.o.transport.addPeer(id, addr);
      this.o.logger?.info?.(`raft: ${from} names ${id} (${addr}) a member; admitted until the log catches up`);
    }
  }

  /** The log now says what `id` is: it needs no member's word any more. */
  private forgetVouched(id: RaftId): void {
    this.vouched.delete(id);
  }

  private armTick(): void {
    if (this.closed) return;
    this.cancelTick = this.o.clock.setTimeout(() => {
      if (this.closed || this.failed) return;
      this.core.tick();
      this.kick();
      this.noteStalls();
      this.maybeQueryMembers();
      this.armTick();
    }, this.o.tickMs);
  }

  /** Says once, loudly, that a follower cannot be sent its next entry (the status keeps showing it). */
  private noteStalls(): void {
    const stalls = this.core.stalledReplication();
    if (stalls.length === 0 && this.stallsLogged.size === 0) return;
    const now = new Set<string>();
    for (const s of stalls) {
      const key = `${s.to}@${s.index}`;
      now.add(key);
      if (this.stallsLogged.has(key)) continue;
      this.o.logger?.error(
        `raft: cannot replicate entry ${s.index} to ${s.to}: it is ${s.bytes} bytes encoded, more than a message may carry (${s.limit}); replication to ${s.to} is stalled`,
      );
    }
    this.stallsLogged = now;
  }

  /** Start the Ready loop unless it is running (it re-checks hasReady before it stops). */
  private kick(): void {
    if (this.processing || this.closed || this.failed) return;
    this.processing = this.drain().finally(() => {
      this.processing = undefined;
      this.compactCore();
      // work that arrived while the last Ready was being advanced
      if (!this.closed && !this.failed && this.core.hasReady()) this.kick();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (!this.failed && !this.closed && this.core.hasReady()) {
        const rd = this.core.ready();
        await this.handleReady(rd);
        if (this.failed) return;
        this.core.advance(rd);
        this.afterAdvance(rd);
        this.compactCore();
        this.maybeSnapshot();
        // Readies follow each other in microtasks (storage answers at once): after a heavy one,
        // let timers and sockets have a turn before the next
        if (readyBytes(rd) >= YIELD_AFTER_BYTES) await yieldToEventLoop();
      }
    } catch (err) {
      this.fail(err);
    }
  }

  /** The Ready contract: persist, then send, then apply, then serve reads. */
  private async handleReady(rd: Ready): Promise<void> {
    if (rd.snapshot || rd.entries.length > 0 || rd.hardState) {
      await this.o.storage.save({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot });
    }
    if (!this.closed) {
      for (const m of rd.messages) {
        let sent: boolean | void = false;
        try {
          sent = this.o.transport.send(m.to, m);
        } catch (err) {
          this.o.logger?.error(`raft: send to ${m.to} failed: ${errText(err)}`);
        }
        if (sent === false && m.type === 'app') this.core.reportUnreachable(m.to);
      }
    }
    if (rd.snapshot && rd.snapshot.meta.index > this.store.index) this.restoreSnapshot(rd.snapshot);
    let sinceYield = 0;
    for (const e of rd.committedEntries) {
      // big entries (a control loop's part of a pass) are applied with a turn of the event loop
      // between them, so ticks, heartbeats and I/O are not held up for the whole Ready
      if (sinceYield >= YIELD_AFTER_BYTES) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
      this.applyCommitted(e);
      sinceYield += e.data.length;
    }
    for (const rs of rd.readStates) {
      const r = this.reads.get(rs.context);
      if (r) r.index = rs.index;
    }
    this.serveReads();
  }

  private restoreSnapshot(snap: Snapshot): void {
    this.snapshotsInstalled++;
    this.restoreStore(snap);
    this.appliedTerm = snap.meta.term;
    this.sinceSnapshot = 0;
    this.snapshotMeta = { index: snap.meta.index, term: snap.meta.term, bytes: snap.data.length };
    this.loadMembers(snap);
    // proposals the snapshot covers cannot be told apart from others' entries any more
    for (const [index, p] of this.proposals) {
      if (index > snap.meta.index) continue;
      this.proposals.delete(index);
      p.reject(lostLeadership());
    }
  }

  /**
   * The store from a snapshot image. An image that does not decode leaves the
   * store's objects as they are at the snapshot's index; objects whose shape is
   * not sound are left out. Either is recorded as a failure, never thrown.
   */
  private restoreStore(snap: Snapshot): void {
    const decoded = tryDecodeSnapshotData(snap.data);
    if ('error' in decoded) {
      this.store.restore({ ...this.store.image(), index: snap.meta.index });
      this.recordFailure(snap.meta.index, snap.meta.term, 'snapshot', `the image does not decode: ${decoded.error}`);
      return;
    }
    const { skipped } = this.store.restore({ ...decoded.img, index: snap.meta.index });
    if (skipped.length > 0) {
      const more = skipped.length > 1 ? ` (and ${skipped.length - 1} more)` : '';
      this.recordFailure(
        snap.meta.index,
        snap.meta.term,
        'snapshot',
        `${skipped.length} malformed objects left out: ${skipped[0]}${more}`,
      );
    }
  }

  private recordFailure(index: number, term: number, kind: FailedEntry['kind'], error: string): void {
    const e = this.failures.record({ index, term, kind, error, at: new Date(this.o.clock.now()).toISOString() });
    this.o.logger?.error(`raft: ${kind} ${index} (term ${term}) failed to apply, the store moved past it: ${e.error}`);
  }

  private loadMembers(snap: Snapshot): void {
    const decoded = tryDecodeSnapshotData(snap.data);
    const img: Partial<SnapshotImage> = 'img' in decoded ? decoded.img : {};
    const known = new Set([...snap.meta.conf.voters, ...snap.meta.conf.learners]);
    for (const id of known) this.forgetVouched(id);
    for (const [id, addr] of Object.entries(img.members ?? {})) {
      if (!known.has(id) || typeof addr !== 'string') continue;
      this.memberAddrs.set(id, addr);
      if (id !== this.id && addr) this.o.transport.addPeer(id, addr);
    }
    this.pruneMembers(snap.meta.conf.removed ?? []);
  }

  /**
   * Forget the addresses of removed members. (Others stay: a joiner knows peers from its join
   * answer before the log it replays names them.)
   */
  private pruneMembers(removed: readonly RaftId[]): void {
    for (const id of removed) {
      if (this.vouched.has(id) && id !== this.id) {
        this.forgetVouched(id);
        if (!this.memberAddrs.has(id)) this.o.transport.removePeer(id);
      }
      if (!this.memberAddrs.has(id) || id === this.id) continue;
      this.memberAddrs.delete(id);
      this.o.transport.removePeer(id);
    }
  }

  private applyCommitted(e: Entry): void {
    const p = this.proposals.get(e.index);
    if (p) this.proposals.delete(e.index);
    if (e.index <= this.store.index) {
      // covered by a snapshot already restored
      p?.reject(lostLeadership());
      return;
    }
    // the entry this member proposed: apply the batch object itself rather than a parsed copy
    const outcome = applyEntry(this.store, e, p && p.term === e.term ? p.batch : undefined);
    if (outcome.failed) this.recordFailure(e.index, e.term, 'entry', outcome.failed);
    this.appliedTerm = e.term;
    this.sinceSnapshot++;
    if (outcome.confChange) {
      this.forgetVouched(outcome.confChange.id);
      const change = applyMembership(this.memberAddrs, outcome.confChange);
      if (change.add && change.add.id !== this.id) this.o.transport.addPeer(change.add.id, change.add.addr);
      if (change.remove && change.remove !== this.id) this.o.transport.removePeer(change.remove);
    }
    try {
      this.o.onApply?.(e);
    } catch (err) {
      this.o.logger?.error(`raft: onApply hook failed: ${errText(err)}`);
    }
    if (!p) return;
    if (p.term !== e.term) p.reject(lostLeadership());
    else if (outcome.failed)
      p.resolve({
        index: e.index,
        error: new SwarmError('Unknown', `raft: the entry failed to apply: ${outcome.failed}`),
      });
    else p.resolve(outcome.error ? { index: e.index, error: outcome.error } : { index: e.index });
  }

  private serveReads(): void {
    for (const [ctx, r] of this.reads) {
      if (r.index === undefined || r.index > this.store.index) continue;
      this.reads.delete(ctx);
      r.cancelTimer();
      r.resolve(r.index);
    }
  }

  private afterAdvance(rd: Ready): void {
    if (rd.committedEntries.some((e) => e.type === 'conf-change')) {
      // the core may have refused a racing change: keep the address map to its membership
      this.pruneMembers(this.core.conf.removed ?? []);
    }
    this.noteTerm();
    if (rd.softState && rd.softState.role !== 'leader') {
      // not leading: what we proposed may be overwritten; the core dropped its pending reads
      this.failProposals(lostLeadership());
      for (const [ctx, r] of this.reads) {
        if (r.index !== undefined) continue;
        this.reads.delete(ctx);
        r.cancelTimer();
        r.reject(new NotLeaderError(rd.softState.leader));
      }
    }
    this.report();
  }

  /** A new term orphans proposals made in an older one (their entries may be overwritten). */
  private noteTerm(): void {
    const term = this.core.currentTerm;
    if (term === this.proposalTerm) return;
    this.proposalTerm = term;
    for (const [index, p] of this.proposals) {
      if (p.term >= term) continue;
      this.proposals.delete(index);
      p.reject(lostLeadership());
    }
  }

  private report(): void {
    const isLeader = this.isLeader();
    const leader = this.leader();
    const term = this.core.currentTerm;
    const prev = this.reported;
    if (prev.isLeader === isLeader && prev.leader === leader && (prev.term === term || !isLeader)) return;
    this.reported = { isLeader, leader, term };
    for (const t of this.transfers) {
      if (leader !== t.to) continue;
      this.transfers.delete(t);
      t.cancelTimer();
      t.resolve();
    }
    for (const cb of this.leadershipListeners) {
      try {
        cb(isLeader, leader, term);
      } catch (err) {
        this.o.logger?.error(`raft: leadership listener failed: ${errText(err)}`);
      }
    }
  }

  /**
   * Every `snapshotInterval` applied entries, a snapshot at the store's index, taken beside the Ready
   * loop rather than in it: the image is captured at once, then written in slices and stored by the
   * writer thread while entries go on being committed and applied. (In the loop, P9's manager sent
   * nothing for about 4.5 s at every 10,000 entries.)
   */
  private maybeSnapshot(): void {
    if (this.snapshotting || this.sinceSnapshot < this.o.snapshotInterval || this.closed) return;
    const index = this.store.index;
    if (index <= this.snapshotMeta.index || index > this.core.status().applied) return;
    const meta = { index, term: this.appliedTerm, conf: this.core.conf };
    const img = snapshotImage(this.store, this.memberAddrs);
    this.snapshotting = this.takeSnapshot(meta, img).finally(() => {
      this.snapshotting = undefined;
    });
  }

  private async takeSnapshot(meta: Snapshot['meta'], img: SnapshotImage): Promise<void> {
    const started = performance.now();
    try {
      const data = await encodeJsonInSlices(img, { cancelled: () => this.closed });
      if (data === undefined || this.closed) return;
      const encoded = performance.now();
      const snap: Snapshot = { meta, data };
      await this.o.storage.compact(snap, this.o.keepEntries);
      this.compacted = snap;
      // between Readies only: the drain loop takes it after its current one
      if (!this.processing) this.compactCore();
      this.o.logger?.info?.(
        `raft: snapshot at ${meta.index} (${mib(data.length)} MiB): written in ${ms(encoded - started)} ms, stored in ${ms(performance.now() - encoded)} ms`,
      );
    } catch (err) {
      // the entries are all in the log: a failed snapshot only delays compaction (retried after the next apply)
      this.o.logger?.error(`raft: snapshot at ${meta.index} failed: ${errText(err)}`);
    }
  }

  /** Drops the in-memory entries a stored snapshot covers (never inside a Ready: the loop calls it between). */
  private compactCore(): void {
    const snap = this.compacted;
    if (!snap) return;
    this.compacted = undefined;
    // a snapshot from the leader may have been installed meanwhile: this one is then behind it
    if (snap.meta.index <= this.snapshotMeta.index) return;
    try {
      this.core.compact(snap, this.o.keepEntries);
      this.snapshotMeta = { index: snap.meta.index, term: snap.meta.term, bytes: snap.data.length };
      // the entries applied while it was written count towards the next one
      this.sinceSnapshot = Math.min(this.sinceSnapshot, this.store.index - snap.meta.index);
    } catch (err) {
      this.o.logger?.error(`raft: compacting the log at ${snap.meta.index} failed: ${errText(err)}`);
    }
  }

  /** A failed save leaves the core with a Ready it cannot advance: this member stops. */
  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = err;
    this.cancelTick?.();
    this.unsubscribe?.();
    this.o.logger?.error(`raft: stopping after a storage failure: ${errText(err)}`);
    this.failAll(new SwarmError('Unavailable', `raft: storage failed: ${errText(err)}`));
    this.report();
  }

  private failProposals(err: Error): void {
    const pending = [...this.proposals.values()];
    this.proposals.clear();
    for (const p of pending) p.reject(err);
  }

  private failAll(err: Error): void {
    this.failProposals(err);
    for (const r of this.reads.values()) {
      r.cancelTimer();
      r.reject(err);
    }
    this.reads.clear();
    for (const t of this.transfers) {
      t.cancelTimer();
      t.reject(err);
    }
    this.transfers.clear();
  }
}

function readyBytes(rd: Ready): number {
  let n = 0;
  for (const e of rd.entries) n += e.data.length;
  for (const e of rd.committedEntries) n += e.data.length;
  return n;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
