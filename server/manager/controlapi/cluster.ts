import { SequenceConflict, SwarmError, rpcError } from '../../api/errors';
import { newJoinToken } from '../../api/ids';
import type { Cluster, ClusterSpec } from '../../api/types';
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

/**
 * The CA digest a token was minted for, read back from its
 * `SWMTKN-1-<digest>-<secret>` form, so a rotated token keeps it.
 */
export function tokenDigest(token: string): Uint8Array {
  const digest = token.split('-')[2] ?? '';
  let n = 0n;
  for (const ch of digest) n = n * 36n + BigInt(parseInt(ch, 36));
  const bytes = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    bytes[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return bytes;
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

/** swarmkit UpdateCluster: version-checked spec replace plus optional join-token rotation. */
export async function updateCluster(
  d: ControlDeps,
  version: number,
  input: ClusterSpec,
  rotate: { workerToken?: boolean; managerToken?: boolean } = {},
): Promise<Cluster> {
  const id = currentCluster(d).ID;
  await d.store.update((tx) => {
    const cur = tx.get('cluster', id);
    if (!cur) throw new SwarmError('Unavailable', NOT_MANAGER);
    if (cur.Version.Index !== version) throw new SequenceConflict();
    const tokens = { ...cur.JoinTokens };
    if (rotate.workerToken) tokens.Worker = newJoinToken(tokenDigest(tokens.Worker));
    if (rotate.managerToken) tokens.Manager = newJoinToken(tokenDigest(tokens.Manager));
    tx.update('cluster', { ...cur, Spec: normaliseClusterSpec(input, cur.Spec), JoinTokens: tokens });
  });
  return currentCluster(d);
}
