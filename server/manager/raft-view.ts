// The console's Raft panel data: samples this manager's raft member and its
// transport on the injected clock, turns them into a RaftView, and derives a
// bounded timeline of RaftEvents by diffing successive views.

import type { RaftEvent, RaftMemberView, RaftRole, RaftView } from '../api/raft-view';
import type { Node } from '../api/types';
import type { LeadershipListener, RaftLogStatus } from '../raft/raft-log';
import type { PeerStatus } from '../raft/transport/cluster-transport';
import type { MemoryStore } from '../store/memory-store';
import { iso, type Clock } from '../util/clock';
import type { RaftViewSource } from './raft-view-source';

/** The slice of RaftLog the view needs. */
export interface RaftViewLog {
  status(): RaftLogStatus;
  members(): Map<string, string>;
  onLeadershipChange(cb: LeadershipListener): () => void;
  leader(): string;
}

export type RaftPeerStatus = Pick<PeerStatus, 'id' | 'active' | 'lastContactMs'>;

// ---- pure core ---------------------------------------------------------------

export interface RaftViewInput {
  status: Pick<
    RaftLogStatus,
    'term' | 'role' | 'leader' | 'commit' | 'applied' | 'lastIndex' | 'conf' | 'progress' | 'snapshot' | 'members'
  > &
    Partial<Pick<RaftLogStatus, 'failedEntries' | 'stalledReplication'>>;
  peers: readonly RaftPeerStatus[];
  /** The swarm node of a raft member (raft ID = node ID), if the store has it. */
  node: (id: string) => Node | undefined;
  selfId: string;
  now: number;
}

export const majorityOf = (voters: number): number => Math.floor(voters / 2) + 1;

/**
 * This manager's view of the group. Reachability is what this manager can
 * vouch for: its own transport's evidence, the leader's replication progress,
 * and — on a follower, which never talks to the other followers — their node
 * being ready in the replicated store (the leader's dispatcher keeps that current).
 */
export function buildRaftView(input: RaftViewInput): RaftView {
  const { status, selfId } = input;
  const peers = new Map(input.peers.map((p) => [p.id, p]));
  const addrs = new Map(status.members.map((m) => [m.id, m.addr]));
  const learners = new Set(status.conf.learners);
  const voters = new Set(status.conf.voters);
  const ids = new Set([...status.conf.voters, ...status.conf.learners]);
  if (addrs.has(selfId)) ids.add(selfId);
  const selfLeads = status.role === 'leader';

  const roleOf = (id: string): RaftRole => {
    if (id === selfId) return status.role;
    if (id === status.leader) return 'leader';
    if (learners.has(id)) return 'learner';
    return status.leader ? 'follower' : 'unknown';
  };
  const reachableOf = (id: string): boolean => {
    if (id === selfId) return true;
    if (peers.get(id)?.active) return true;
    if (selfLeads) return status.progress?.[id]?.recentActive === true;
    return !!status.leader && id !== status.leader && input.node(id)?.Status.State === 'ready';
  };

  const members: RaftMemberView[] = [...ids].map((id) => {
    const node = input.node(id);
    const m: RaftMemberView = {
      raftId: id,
      nodeID: id,
      hostname: node?.Description.Hostname || node?.Spec.Name || id,
      addr: addrs.get(id) ?? '',
      role: roleOf(id),
      self: id === selfId,
      reachable: reachableOf(id),
    };
    const pr = status.progress?.[id];
    if (pr) {
      m.matchIndex = pr.match;
      m.lag = Math.max(0, status.lastIndex - pr.match);
    }
    const stalled = status.stalledReplication?.find((r) => r.to === id);
    if (stalled) m.stalled = { index: stalled.index, bytes: stalled.bytes, limit: stalled.limit };
    const contact = peers.get(id)?.lastContactMs;
    if (id !== selfId && contact !== null && contact !== undefined) m.lastContactMs = contact;
    return m;
  });
  members.sort((a, b) => a.hostname.localeCompare(b.hostname) || a.raftId.localeCompare(b.raftId));

  const reachableVoters = members.filter((m) => voters.has(m.raftId) && m.reachable).length;
  const majority = majorityOf(voters.size);
  // A follower that hears a leader knows a majority stands behind it (the leader checks its quorum).
  const hasQuorum = !!status.leader && (!selfLeads || reachableVoters >= majority);
  return {
    observedBy: selfId,
    at: iso(input.now),
    term: status.term,
    leader: status.leader,
    role: status.role,
    commit: status.commit,
    applied: status.applied,
    snapshot: { index: status.snapshot.index, bytes: status.snapshot.bytes },
    members,
    quorum: {
      voters: voters.size,
      majority,
      reachableVoters,
      canLose: Math.max(0, reachableVoters - majority),
    },
    hasQuorum,
    failedEntries: status.failedEntries ?? { total: 0, recent: [] },
  };
}

