import { SequenceConflict, SwarmError, rpcError } from '../../api/errors';
import { newJoinToken } from '../../api/ids';
import type { Cluster, ClusterSpec } from '../../api/types';
import { parseClusterSpec, raftProblem } from '../../api/schemas/cluster-spec';
import type { ControlDeps } from './context';

const NOT_MANAGER =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

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

/**
 * The posted spec (checked by the schema) over the current one: a section or
 * field the request leaves out keeps its value, as `docker swarm update`
 * expects. The merged raft timing is checked again as a whole.
 */
function mergeClusterSpec(input: ClusterSpec, cur: ClusterSpec): ClusterSpec {
  const spec: ClusterSpec = {
    ...cur,
    Name: input.Name || cur.Name,
    Labels: input.Labels,
    Orchestration: { ...cur.Orchestration, ...input.Orchestration },
    Raft: { ...cur.Raft, ...input.Raft },
    Dispatcher: { ...cur.Dispatcher, ...input.Dispatcher },
    CAConfig: { ...cur.CAConfig, ...input.CAConfig },
    TaskDefaults: input.TaskDefaults,
    EncryptionConfig: { ...cur.EncryptionConfig, ...input.EncryptionConfig },
  };
  const problem = raftProblem(spec.Raft);
  if (problem) throw rpcError('InvalidArgument', problem);
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
  const spec = parseClusterSpec(input);
  await d.store.update((tx) => {
    const cur = tx.get('cluster', id);
    if (!cur) throw new SwarmError('Unavailable', NOT_MANAGER);
    if (cur.Version.Index !== version) throw new SequenceConflict();
    const tokens = { ...cur.JoinTokens };
    if (rotate.workerToken) tokens.Worker = newJoinToken(tokenDigest(tokens.Worker));
    if (rotate.managerToken) tokens.Manager = newJoinToken(tokenDigest(tokens.Manager));
    tx.update('cluster', { ...cur, Spec: mergeClusterSpec(spec, cur.Spec), JoinTokens: tokens });
  });
  return currentCluster(d);
}
