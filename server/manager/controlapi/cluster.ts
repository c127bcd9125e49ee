import { SequenceConflict, SwarmError, rpcError } from '../../api/errors';
import type { Cluster, ClusterSpec, RootCA } from '../../api/types';
import { CAConfigError, joinTokenFor, nextRootCA } from '../../ca';
import { expireBlacklist } from '../ca/blacklist';
import { validateRaftSpec } from '../membership/timing';
import type { ControlDeps } from './context';

const NOT_MANAGER =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
const MIN_CERT_EXPIRY_NS = 3600 * 1e9;

function currentCluster(d: ControlDeps): Cluster {
  const c = d.store.view.list('cluster')[0];
  if (!c) throw new SwarmError('Unavailable', NOT_MANAGER);
  return c;
}

export function getCluster(d: ControlDeps): Cluster {
  return currentCluster(d);
}

function normaliseClusterSpec(input: ClusterSpec, cur: ClusterSpec): ClusterSpec {
  if (typeof input !== 'object' || input === null) throw rpcError('InvalidArgument', 'invalid argument');
  const spec: ClusterSpec = {
    ...cur,
    ...input,
    Name: input.Name || cur.Name,
    Labels: input.Labels ?? {},
    Orchestration: { ...cur.Orchestration, ...input.Orchestration },
    Raft: { ...cur.Raft, ...input.Raft },
    Dispatcher: { ...cur.Dispatcher, ...input.Dispatcher },
    CAConfig: { ...cur.CAConfig, ...input.CAConfig },
    TaskDefaults: input.TaskDefaults ?? cur.TaskDefaults,
    EncryptionConfig: { ...cur.EncryptionConfig, ...input.EncryptionConfig },
  };
  const expiry = spec.CAConfig.NodeCertExpiry;
  if (expiry !== undefined && expiry !== 0 && expiry < MIN_CERT_EXPIRY_NS)
    throw rpcError('InvalidArgument', 'minimum certificate expiry time is: 1h0m0s');
  const raftProblem = validateRaftSpec(spec.Raft);
  if (raftProblem) throw rpcError('InvalidArgument', raftProblem);
  if ((spec.Dispatcher.HeartbeatPeriod ?? 0) < 0)
    throw rpcError('InvalidArgument', 'heartbeat time period cannot be a negative duration');
  return spec;
}

/**
 * swarmkit UpdateCluster: version-checked spec replace, optional join-token rotation (new tokens for the
 * current root's digest), and the CA config (validateCAConfig): a changed ForceRotate or a given signing
 * cert and key start a root rotation, which the leader's reconciler finishes. The signing cert and key
 * are never kept in the spec; the key lives only in RootCA.
 */
export async function updateCluster(
  d: ControlDeps,
  version: number,
  input: ClusterSpec,
  rotate: { workerToken?: boolean; managerToken?: boolean } = {},
): Promise<Cluster> {
  const before = currentCluster(d);
  if (before.Version.Index !== version) throw new SequenceConflict();
  const normalised = normaliseClusterSpec(input, before.Spec);
  const { SigningCACert: _cert, SigningCAKey: _key, ...caConfig } = normalised.CAConfig;
  const spec: ClusterSpec = { ...normalised, CAConfig: caConfig };
  let rootCA: RootCA | undefined = before.RootCA;
  if (rootCA) {
    try {
      // a new root is made (or checked) before the transaction: it cannot wait on crypto
      rootCA = await nextRootCA(rootCA, normalised.CAConfig);
    } catch (err) {
      if (err instanceof CAConfigError) throw rpcError('InvalidArgument', err.message);
      throw err;
    }
  }
  await d.store.update((tx) => {
    const cur = tx.get('cluster', before.ID);
    if (!cur) throw new SwarmError('Unavailable', NOT_MANAGER);
    // the root may have moved since it was read (a rotation finished): the caller retries on fresh state
    if (cur.Version.Index !== version || cur.RootCA?.CACert !== before.RootCA?.CACert) throw new SequenceConflict();
    const tokens = { ...cur.JoinTokens };
    if (rotate.workerToken && rootCA) tokens.Worker = joinTokenFor(rootCA.CACert);
    if (rotate.managerToken && rootCA) tokens.Manager = joinTokenFor(rootCA.CACert);
    tx.update('cluster', {
      ...cur,
      Spec: spec,
      JoinTokens: tokens,
      ...(rootCA ? { RootCA: rootCA, RootRotationInProgress: !!rootCA.RootRotation } : {}),
      BlacklistedCertificates: expireBlacklist(cur.BlacklistedCertificates, Date.parse(tx.now)),
    });
  });
  return currentCluster(d);
}