/**
 * `docker info`'s warning when committed entries failed to apply here, or
 * none (dockerd's warnings start with "WARNING:", the CLI prints them as given).
 */
export function failedEntriesWarnings(view: Pick<RaftView, 'failedEntries'> | undefined): string[] {
  const f = view?.failedEntries;
  const last = f?.recent.at(-1);
  if (!f || f.total === 0 || !last) return [];
  const what = f.total === 1 ? '1 committed entry' : `${f.total} committed entries`;
  return [`WARNING: ${what} failed to apply; last: ${last.kind} ${last.index} (term ${last.term}): ${last.error}`];
}

/** What a new view changes for the console: nothing, only indexes, or something one must see now. */
export type RaftViewChange = 'none' | 'indexes' | 'meaningful';

/** Last contact as the console shows it: no push per heartbeat, a push per second only while contact is late. */
function contactBucket(m: RaftMemberView): number {
  if (m.lastContactMs === undefined) return -1;
  if (!m.reachable) return -2; // the browser counts up from the last push by itself
  return m.lastContactMs < 1000 ? 0 : Math.floor(m.lastContactMs / 1000);
}

function meaningfulKey(v: RaftView): string {
  return JSON.stringify([
    v.term,
    v.leader,
    v.role,
    v.hasQuorum,
    v.quorum,
    v.members.map((m) => [m.raftId, m.hostname, m.addr, m.role, m.self, m.reachable, m.stalled?.index]),
    v.failedEntries.total,
  ]);
}

function indexKey(v: RaftView): string {
  return JSON.stringify([
    v.commit,
    v.applied,
    v.snapshot,
    v.members.map((m) => [m.matchIndex, m.lag, contactBucket(m)]),
  ]);
}

export function raftViewChange(prev: RaftView | undefined, next: RaftView): RaftViewChange {
  if (!prev || meaningfulKey(prev) !== meaningfulKey(next)) return 'meaningful';
  return indexKey(prev) === indexKey(next) ? 'none' : 'indexes';
}

/**
 * Timeline entries between two successive views. The first view reports only
 * the leader it found (and a missing quorum), not every founding member.
 */
export function raftEvents(prev: RaftView | undefined, next: RaftView): RaftEvent[] {
  const at = next.at;
  const term = next.term;
  const out: RaftEvent[] = [];
  if (prev) {
    const before = new Map(prev.members.map((m) => [m.raftId, m]));
    const after = new Map(next.members.map((m) => [m.raftId, m]));
    for (const m of next.members) {
      const old = before.get(m.raftId);
      if (!old) out.push({ at, kind: 'member-added', term, member: m.raftId });
      else if (old.role === 'learner' && m.role !== 'learner' && m.role !== 'unknown')
        out.push({ at, kind: 'member-promoted', term, member: m.raftId });
    }
    for (const m of prev.members) {
      if (!after.has(m.raftId)) out.push({ at, kind: 'member-removed', term, member: m.raftId });
    }
    if (prev.leader && prev.leader !== next.leader) out.push({ at, kind: 'leader-lost', term, member: prev.leader });
  }
  if (next.leader && (!prev || prev.leader !== next.leader || prev.term !== next.term)) {
    out.push({ at, kind: 'leader-elected', term, member: next.leader });
  }
  if ((prev?.hasQuorum ?? true) && !next.hasQuorum) out.push({ at, kind: 'quorum-lost', term });
  if (prev && !prev.hasQuorum && next.hasQuorum) out.push({ at, kind: 'quorum-regained', term });
  return out;
}

