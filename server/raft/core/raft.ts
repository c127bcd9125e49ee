// The raft state machine (Ongaro & Ousterhout, "In Search of an Understandable
// Consensus Algorithm", plus the thesis' pre-vote, check-quorum, ReadIndex and
// leadership transfer), shaped like etcd's raft package: no I/O, no clock, no
// ambient randomness. The shell drives it with tick/step/propose and carries out
// the Ready it hands back (see Ready in ./types for the ordering contract).

import type { ConfState, Entry, HardState, RaftId, Snapshot } from '../types';
import { RaftLog, encodedDataBytes, entrySize, primeEntrySize } from './log';
import { encodeConfChange, Membership, tryDecodeConfChange } from './membership';
import { Progress } from './progress';
import { ReadOnly } from './read-only';
import { SnapshotAssembler, SnapshotSender } from './snapshot-chunks';
import {
  DEFAULT_CONFIG,
  NONE,
  type AppendMessage,
  type AppendResponse,
  type ConfChange,
  type HeartbeatMessage,
  type HeartbeatResponse,
  type InitialState,
  type Message,
  type ProposeResult,
  type RaftConfig,
  type ReadState,
  type Ready,
  type ResolvedConfig,
  type Role,
  type SnapshotChunkMessage,
  type SnapshotChunkResponse,
  type SoftState,
  type StalledReplication,
  type Status,
  type VoteMessage,
  type VoteResponse,
} from './types';

type InternalRole = 'leader' | 'follower' | 'candidate' | 'pre-candidate';

/** Omit that distributes over the Message union. */
type Outgoing = Message extends infer M
  ? M extends Message
    ? Omit<M, 'from' | 'term'> & { term?: number }
    : never
  : never;

export class RaftNode {
  readonly id: RaftId;
  private cfg: ResolvedConfig;

  private term: number;
  private vote: RaftId;
  private lead: RaftId = NONE;
  private role: InternalRole = 'follower';
  private readonly log: RaftLog;
  private members: Membership;
  /** Leader only: replication progress of every member, self included. */
  private readonly prs = new Map<RaftId, Progress>();
  private readonly votes = new Map<RaftId, boolean>();

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  /** Monotonic tick count, for snapshot-chunk resend timers. */
  private ticks = 0;

  private leadTransferee: RaftId = NONE;
  /** The membership reflects conf changes up to here even if not yet applied (bootstrap entries). */
  private confAppliedThrough = 0;
  /** Index of the newest conf-change entry; no other may be proposed until it is applied. */
  private pendingConfIndex = 0;
  private readonly readOnly = new ReadOnly();
  /** Reads that arrived before the leader committed an entry of its term. */
  private pendingReads: { context: string; from: RaftId }[] = [];
  private readonly assembler = new SnapshotAssembler();
  /** Newest snapshot this member holds (sent to followers whose entries were compacted). */
  private snapshot: Snapshot | undefined;
  /** Proposals or a commit advance wait to be broadcast: batched into one append per follower at ready(). */
  private needBroadcast = false;

  private msgs: Message[] = [];
  private readStates: ReadState[] = [];
  private prevHard: HardState;
  private prevSoft: SoftState;
  private outstanding: Ready | undefined;

