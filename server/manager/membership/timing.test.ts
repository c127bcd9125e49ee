import { describe, expect, it } from 'vitest';
import { DEFAULT_RAFT_TIMING, electionTimeoutMs, raftTiming } from './timing';

describe('raft timing', () => {
  it('defaults to 75 ms ticks with swarm’s tick counts: an election within 0.75–1.5 s', () => {
    expect(raftTiming(undefined)).toEqual({ tickMs: 75, electionTick: 10, heartbeatTick: 1 });
    expect(DEFAULT_RAFT_TIMING).toEqual(raftTiming({}));
    expect(electionTimeoutMs(DEFAULT_RAFT_TIMING)).toBe(750);
  });

  it('reads the cluster spec (TickInterval in ns); election = 10 × heartbeat when unset', () => {
    expect(raftTiming({ TickInterval: 50e6, ElectionTick: 20, HeartbeatTick: 2 })).toEqual({
      tickMs: 50,
      electionTick: 20,
      heartbeatTick: 2,
    });
    expect(raftTiming({ HeartbeatTick: 3 })).toEqual({ tickMs: 75, electionTick: 30, heartbeatTick: 3 });
    expect(raftTiming({ ElectionTick: 1, HeartbeatTick: 1 }).electionTick).toBeGreaterThan(1);
  });
});