// ---- the sampler ---------------------------------------------------------------

export interface RaftViewSourceOptions {
  raftLog: RaftViewLog;
  /** The cluster transport's peer status (`ClusterTransport.peerStatus`). */
  peerStatus: () => readonly RaftPeerStatus[];
  /** For hostnames and node readiness (raft ID = node ID). */
  store: MemoryStore;
  selfId: string;
  clock: Clock;
  /** How often raft and the transport are sampled (default 250 ms). */
  pollMs?: number;
  /** At most one push per this many ms when only indexes moved (default 500 ms). */
  indexIntervalMs?: number;
  /**
   * No leader for this long counts as quorum lost (default 3 s): an election
   * after a leader dies is not announced as an outage.
   */
  quorumGraceMs?: number;
  /** Timeline length (default 100). */
  maxEvents?: number;
}

export interface RaftViewSampler extends RaftViewSource {
  /** Sample now (tests; the timer and leadership changes call it too). */
  sample(): void;
  close(): void;
}

export function createRaftViewSource(opts: RaftViewSourceOptions): RaftViewSampler {
  const { raftLog, clock, selfId } = opts;
  const pollMs = opts.pollMs ?? 250;
  const indexIntervalMs = opts.indexIntervalMs ?? 500;
  const graceMs = opts.quorumGraceMs ?? 3_000;
  const maxEvents = opts.maxEvents ?? 100;
  const listeners = new Set<() => void>();
  let events: RaftEvent[] = [];
  let current: RaftView | undefined;
  let lastQuorumAt = clock.now();
  let lastNotify = -Infinity;
  let indexesPending = false;
  let closed = false;
  let cancelPoll: (() => void) | undefined;
  let cancelKick: (() => void) | undefined;

  const build = (): RaftView => {
    const now = clock.now();
    const raw = buildRaftView({
      status: raftLog.status(),
      peers: opts.peerStatus(),
      node: (id) => opts.store.get('node', id),
      selfId,
      now,
    });
    if (raw.hasQuorum) lastQuorumAt = now;
    // a short leaderless spell right after a quorum is an election, not (yet) a lost quorum;
    // a quorum already lost is not restored by it
    const graced = !raw.hasQuorum && !raw.leader && current?.hasQuorum !== false && now - lastQuorumAt < graceMs;
    return graced ? { ...raw, hasQuorum: true } : raw;
  };

  const notify = (): void => {
    lastNotify = clock.now();
    indexesPending = false;
    for (const l of [...listeners]) {
      try {
        l();
      } catch (err) {
        console.error('raft view listener failed', err);
      }
    }
  };

  const sample = (): void => {
    if (closed) return;
    const next = build();
    const change = raftViewChange(current, next);
    const fresh = raftEvents(current, next);
    current = next;
    if (fresh.length > 0) {
      events = events.concat(fresh);
      if (events.length > maxEvents) events = events.slice(events.length - maxEvents);
    }
    if (change === 'meaningful' || fresh.length > 0) notify();
    else if (change === 'indexes' || indexesPending) {
      if (clock.now() - lastNotify >= indexIntervalMs) notify();
      else indexesPending = true;
    }
  };

  const poll = (): void => {
    cancelPoll = clock.setTimeout(() => {
      sample();
      if (!closed) poll();
    }, pollMs);
  };

  // leadership changes are reported from inside raft's processing: sample right after it
  const unsubscribe = raftLog.onLeadershipChange(() => {
    if (closed || cancelKick) return;
    cancelKick = clock.setTimeout(() => {
      cancelKick = undefined;
      sample();
    }, 0);
  });

  sample();
  poll();

  return {
    view: () => current!,
    events: () => events,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    sample,
    close() {
      closed = true;
      cancelPoll?.();
      cancelKick?.();
      unsubscribe();
      listeners.clear();
    },
  };
}