  constructor(config: RaftConfig, init: InitialState = {}) {
    if (!config.id) throw new Error('raft: empty member id');
    this.cfg = { ...DEFAULT_CONFIG, ...stripUndefined(config) } as ResolvedConfig;
    if (this.cfg.heartbeatTick <= 0 || this.cfg.electionTick <= this.cfg.heartbeatTick) {
      throw new Error('raft: electionTick must be greater than heartbeatTick > 0');
    }
    this.id = config.id;
    let hs = init.hardState ?? { term: 0, vote: NONE, commit: 0 };
    const snapIndex = init.snapshot?.meta.index ?? 0;
    let entries = init.entries ?? [];
    let applied = init.applied ?? snapIndex;
    const fresh = !init.snapshot && entries.length === 0 && hs.term === 0 && hs.commit === 0;
    const bootstrap = fresh && !!init.conf && init.conf.voters.length + init.conf.learners.length > 0;
    if (bootstrap && init.conf && init.conf.voters.length + init.conf.learners.length > 0) {
      // A brand-new cluster: its founding members go into the log as committed conf changes
      // (term 1), so members that join later learn the full membership by replaying it.
      entries = bootstrapEntries(init.conf);
      // They are handed out (persist, then apply) by the first Ready like any committed entry.
      hs = { term: 1, vote: NONE, commit: entries.length };
      applied = 0;
      this.confAppliedThrough = entries.length; // the membership already reflects them
    }
    this.log = RaftLog.fromStorage(init.snapshot, entries, hs.commit, applied);
    if (bootstrap) this.log.stableIndex = 0; // the bootstrap entries still have to be persisted
    this.snapshot = init.snapshot;
    const conf: ConfState =
      init.applied !== undefined && init.applied > snapIndex && init.conf
        ? init.conf
        : (init.snapshot?.meta.conf ?? init.conf ?? { voters: [], learners: [] });
    this.members = new Membership(conf);
    this.term = hs.term;
    this.vote = hs.vote;
    this.becomeFollower(this.term, NONE);
    this.prevHard = init.hardState ?? { term: 0, vote: NONE, commit: 0 };
    this.prevSoft = this.softState();
  }

  // ---- driving the node ----------------------------------------------------

  /** One logical clock tick (the shell calls it every tick interval). */
  tick(): void {
    this.ticks++;
    if (this.role === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  /** Start an election now (e.g. to bootstrap a one-member cluster without waiting a timeout). */
  campaign(): void {
    this.hup(false);
  }

  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id || this.members.removed.has(m.from)) return;

    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'pre-vote') {
        // Leader stickiness: while we hear from a leader, ignore disruptive candidates.
        const inLease = this.cfg.checkQuorum && this.lead !== NONE && this.electionElapsed < this.cfg.electionTick;
        if (inLease && !m.transfer) return;
      }
      if (m.type === 'pre-vote') {
        // A pre-vote never changes our term.
      } else if (m.type === 'pre-vote-resp' && !m.reject) {
        // Granted pre-votes carry the term we would campaign at.
      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if (m.type === 'app' || m.type === 'heartbeat') {
        // §5.1: a stale leader (e.g. healed from a partition) learns our term and steps down.
        // (With pre-vote and check-quorum a higher term here is rare; without them, a member
        // whose term was pushed up cannot rely on winning an election to catch up.)
        this.send({ type: 'app-resp', to: m.from, index: 0, reject: false, rejectHint: 0, logTerm: 0 });
      } else if (m.type === 'pre-vote') {
        this.send({ type: 'pre-vote-resp', to: m.from, reject: true });
      }
      return;
    }

