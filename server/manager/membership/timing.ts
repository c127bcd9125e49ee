// Raft timing as a cluster setting. Swarm ticks once a second (10 s election
// timeout); Swarmdeck runs managers on loopback and aims at a ≤ 2 s p99
// failover, so it keeps swarm's tick counts and shortens the tick:
//   tick 75 ms, heartbeat 1 tick, election 10 ticks
// → a follower campaigns 0.75–1.5 s (randomised) after the last heartbeat; with
// two followers the first fires by ~1.45 s at p99, pre-vote + vote + the new
// leader's no-op take a few ms on loopback, and a write forwarded meanwhile
// retries at the new leader: ~1.6 s p99 to the first acknowledged write.
// (100 ms ticks measured up to 2.2 s; shorter ticks than 75 ms make a busy
// event loop — a snapshot of a large store — risk needless elections.)

import type { ClusterSpec } from '../../api/types';

export const DEFAULT_TICK_MS = 75;
export const DEFAULT_ELECTION_TICK = 10;
export const DEFAULT_HEARTBEAT_TICK = 1;

export interface RaftTiming {
  tickMs: number;
  electionTick: number;
  heartbeatTick: number;
}

export const DEFAULT_RAFT_TIMING: RaftTiming = {
  tickMs: DEFAULT_TICK_MS,
  electionTick: DEFAULT_ELECTION_TICK,
  heartbeatTick: DEFAULT_HEARTBEAT_TICK,
};

/** Spec.Raft.TickInterval is nanoseconds, like every Engine API duration. */
export const msToNs = (ms: number): number => Math.round(ms * 1e6);

/** The timing a cluster spec asks for; unset or invalid values fall back to the defaults. */
export function raftTiming(raft: ClusterSpec['Raft'] | undefined): RaftTiming {
  const tickNs = raft?.TickInterval;
  const tickMs = typeof tickNs === 'number' && tickNs >= 1e6 ? tickNs / 1e6 : DEFAULT_TICK_MS;
  let heartbeatTick = positiveInt(raft?.HeartbeatTick) ?? DEFAULT_HEARTBEAT_TICK;
  // Docker sets election = 10 × heartbeat when unset
  let electionTick = positiveInt(raft?.ElectionTick) ?? Math.max(DEFAULT_ELECTION_TICK, 10 * heartbeatTick);
  if (electionTick <= heartbeatTick) {
    heartbeatTick = DEFAULT_HEARTBEAT_TICK;
    electionTick = Math.max(electionTick, DEFAULT_ELECTION_TICK);
  }
  return { tickMs, electionTick, heartbeatTick };
}

/** Milliseconds a follower waits without a leader before campaigning (the shortest randomised timeout). */
export const electionTimeoutMs = (t: RaftTiming): number => t.electionTick * t.tickMs;

function positiveInt(v: number | undefined): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}
