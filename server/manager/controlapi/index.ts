import type { ClusterStore } from '../../store/cluster-store';
import { authWrite } from './accounts';
import { getCluster, updateCluster } from './cluster';
import type { ControlApiOptions, ControlDeps } from './context';
import { createConfig, getConfig, listConfigs, removeConfig, updateConfig } from './configs';
import { createNetwork, getNetwork, listNetworks, removeNetwork } from './networks';
import { getNode, listNodes, removeNode, updateNode } from './nodes';
import { createSecret, getSecret, listSecrets, removeSecret, updateSecret } from './secrets';
import { createService, getService, listServices, removeService, updateService } from './services';
import { getTask, listTasks } from './tasks';
import type { ControlApi } from './types';

export type { ControlApi, Filters } from './types';
export type { ControlApiOptions, RaftMembership } from './context';
export { taskName } from './tasks';
export { normaliseServiceSpec } from './service-spec';

/** The control API over one store: the only way the edges read and change cluster state. */
export function createControlApi(store: ClusterStore, opts: ControlApiOptions): ControlApi {
  const d: ControlDeps = { ...opts, store };
  // every write starts from a linearizable read point (lookups included)
  const write = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (d.barrier) await d.barrier();
    return fn();
  };
  return {
    getCluster: () => getCluster(d),
    updateCluster: (version, spec, rotate) => write(() => updateCluster(d, version, spec, rotate)),
    listNodes: (filters) => listNodes(d, filters),
    getNode: (ref) => getNode(d, ref),
    updateNode: (ref, version, spec) => write(() => updateNode(d, ref, version, spec)),
    removeNode: (ref, force) => write(() => removeNode(d, ref, force)),
    createService: (spec) => write(() => createService(d, spec)),
    listServices: (filters) => listServices(d, filters),
    getService: (ref, o) => getService(d, ref, o),
    updateService: (ref, version, spec, o) => write(() => updateService(d, ref, version, spec, o)),
    removeService: (ref) => write(() => removeService(d, ref)),
    listTasks: (filters) => listTasks(d, filters),
    getTask: (ref) => getTask(d, ref),
    createNetwork: (spec) => write(() => createNetwork(d, spec)),
    listNetworks: (filters) => listNetworks(d, filters),
    getNetwork: (ref) => getNetwork(d, ref),
    removeNetwork: (ref) => write(() => removeNetwork(d, ref)),
    createSecret: (spec) => write(() => createSecret(d, spec)),
    listSecrets: (filters) => listSecrets(d, filters),
    getSecret: (ref) => getSecret(d, ref),
    updateSecret: (ref, version, spec) => write(() => updateSecret(d, ref, version, spec)),
    removeSecret: (ref) => write(() => removeSecret(d, ref)),
    createConfig: (spec) => write(() => createConfig(d, spec)),
    listConfigs: (filters) => listConfigs(d, filters),
    getConfig: (ref) => getConfig(d, ref),
    updateConfig: (ref, version, spec) => write(() => updateConfig(d, ref, version, spec)),
    removeConfig: (ref) => write(() => removeConfig(d, ref)),
    authWrite: (w) => write(() => authWrite(d, w)),
  };
}
