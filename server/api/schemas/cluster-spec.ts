// The swarm spec (moby api/types/swarm/swarm.go Spec) as `POST /swarm/update`
// and `swarm init` take it: Go's decoder, moby's converter (the name, the
// external CA protocol) and swarmkit's validateClusterSpec, plus the raft
// timing Swarmdeck makes a setting and the cluster labels it reads.

import { CLUSTER_SETTINGS, settingProblem } from '../cluster-settings';
import type { ClusterSpec } from '../types';
import { driverSchema } from './container-spec';
import { goBool, goEnum, goInt, goMap, goSlice, goString, goStruct } from './go-json';
import { parseOrThrow, rpcText, rules } from './issues';
import { goLabels } from './labels';

const MIN_CERT_EXPIRY_NS = 3600 * 1e9;
const TICK_MIN_NS = 10e6;
/** Below this, agents would spend their time heartbeating and nodes flap DOWN: a `5ms` for `5s` typo is refused. */
const MIN_HEARTBEAT_NS = 100e6;
const TICK_MAX_NS = 10e9;

/** Raft timing refusals (on a spec as sent, and again once merged over the current one). 0 keeps the current value. */
export function raftProblem(raft: ClusterSpec['Raft']): string | undefined {
  const { ElectionTick: e = 0, HeartbeatTick: h = 0, TickInterval: t = 0 } = raft;
  if (e < 0) return 'ElectionTick must be a positive integer';
  if (h < 0) return 'HeartbeatTick must be a positive integer';
  if (e && h && e <= h) return 'ElectionTick must be greater than HeartbeatTick';
  if (t !== 0 && (t < TICK_MIN_NS || t > TICK_MAX_NS)) return 'TickInterval must be between 10ms and 10s';
  return undefined;
}

const externalCA = goStruct('ExternalCA', {
  Protocol: goEnum('swarm.ExternalCAProtocol', ['cfssl'], {
    refusal: (v) => `invalid protocol: ${JSON.stringify(v)}`,
  }).optional(),
  URL: goString().optional(),
  Options: goMap(goString()).optional(),
  CACert: goString().optional(),
}).transform(
  rules((ca, no) => {
    if (ca.Protocol === undefined) no('invalid protocol: ""');
    return { ...ca, Protocol: ca.Protocol!, URL: ca.URL ?? '', CACert: ca.CACert ?? '' };
  }),
);

export const clusterSpecSchema = goStruct(
  'Spec',
  {
    Name: goString().optional(),
    Labels: goLabels('Labels').optional(),
    Orchestration: goStruct('OrchestrationConfig', {
      TaskHistoryRetentionLimit: goInt('int64').optional(),
    }).optional(),
    Raft: goStruct('RaftConfig', {
      SnapshotInterval: goInt('uint64').optional(),
      KeepOldSnapshots: goInt('uint64').optional(),
      LogEntriesForSlowFollowers: goInt('uint64').optional(),
      ElectionTick: goInt('int').optional(),
      HeartbeatTick: goInt('int').optional(),
      TickInterval: goInt('time.Duration').optional(),
    }).optional(),
    Dispatcher: goStruct('DispatcherConfig', { HeartbeatPeriod: goInt('time.Duration').optional() }).optional(),
    CAConfig: goStruct('CAConfig', {
      NodeCertExpiry: goInt('time.Duration').optional(),
      ExternalCAs: goSlice(externalCA).optional(),
      SigningCACert: goString().optional(),
      SigningCAKey: goString().optional(),
      ForceRotate: goInt('uint64').optional(),
    }).optional(),
    TaskDefaults: goStruct('TaskDefaults', { LogDriver: driverSchema.optional() }).optional(),
    EncryptionConfig: goStruct('EncryptionConfig', { AutoLockManagers: goBool().optional() }).optional(),
  },
  { embedded: { Name: 'Annotations', Labels: 'Annotations' } },
).transform(
  rules((s, no) => {
    // moby's Update: the one cluster is "default"
    const name = s.Name || 'default';
    if (name !== 'default') no('swarm spec must be named "default"');
    const labels = s.Labels ?? {};
    for (const setting of CLUSTER_SETTINGS) {
      const raw = labels[setting.label];
      const problem = raw === undefined ? undefined : settingProblem(setting, raw);
      if (problem) no(rpcText(problem));
    }
    // swarmkit validateClusterSpec
    const expiry = s.CAConfig?.NodeCertExpiry ?? 0;
    if (expiry !== 0 && expiry < MIN_CERT_EXPIRY_NS) no(rpcText('minimum certificate expiry time is: 1h0m0s'));
    const heartbeat = s.Dispatcher?.HeartbeatPeriod ?? 0;
    if (heartbeat < 0) no(rpcText('heartbeat time period cannot be a negative duration'));
    if (heartbeat > 0 && heartbeat < MIN_HEARTBEAT_NS)
      no(rpcText(`Dispatcher.HeartbeatPeriod: ${heartbeat}ns is too short: at least 100ms`));
    const raft = s.Raft ?? {};
    const problem = raftProblem(raft);
    if (problem) no(rpcText(problem));
    return {
      Name: name,
      Labels: labels,
      Orchestration: s.Orchestration ?? {},
      Raft: raft,
      Dispatcher: s.Dispatcher ?? {},
      CAConfig: s.CAConfig ?? {},
      TaskDefaults: s.TaskDefaults ?? {},
      EncryptionConfig: { AutoLockManagers: s.EncryptionConfig?.AutoLockManagers ?? false },
    };
  }),
);

export function parseClusterSpec(input: unknown): ClusterSpec {
  return parseOrThrow(clusterSpecSchema, input, 'swarm.Spec');
}

/**
 * What the Engine API and the console show of a swarm spec (swarmkit redactClusters, moby
 * SwarmFromGRPC): never the signing cert or key a `swarm ca --rotate` sent.
 */
export function publicClusterSpec(spec: ClusterSpec): ClusterSpec {
  const { SigningCACert: _cert, SigningCAKey: _key, ...ca } = spec.CAConfig ?? {};
  return { ...spec, CAConfig: ca };
}
