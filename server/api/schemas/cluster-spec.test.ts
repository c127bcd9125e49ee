import { describe, expect, it } from 'vitest';
import { SwarmError } from '../errors';
import { parseClusterSpec, publicClusterSpec } from './cluster-spec';

const rpc = (desc: string) => `rpc error: code = InvalidArgument desc = ${desc}`;
const refusal = (input: unknown): [number, string] => {
  try {
    parseClusterSpec(input);
  } catch (e) {
    if (e instanceof SwarmError) return [e.status, e.message];
    throw e;
  }
  throw new Error('accepted');
};

/** What `docker swarm update` posts back (the spec from GET /swarm). */
const current = {
  Name: 'default',
  Labels: {},
  Orchestration: { TaskHistoryRetentionLimit: 5 },
  Raft: {
    SnapshotInterval: 10000,
    KeepOldSnapshots: 0,
    LogEntriesForSlowFollowers: 500,
    ElectionTick: 10,
    HeartbeatTick: 1,
    TickInterval: 75e6,
  },
  Dispatcher: { HeartbeatPeriod: 5e9 },
  CAConfig: { NodeCertExpiry: 7776000e9 },
  TaskDefaults: {},
  EncryptionConfig: { AutoLockManagers: false },
};

describe('the swarm spec', () => {
  it('keeps every field Docker has, and what the CLI reads it posts back unchanged', () => {
    expect(parseClusterSpec(current)).toEqual(current);
    const full = {
      ...current,
      Labels: { 'swarmdeck.max-replicas': '20000', 'swarmdeck.spec-history-limit': '50' },
      CAConfig: {
        NodeCertExpiry: 3600e9,
        ExternalCAs: [{ Protocol: 'cfssl', URL: 'https://ca', Options: { a: 'b' }, CACert: 'PEM' }],
        SigningCACert: 'PEM',
        SigningCAKey: 'KEY',
        ForceRotate: 1,
      },
      TaskDefaults: { LogDriver: { Name: 'json-file', Options: { 'max-size': '1m' } } },
      EncryptionConfig: { AutoLockManagers: true },
    };
    expect(parseClusterSpec(full)).toEqual(full);
    expect(publicClusterSpec(parseClusterSpec(full)).CAConfig).not.toHaveProperty('SigningCAKey');
  });

  it('names an unnamed swarm "default", as moby does', () => {
    expect(parseClusterSpec({}).Name).toBe('default');
  });

  it.each<[string, unknown, string]>([
    ['another name', { Name: 'prod' }, 'swarm spec must be named "default"'],
    [
      'a certificate expiry under an hour',
      { CAConfig: { NodeCertExpiry: 3599e9 } },
      rpc('minimum certificate expiry time is: 1h0m0s'),
    ],
    [
      'a negative heartbeat',
      { Dispatcher: { HeartbeatPeriod: -1 } },
      rpc('heartbeat time period cannot be a negative duration'),
    ],
    [
      'a 5 ms heartbeat (a typo for 5s)',
      { Dispatcher: { HeartbeatPeriod: 5e6 } },
      rpc('Dispatcher.HeartbeatPeriod: 5000000ns is too short: at least 100ms'),
    ],
    [
      'an election within the heartbeat',
      { Raft: { ElectionTick: 2, HeartbeatTick: 2 } },
      rpc('ElectionTick must be greater than HeartbeatTick'),
    ],
    ['a negative heartbeat tick', { Raft: { HeartbeatTick: -1 } }, rpc('HeartbeatTick must be a positive integer')],
    ['a 1 ms raft tick', { Raft: { TickInterval: 1e6 } }, rpc('TickInterval must be between 10ms and 10s')],
    [
      'an external CA of another protocol',
      { CAConfig: { ExternalCAs: [{ Protocol: 'acme', URL: 'x' }] } },
      'invalid protocol: "acme"',
    ],
    [
      'a replica limit that is not a number',
      { Labels: { 'swarmdeck.max-replicas': 'lots' } },
      rpc('label swarmdeck.max-replicas=lots: must be a whole number from 1 to 100000'),
    ],
    [
      'a replica limit past the ceiling',
      { Labels: { 'swarmdeck.max-replicas': '1000000' } },
      rpc('label swarmdeck.max-replicas=1000000: must be a whole number from 1 to 100000'),
    ],
    [
      'a history limit of 1',
      { Labels: { 'swarmdeck.spec-history-limit': '1' } },
      rpc('label swarmdeck.spec-history-limit=1: must be a whole number from 2 to 500'),
    ],
    [
      'a history limit of the wrong type',
      { Orchestration: { TaskHistoryRetentionLimit: '5' } },
      'invalid JSON: json: cannot unmarshal string into Go struct field OrchestrationConfig.Orchestration.TaskHistoryRetentionLimit of type int64',
    ],
    [
      'raft ticks as text',
      { Raft: { ElectionTick: '10' } },
      'invalid JSON: json: cannot unmarshal string into Go struct field RaftConfig.Raft.ElectionTick of type int',
    ],
    [
      'a heartbeat with a fraction of a nanosecond',
      { Dispatcher: { HeartbeatPeriod: 0.5 } },
      'invalid JSON: json: cannot unmarshal number 0.5 into Go struct field DispatcherConfig.Dispatcher.HeartbeatPeriod of type time.Duration',
    ],
  ])('refuses %s', (_what, input, message) => {
    expect(refusal(input)).toEqual([400, message]);
  });

  it('accepts the bounds: a one-hour expiry, 0 for "keep", 10 ms and 10 s ticks', () => {
    for (const s of [
      { CAConfig: { NodeCertExpiry: 3600e9 } },
      { CAConfig: { NodeCertExpiry: 0 }, Raft: { ElectionTick: 0, HeartbeatTick: 0 } },
      { Raft: { TickInterval: 10e6 } },
      { Raft: { TickInterval: 10e9 } },
      { Labels: { 'swarmdeck.max-replicas': '1' } },
      { Labels: { 'swarmdeck.max-replicas': '100000', other: 'x' } },
    ])
      expect(() => parseClusterSpec(s)).not.toThrow();
  });
});
