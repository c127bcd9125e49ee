import type { AuthWrite } from '../../api/schemas/auth-write';
import type {
  Cluster,
  ClusterSpec,
  Config,
  ConfigSpec,
  Network,
  Node,
  NodeSpec,
  Secret,
  SecretSpec,
  Service,
  ServiceSpec,
  Task,
} from '../../api/types';

/**
 * Filters as the Engine API sends them (`filters={"name":{"web":true}}`),
 * decoded to lists of values per key.
 */
export type Filters = Record<string, string[]>;

/**
 * The control API: validation, defaults, name/prefix resolution and version
 * checks in front of the one write path. The Engine API and the console both
 * call only this. Reads are synchronous from the local store; writes resolve
 * once committed and applied. Errors are SwarmError (server/api/errors.ts).
 */
export interface ControlApi {
  getCluster(): Cluster;
  updateCluster(
    version: number,
    spec: ClusterSpec,
    rotate?: { workerToken?: boolean; managerToken?: boolean; managerUnlockKey?: boolean },
  ): Promise<Cluster>;

  listNodes(filters?: Filters): Node[];
  /** By full ID, exact hostname/name, or unique ID prefix. */
  getNode(ref: string): Node;
  updateNode(ref: string, version: number, spec: NodeSpec): Promise<Node>;
  removeNode(ref: string, force: boolean): Promise<void>;

  /** Accepts the spec as the docker CLI sends it; normalises defaults (Replicas 1, vip, ...). */
  createService(spec: ServiceSpec): Promise<Service>;
  listServices(filters?: Filters): Service[];
  /** By full ID, exact name, or unique ID prefix. */
  getService(ref: string, opts?: { insertDefaults?: boolean }): Service;
  updateService(
    ref: string,
    version: number,
    spec: ServiceSpec,
    opts?: { rollback?: boolean; cause?: 'update' | 'restore'; restoredFrom?: number },
  ): Promise<Service>;
  removeService(ref: string): Promise<void>;

  listTasks(filters?: Filters): Task[];
  getTask(ref: string): Task;

  /** swarmkit CreateNetwork: the spec as dockerd converts a create request (Spec only; the allocator fills the rest). */
  createNetwork(spec: Network['Spec']): Promise<Network>;
  listNetworks(filters?: Filters): Network[];
  /** By full ID, exact name, or unique ID prefix. */
  getNetwork(ref: string): Network;
  /** Refused while a service or a running task uses it (ingress: while a service publishes an ingress port). */
  removeNetwork(ref: string): Promise<void>;

  /** swarmkit CreateSecret. No answer of the secret methods carries Spec.Data. */
  createSecret(spec: SecretSpec): Promise<Secret>;
  listSecrets(filters?: Filters): Secret[];
  /** By full ID, name (any case), or unique ID prefix. */
  getSecret(ref: string): Secret;
  /** Only the labels may change. */
  updateSecret(ref: string, version: number, spec: SecretSpec): Promise<Secret>;
  /** Refused while a service references it. */
  removeSecret(ref: string): Promise<void>;

  createConfig(spec: ConfigSpec): Promise<Config>;
  listConfigs(filters?: Filters): Config[];
  getConfig(ref: string): Config;
  updateConfig(ref: string, version: number, spec: ConfigSpec): Promise<Config>;
  removeConfig(ref: string): Promise<void>;

  /** The console's accounts, sessions and share links (objects built by the door, see AuthWrite). */
  authWrite(w: AuthWrite): Promise<void>;
}