    if (m.type === 'vote' || m.type === 'pre-vote') {
      this.handleVote(m);
      return;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m);
        break;
      case 'candidate':
      case 'pre-candidate':
        this.stepCandidate(m);
        break;
      case 'follower':
        this.stepFollower(m);
        break;
    }
  }

  /** Append a normal entry (leader only). Proposals made between two Readies go out as one append. */
  propose(data: string): ProposeResult {
    const refused = this.refuseProposal();
    if (refused) return refused;
    // the one door into the log: nothing larger than a proposal may enter it, so every entry fits a message
    const bytes = encodedDataBytes(data);
    if (bytes > this.cfg.maxProposalBytes)
      return { ok: false, reason: 'too-large', leader: this.lead, bytes, limit: this.cfg.maxProposalBytes };
    return this.appendEntry('normal', data, bytes);
  }

  /** Propose a single-server membership change (leader only, one at a time). */
  proposeConfChange(cc: ConfChange): ProposeResult {
    const refused = this.refuseProposal();
    if (refused) return refused;
    if (this.pendingConfIndex > this.log.applied)
      return { ok: false, reason: 'conf-change-pending', leader: this.lead };
    if (this.members.validate(cc) !== undefined) return { ok: false, reason: 'invalid-conf-change', leader: this.lead };
    const r = this.appendEntry('conf-change', encodeConfChange(cc));
    if (r.ok) this.pendingConfIndex = r.index;
    return r;
  }

  /**
   * Ask for a linearizable read point. The answer arrives as a ReadState with
   * this context in a later Ready (on followers, once the leader answers).
   * Returns false when no leader is known (the read is dropped).
   */
  readIndex(context: string): boolean {
    if (this.role === 'leader') {
      this.leaderRead(context, this.id);
      return true;
    }
    if (this.lead === NONE) return false;
    this.send({ type: 'read-index', to: this.lead, context });
    return true;
  }

  /** Hand leadership to `to` once it is caught up; aborted after an election timeout. */
  transferLeadership(to: RaftId): boolean {
    if (this.role !== 'leader' || to === this.id || !this.members.isVoter(to)) return false;
    if (this.leadTransferee === to) return true;
    this.leadTransferee = to;
    this.electionElapsed = 0;
    const pr = this.prs.get(to)!;
    if (pr.match === this.log.lastIndex()) this.send({ type: 'timeout-now', to });
    else this.sendAppend(to);
    return true;
  }

  /** The transport could not reach `id`: stop pipelining to it until it answers again. */
  reportUnreachable(id: RaftId): void {
    const pr = this.prs.get(id);
    if (this.role === 'leader' && pr && pr.state === 'replicate') pr.becomeProbe();
  }

  /**
   * The shell took a snapshot at `snapshot.meta.index` (<= applied): drop the
   * in-memory entries it covers, keeping `keepEntries` behind it for slow followers.
   */
  compact(snapshot: Snapshot, keepEntries = 0): void {
    if (snapshot.meta.index > this.log.applied) {
      throw new Error(`raft: snapshot ${snapshot.meta.index} beyond applied ${this.log.applied}`);
    }
    if (this.snapshot && snapshot.meta.index <= this.snapshot.meta.index) return;
    const term = this.log.term(snapshot.meta.index);
    if (term !== undefined && term !== snapshot.meta.term) {
      throw new Error(
        `raft: snapshot term ${snapshot.meta.term} differs from entry ${snapshot.meta.index}'s term ${term}`,
      );
    }
    this.snapshot = snapshot;
    this.log.compact(Math.max(0, snapshot.meta.index - keepEntries));
  }

  // ---- Ready ---------------------------------------------------------------

  hasReady(): boolean {
    if (this.outstanding) return false;
    if (this.needBroadcast && this.role === 'leader') return true;
    if (this.msgs.length > 0 || this.readStates.length > 0) return true;
    if (this.log.pendingSnapshot || this.log.stableIndex < this.log.lastIndex() || this.log.hasNextCommitted())
      return true;
    if (!sameHard(this.hardState(), this.prevHard)) return true;
    const soft = this.softState();
    return soft.leader !== this.prevSoft.leader || soft.role !== this.prevSoft.role;
  }

  ready(): Ready {
    if (this.outstanding) throw new Error('raft: ready() called before advance() of the previous Ready');
    this.flushBroadcast();
    const hard = this.hardState();
    const soft = this.softState();
    const entries = this.log.unstableEntries();
    const rd: Ready = {
      entries,
      messages: this.msgs,
      committedEntries: this.log.nextCommitted(),
      readStates: this.readStates,
      mustSync: entries.length > 0 || hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote,
    };
    if (!sameHard(hard, this.prevHard)) rd.hardState = hard;
    if (soft.leader !== this.prevSoft.leader || soft.role !== this.prevSoft.role) rd.softState = soft;
    if (this.log.pendingSnapshot) {
      rd.snapshot = this.log.pendingSnapshot;
      rd.mustSync = true;
    }
    this.msgs = [];
    this.readStates = [];
    this.outstanding = rd;
    return rd;
  }

  /** The shell finished the Ready: it is durable, sent and applied. */
  advance(rd: Ready): void {
    if (rd !== this.outstanding) throw new Error('raft: advance() with a Ready that is not the outstanding one');
    this.outstanding = undefined;
    if (rd.hardState) this.prevHard = rd.hardState;
    if (rd.softState) this.prevSoft = rd.softState;
    if (rd.snapshot) {
      if (this.log.pendingSnapshot === rd.snapshot) this.log.pendingSnapshot = undefined;
      this.log.appliedTo(rd.snapshot.meta.index);
      if (!this.snapshot || this.snapshot.meta.index < rd.snapshot.meta.index) this.snapshot = rd.snapshot;
    }
    const last = rd.entries[rd.entries.length - 1];
    if (last) {
      this.log.stableTo(last.index, last.term);
      if (this.role === 'leader') {
        // The leader's own vote for its entries counts only once they are durable.
        this.prs.get(this.id)?.maybeUpdate(this.log.stableIndex);
        this.commitAndBroadcast();
      }
    }
    for (const e of rd.committedEntries) {
      this.log.appliedTo(e.index);
      if (e.type !== 'conf-change') continue;
      const cc = tryDecodeConfChange(e.data);
      if (cc) this.applyConfChange(cc); // a malformed one changes nothing, on every member alike
    }
  }

  // ---- introspection -----------------------------------------------------------

  get isLeader(): boolean {
    return this.role === 'leader';
  }

  get leader(): RaftId {
    return this.lead;
  }

  get currentTerm(): number {
    return this.term;
  }

  get conf(): ConfState {
    return this.members.toConfState();
  }

  /** Where `id` stands in the applied configuration (cheap: no copy of it). */
  membership(id: RaftId): 'voter' | 'learner' | 'removed' | undefined {
    if (this.members.removed.has(id)) return 'removed';
    return this.members.isVoter(id) ? 'voter' : this.members.isLearner(id) ? 'learner' : undefined;
  }

  status(): Status {
    const s: Status = {
      id: this.id,
      term: this.term,
      vote: this.vote,
      role: this.publicRole(),
      leader: this.lead,
      commit: this.log.committed,
      applied: this.log.applied,
      lastIndex: this.log.lastIndex(),
      snapshotIndex: this.snapshot?.meta.index ?? 0,
      conf: this.members.toConfState(),
      removed: this.members.removed.has(this.id),
    };
    if (this.leadTransferee !== NONE) s.transferee = this.leadTransferee;
    if (this.role === 'leader') {
      s.progress = {};
      for (const [id, pr] of this.prs) s.progress[id] = pr.status();
    }
    return s;
  }

  /** Followers the leader cannot replicate to: their next entry is larger than any message may carry. */
  stalledReplication(): ({ to: RaftId } & StalledReplication)[] {
    if (this.role !== 'leader') return [];
    const out: ({ to: RaftId } & StalledReplication)[] = [];
    for (const pr of this.prs.values()) if (pr.stalled) out.push({ to: pr.id, ...pr.stalled });
    return out;
  }

  /** New election/heartbeat ticks (a cluster setting changed); the next timeout uses them. */
  setTiming(electionTick: number, heartbeatTick: number): void {
    if (heartbeatTick <= 0 || electionTick <= heartbeatTick) {
      throw new Error('raft: electionTick must be greater than heartbeatTick > 0');
    }
    if (electionTick === this.cfg.electionTick && heartbeatTick === this.cfg.heartbeatTick) return;
    this.cfg = { ...this.cfg, electionTick, heartbeatTick };
    this.randomizedElectionTimeout = electionTick + Math.floor(this.cfg.random() * electionTick);
  }

  // ---- role transitions --------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.cfg.electionTick + Math.floor(this.cfg.random() * this.cfg.electionTick);
    this.leadTransferee = NONE;
    this.votes.clear();
    this.prs.clear();
    this.readOnly.reset();
    this.pendingReads = [];
    this.needBroadcast = false;
  }

  private becomeFollower(term: number, lead: RaftId): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  private becomePreCandidate(): void {
    // Term and vote stay: a pre-election that fails leaves no trace.
    this.role = 'pre-candidate';
    this.lead = NONE;
    this.votes.clear();
    this.randomizedElectionTimeout = this.cfg.electionTick + Math.floor(this.cfg.random() * this.cfg.electionTick);
  }

  private becomeCandidate(): void {
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    this.reset(this.term);
    this.role = 'leader';
    this.lead = this.id;
    const next = this.log.lastIndex() + 1;
    for (const id of this.members.members()) {
      this.prs.set(id, new Progress(id, next, this.members.isLearner(id), this.cfg.maxInflight));
    }
    const self = this.prs.get(this.id)!;
    self.becomeReplicate();
    self.maybeUpdate(this.log.stableIndex);
    self.recentActive = true;
    // Conf changes of earlier terms may sit uncommitted in our log: wait for them to apply.
    this.pendingConfIndex = this.log.lastIndex();
    // §5.4.2 / §8: an entry of our own term, so earlier entries can commit and reads can be served.
    this.appendEntry('normal', '');
  }

  private promotable(): boolean {
    return this.members.isVoter(this.id) && !this.members.removed.has(this.id);
  }

  private hup(transfer: boolean): void {
    if (this.role === 'leader' || !this.promotable()) return;
    // A committed but unapplied conf change may change who votes: apply it first.
    for (const e of this.log.committedUnapplied()) {
      if (e.type === 'conf-change' && e.index > this.confAppliedThrough) return;
    }
    if (this.cfg.preVote && !transfer) this.campaignRound('pre-vote', false);
    else this.campaignRound('vote', transfer);
  }

  private campaignRound(kind: 'pre-vote' | 'vote', transfer: boolean): void {
    let term: number;
    if (kind === 'pre-vote') {
      this.becomePreCandidate();
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      term = this.term;
    }
    if (this.poll(this.id, false) === 'won') {
      if (kind === 'pre-vote') this.campaignRound('vote', transfer);
      else this.becomeLeader();
      return;
    }
    for (const id of this.members.voters) {
      if (id === this.id) continue;
      this.send({
        type: kind,
        to: id,
        term,
        index: this.log.lastIndex(),
        logTerm: this.log.lastTerm(),
        transfer,
      });
    }
  }

  private poll(id: RaftId, reject: boolean): 'won' | 'lost' | 'pending' {
    if (this.members.isVoter(id) && !this.votes.has(id)) this.votes.set(id, !reject);
    let granted = 0;
    let rejected = 0;
    for (const [voter, ok] of this.votes) {
      if (!this.members.isVoter(voter)) continue;
      if (ok) granted++;
      else rejected++;
    }
    const q = this.members.quorum();
    if (granted >= q) return 'won';
    if (rejected > this.members.voters.size - q) return 'lost';
    return 'pending';
  }

  // ---- ticks ------------------------------------------------------------------------

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) {
        if (!this.quorumActive()) {
          this.becomeFollower(this.term, NONE);
          return;
        }
        for (const pr of this.prs.values()) if (pr.id !== this.id) pr.recentActive = false;
      }
      // A transfer that did not finish within an election timeout is abandoned.
      this.leadTransferee = NONE;
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(this.readOnly.lastPendingContext());
    }
  }

  private quorumActive(): boolean {
    let active = 0;
    for (const id of this.members.voters) {
      if (id === this.id || this.prs.get(id)?.recentActive) active++;
    }
    return active >= this.members.quorum();
  }

  // ---- votes ------------------------------------------------------------------------

  private handleVote(m: VoteMessage): void {
    const respType = m.type === 'vote' ? 'vote-resp' : 'pre-vote-resp';
    const canVote =
      this.vote === m.from ||
      (this.vote === NONE && this.lead === NONE) ||
      (m.type === 'pre-vote' && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      // Granted responses carry the candidate's term so it can count them.
      this.send({ type: respType, to: m.from, term: m.term, reject: false });
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: respType, to: m.from, reject: true });
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'app':
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        break;
      case 'snap':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshotChunk(m);
        break;
      case 'vote-resp':
      case 'pre-vote-resp':
        this.handleVoteResponse(m);
        break;
      default:
        break;
    }
  }

  private handleVoteResponse(m: VoteResponse): void {
    const expected = this.role === 'pre-candidate' ? 'pre-vote-resp' : 'vote-resp';
    if (m.type !== expected) return;
    const result = this.poll(m.from, m.reject);
    if (result === 'won') {
      if (this.role === 'pre-candidate') this.campaignRound('vote', false);
      else this.becomeLeader();
    } else if (result === 'lost') {
      this.becomeFollower(this.term, NONE);
    }
  }

  // ---- follower ----------------------------------------------------------------------

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'app':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        break;
      case 'snap':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshotChunk(m);
        break;
      case 'timeout-now':
        this.hup(true);
        break;
      case 'read-index-resp':
        this.readStates.push({ index: m.index, context: m.context });
        break;
      default:
        break;
    }
  }

  private handleAppend(m: AppendMessage): void {
    if (m.index < this.log.committed) {
      this.sendAppResp(m.from, this.log.committed);
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.sendAppResp(m.from, lastNew);
      return;
    }
    // Fast back-off: point the leader at our last index, or at the start of the conflicting term.
    const hint = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.send({
      type: 'app-resp',
      to: m.from,
      index: m.index,
      reject: true,
      rejectHint: hint.index,
      logTerm: hint.term,
    });
  }

  private sendAppResp(to: RaftId, index: number): void {
    this.send({ type: 'app-resp', to, index, reject: false, rejectHint: 0, logTerm: 0 });
  }

  private handleHeartbeat(m: HeartbeatMessage): void {
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send({ type: 'heartbeat-resp', to: m.from, context: m.context });
  }

  private handleSnapshotChunk(m: SnapshotChunkMessage): void {
    if (m.meta.index <= this.log.committed) {
      // Already have it (e.g. the answer to the last chunk was lost).
      this.assembler.reset();
      this.sendAppResp(m.from, this.log.committed);
      return;
    }
    const r = this.assembler.receive(m);
    if (!r.snapshot) {
      this.send({ type: 'snap-resp', to: m.from, index: m.meta.index, offset: r.offset });
      return;
    }
    if (this.log.restore(r.snapshot)) {
      this.members = new Membership(r.snapshot.meta.conf);
      this.sendAppResp(m.from, this.log.lastIndex());
    } else {
      this.sendAppResp(m.from, this.log.committed);
    }
  }

  // ---- leader -----------------------------------------------------------------------

  private stepLeader(m: Message): void {
    if (m.type === 'read-index') {
      this.leaderRead(m.context, m.from);
      return;
    }
    const pr = this.prs.get(m.from);
    if (!pr) return;
    switch (m.type) {
      case 'app-resp':
        pr.recentActive = true;
        this.handleAppendResponse(m, pr);
        break;
      case 'heartbeat-resp':
        pr.recentActive = true;
        this.handleHeartbeatResponse(m, pr);
        break;
      case 'snap-resp':
        pr.recentActive = true;
        this.handleSnapshotResponse(m, pr);
        break;
      default:
        break;
    }
  }

  private handleAppendResponse(m: AppendResponse, pr: Progress): void {
    if (m.reject) {
      let next = m.rejectHint;
      if (m.logTerm > 0) next = this.log.findConflictByTerm(m.rejectHint, m.logTerm).index;
      if (pr.maybeDecrTo(m.index, next)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    if (!pr.maybeUpdate(m.index)) return;
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
    this.commitAndBroadcast();
    while (this.sendAppend(m.from, false)) {
      // fill the inflight window
    }
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) {
      this.send({ type: 'timeout-now', to: m.from });
    }
  }

  private handleHeartbeatResponse(m: HeartbeatResponse, pr: Progress): void {
    pr.probeSent = false;
    if (pr.state === 'snapshot') {
      // No answer to the last chunk for a while: resend from the follower's acknowledged offset.
      if (pr.snapshotSender?.expire(this.ticks, 2 * this.cfg.heartbeatTick)) this.sendChunk(pr);
    } else {
      if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne(); // messages were lost
      if (pr.match < this.log.lastIndex()) this.sendAppend(m.from);
    }
    if (m.context === '' || !this.members.isVoter(m.from)) return;
    const acks = this.readOnly.recvAck(m.from, m.context);
    if (!acks) return;
    let voters = 0;
    for (const id of acks) if (this.members.isVoter(id)) voters++;
    if (voters < this.members.quorum()) return;
    for (const r of this.readOnly.advance(m.context)) this.answerRead(r.from, r.index, r.context);
  }

  private handleSnapshotResponse(m: SnapshotChunkResponse, pr: Progress): void {
    const sender = pr.snapshotSender;
    if (pr.state !== 'snapshot' || !sender || sender.index !== m.index) return;
    sender.ack(m.offset, this.ticks);
    this.sendChunk(pr);
  }

  /** Commit by counting replicas, only for entries of the current term (§5.4.2). */
  private maybeCommit(): boolean {
    const matches: number[] = [];
    for (const id of this.members.voters) matches.push(this.prs.get(id)?.match ?? 0);
    if (matches.length === 0) return false;
    matches.sort((a, b) => b - a);
    const mci = matches[this.members.quorum() - 1]!;
    if (mci <= this.log.committed || this.log.term(mci) !== this.term) return false;
    this.log.commitTo(mci);
    return true;
  }

  private commitAndBroadcast(): void {
    if (!this.maybeCommit()) return;
    this.needBroadcast = true;
    if (this.pendingReads.length > 0 && this.log.term(this.log.committed) === this.term) {
      const reads = this.pendingReads;
      this.pendingReads = [];
      for (const r of reads) this.leaderRead(r.context, r.from);
    }
  }

  private appendEntry(type: Entry['type'], data: string, dataBytes?: number): ProposeResult & { ok: true } {
    const e: Entry = { index: this.log.lastIndex() + 1, term: this.term, type, data };
    if (dataBytes !== undefined) primeEntrySize(e, dataBytes);
    this.log.append([e]);
    this.needBroadcast = true;
    return { ok: true, index: e.index, term: e.term };
  }

  private refuseProposal(): (ProposeResult & { ok: false }) | undefined {
    if (this.role !== 'leader') return { ok: false, reason: 'not-leader', leader: this.lead };
    if (this.leadTransferee !== NONE) return { ok: false, reason: 'transferring', leader: this.lead };
    return undefined;
  }

  /** One append per follower carrying everything proposed since the last Ready (and the commit). */
  private flushBroadcast(): void {
    if (!this.needBroadcast || this.role !== 'leader') return;
    this.needBroadcast = false;
    for (const id of this.prs.keys()) {
      if (id === this.id) continue;
      if (!this.sendAppend(id)) continue;
      while (this.sendAppend(id, false)) {
        // pipeline up to the inflight window
      }
    }
  }

  /** Sends the next append (or snapshot) to `to`; false when paused or there is nothing to send. */
  private sendAppend(to: RaftId, sendIfEmpty = true): boolean {
    const pr = this.prs.get(to);
    if (!pr || pr.isPaused()) return false;
    if (pr.next > this.log.lastIndex() + 1) pr.next = this.log.lastIndex() + 1;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    const entries =
      prevTerm === undefined ? undefined : this.log.slice(pr.next, this.log.lastIndex(), this.cfg.maxMsgBytes);
    if (prevTerm === undefined || entries === undefined) return this.sendSnapshot(pr);
    const first = entries[0];
    if (first && entrySize(first) > this.cfg.maxEntryBytes) {
      // no message can carry it: resending would only fail again, at every heartbeat
      if (pr.stalled?.index !== first.index)
        pr.stalled = { index: first.index, bytes: entrySize(first), limit: this.cfg.maxEntryBytes };
      return false;
    }
    pr.stalled = undefined;
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({ type: 'app', to, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed });
    const last = entries[entries.length - 1];
    if (pr.state === 'replicate') {
      if (last) {
        pr.optimisticUpdate(last.index);
        pr.inflights.add(last.index);
      }
    } else {
      pr.probeSent = true;
    }
    return true;
  }

  private sendSnapshot(pr: Progress): boolean {
    if (!this.snapshot) return false;
    pr.becomeSnapshot(
      this.snapshot.meta.index,
      new SnapshotSender(this.snapshot, this.cfg.snapshotChunkBytes, this.ticks),
    );
    this.sendChunk(pr);
    return true;
  }

  private sendChunk(pr: Progress): void {
    const sender = pr.snapshotSender;
    const chunk = sender?.next(this.ticks);
    if (!sender || !chunk) return;
    this.send({ type: 'snap', to: pr.id, meta: sender.snapshot.meta, ...chunk });
  }

  private bcastHeartbeat(context: string): void {
    for (const pr of this.prs.values()) {
      if (pr.id === this.id) continue;
      this.send({ type: 'heartbeat', to: pr.id, commit: Math.min(pr.match, this.log.committed), context });
    }
  }

  private leaderRead(context: string, from: RaftId): void {
    // Until an entry of this term commits, our commit index may lag the true one.
    if (this.log.term(this.log.committed) !== this.term) {
      this.pendingReads.push({ context, from });
      return;
    }
    if (this.members.quorum() === 1 && this.members.isVoter(this.id)) {
      this.answerRead(from, this.log.committed, context);
      return;
    }
    if (!this.readOnly.add(this.log.committed, context, from)) return;
    this.readOnly.recvAck(this.id, context);
    this.bcastHeartbeat(context);
  }

  private answerRead(from: RaftId, index: number, context: string): void {
    if (from === this.id) this.readStates.push({ index, context });
    else this.send({ type: 'read-index-resp', to: from, context, index });
  }

  // ---- membership ------------------------------------------------------------------

  private applyConfChange(cc: ConfChange): void {
    if (!this.members.apply(cc)) return;
    if (this.role !== 'leader') return;
    if (!this.members.isVoter(this.id)) {
      // Removed: make sure the others learn the commit, then step down for good.
      this.needBroadcast = true;
      this.flushBroadcast();
      this.becomeFollower(this.term, NONE);
      return;
    }
    for (const id of [...this.prs.keys()]) if (!this.members.isMember(id)) this.prs.delete(id);
    for (const id of this.members.members()) {
      const pr = this.prs.get(id);
      if (pr) pr.learner = this.members.isLearner(id);
      else {
        const fresh = new Progress(id, this.log.lastIndex() + 1, this.members.isLearner(id), this.cfg.maxInflight);
        fresh.recentActive = true;
        this.prs.set(id, fresh);
      }
    }
    if (this.leadTransferee !== NONE && !this.members.isVoter(this.leadTransferee)) this.leadTransferee = NONE;
    this.needBroadcast = true; // probe new members
    this.commitAndBroadcast(); // the quorum may have shrunk
  }

  // ---- plumbing -----------------------------------------------------------------------

  private send(m: Outgoing): void {
    this.msgs.push({ ...m, from: this.id, term: m.term ?? this.term } as Message);
  }

  private hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  private softState(): SoftState {
    return { leader: this.lead, role: this.publicRole() };
  }

  private publicRole(): Role {
    if (this.role === 'follower' && this.members.isLearner(this.id)) return 'learner';
    return this.role;
  }
}

function bootstrapEntries(conf: ConfState): Entry[] {
  const changes: ConfChange[] = [
    ...conf.voters.map((id): ConfChange => ({ type: 'add-voter', id })),
    ...conf.learners.map((id): ConfChange => ({ type: 'add-learner', id })),
  ];
  return changes.map((cc, i) => ({ index: i + 1, term: 1, type: 'conf-change', data: encodeConfChange(cc) }));
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
