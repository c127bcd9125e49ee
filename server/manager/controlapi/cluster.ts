import { SequenceConflict, SwarmError, rpcError } from '../../api/errors';
import type { Cluster, ClusterSpec, RootCA } from '../../api/types';
import { parseClusterSpec, raftProblem } from '../../api/schemas/cluster-spec';
import { CAConfigError, joinTokenFor, nextRootCA } from '../../ca';
import { newUnlockKey } from '../../storage/encryption/unlock-key';
import { expireBlacklist } from '../ca/blacklist';
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

/**
 * The unlock key after an update (swarmkit UpdateCluster): autolock turned on makes one, turned off drops
 * it, and a rotation asked for while autolock stays on replaces it (the managers re-wrap their keys, so
 * the old one opens nothing); asked for without autolock it does nothing, as swarmkit.
 */
export function nextUnlockKey(current: string | undefined, autolock: boolean, rotate: boolean): string | undefined {
  if (!autolock) return undefined;
  if (!current || rotate) return newUnlockKey();
  return current;
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
  rotate: { workerToken?: boolean; managerToken?: boolean; managerUnlockKey?: boolean } = {},
): Promise<Cluster> {
  const before = currentCluster(d);
  if (before.Version.Index !== version) throw new SequenceConflict();
  const parsed = parseClusterSpec(input);
  const merged = mergeClusterSpec(parsed, before.Spec);
  const { SigningCACert: _cert, SigningCAKey: _key, ...caConfig } = merged.CAConfig;
  const spec: ClusterSpec = { ...merged, CAConfig: caConfig };
  let rootCA: RootCA | undefined = before.RootCA;
  if (rootCA) {
    try {
      // a new root is made (or checked) before the transaction: it cannot wait on crypto
      rootCA = await nextRootCA(rootCA, merged.CAConfig);
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
    const { ManagerUnlockKey: unlockKey, ...rest } = cur;
    const next = nextUnlockKey(unlockKey, !!spec.EncryptionConfig?.AutoLockManagers, !!rotate.managerUnlockKey);
    tx.update('cluster', {
      ...rest,
      ...(next ? { ManagerUnlockKey: next } : {}),
      Spec: spec,
      JoinTokens: tokens,
      ...(rootCA ? { RootCA: rootCA, RootRotationInProgress: !!rootCA.RootRotation } : {}),
      BlacklistedCertificates: expireBlacklist(cur.BlacklistedCertificates, Date.parse(tx.now)),
    });
  });
  return currentCluster(d);
}
