import { EXECUTOR_LABEL, SIM_ENGINE_VERSION } from '../api/node-labels';
import type { Cluster, ClusterSpec, Network, Node, NodeDescription, RootCA } from '../api/types';
import { newID } from '../api/ids';
import { createRootCA, joinTokenFor, rootCAFrom } from '../ca';
import { runAsUnlessSet } from '../store/audit-context';
import type { ClusterStore } from '../store/cluster-store';
import { DEFAULT_ADDR_POOL, DEFAULT_SUBNET_SIZE } from './network-allocator/address-pool';
import { newUnlockKey } from '../storage/encryption/unlock-key';
import { DEFAULT_DATA_PATH_PORT, mergeInitSpec, type InitSettings } from './swarm-init';
import { DEFAULT_ELECTION_TICK, DEFAULT_HEARTBEAT_TICK, DEFAULT_TICK_MS, msToNs } from './membership/timing';

/** swarmkit's defaultClusterObject values (spec §0). */
export function defaultClusterSpec(): ClusterSpec {
  return {
    Name: 'default',
    Labels: {},
    Orchestration: { TaskHistoryRetentionLimit: 5 },
    Raft: {
      SnapshotInterval: 10000,
      KeepOldSnapshots: 0,
      LogEntriesForSlowFollowers: 500,
      ElectionTick: DEFAULT_ELECTION_TICK,
      HeartbeatTick: DEFAULT_HEARTBEAT_TICK,
      TickInterval: msToNs(DEFAULT_TICK_MS),
    },
    Dispatcher: { HeartbeatPeriod: 5_000_000_000 },
    CAConfig: { NodeCertExpiry: 7_776_000_000_000_000 },
    TaskDefaults: {},
    EncryptionConfig: { AutoLockManagers: false },
  };
}

function withHeartbeat(spec: ClusterSpec, periodMs: number | undefined): ClusterSpec {
  return periodMs ? { ...spec, Dispatcher: { HeartbeatPeriod: msToNs(periodMs) } } : spec;
}

export interface InitOptions {
  /** Chosen (and written to the data dir) before the commit, so a crash in between keeps one identity. */
  nodeID: string;
  description: NodeDescription;
  addr: string;
  /** The cluster ID, when the caller needed it first (the raft transport's credentials). */
  clusterID?: string;
  /** `swarm init --dispatcher-heartbeat`: the agents' heartbeat period (default 5 s). */
  heartbeatPeriodMs?: number;
  /** `swarm init --cert-expiry`: node certificate lifetime in ns (default 90 days). */
  nodeCertExpiryNs?: number;
  /** The swarm's root CA, when the caller made it first (to sign its own certificate); else one is made. */
  rootCA?: RootCA;
  /** What `docker swarm init` asked for (checked already): spec fields, address pools, data path, availability. */
  settings?: InitSettings;
}

/**
 * swarmkit newIngressNetwork: the routing mesh's network, made once on a fresh swarm. No subnet of
 * its own: the allocator gives it the pool's first (10.0.0.0/24 by default).
 */
export function newIngressNetwork(now: string): Network {
  return {
    ID: newID(),
    Version: { Index: 0 },
    CreatedAt: now,
    UpdatedAt: now,
    Spec: { Name: 'ingress', Labels: {}, DriverConfiguration: { Name: 'overlay' }, Ingress: true },
  };
}

/**
 * `docker swarm init` on first start: the cluster object with its join
 * tokens, and this process's own node as a manager. Returns the self node ID.
 */
export async function initCluster(store: ClusterStore, opts: InitOptions): Promise<string> {
  const rootCA = opts.rootCA ?? rootCAFrom(await createRootCA());
  const nodeID = opts.nodeID;
  const init = opts.settings ?? {};
  const spec = mergeInitSpec(withHeartbeat(defaultClusterSpec(), opts.heartbeatPeriodMs), init.spec);
  if (opts.nodeCertExpiryNs) spec.CAConfig = { ...spec.CAConfig, NodeCertExpiry: opts.nodeCertExpiryNs };
  spec.EncryptionConfig = { AutoLockManagers: !!init.autolock };
  // the start-up's own init is the manager's; `docker swarm init` keeps its client as the actor
  const actor = { actor: { kind: 'system', name: 'swarm init' } } as const;
  await runAsUnlessSet(actor, () =>
    store.update((tx) => {
      const cluster: Cluster = {
        ID: opts.clusterID ?? newID(),
        Version: { Index: 0 },
        CreatedAt: tx.now,
        UpdatedAt: tx.now,
        Spec: spec,
        // the tokens pin the root by its digest: a joiner checks the root it is served against them
        JoinTokens: { Worker: joinTokenFor(rootCA.CACert), Manager: joinTokenFor(rootCA.CACert) },
        DefaultAddrPool: init.defaultAddrPool ?? [...DEFAULT_ADDR_POOL],
        SubnetSize: init.defaultAddrPool ? (init.subnetSize ?? DEFAULT_SUBNET_SIZE) : DEFAULT_SUBNET_SIZE,
        DataPathPort: init.dataPathPort ?? DEFAULT_DATA_PATH_PORT,
        RootRotationInProgress: false,
        RootCA: rootCA,
        // `--autolock`: every manager locks its raft keys with it once it reads the cluster
        ...(init.autolock ? { ManagerUnlockKey: newUnlockKey() } : {}),
      };
      tx.create('cluster', cluster);
      const self = newNode(nodeID, 'manager', opts.description, opts.addr, tx.now);
      if (init.availability) self.Spec.Availability = init.availability;
      if (init.dataPathAddr) self.DataPathAddr = init.dataPathAddr;
      tx.create('node', self);
      tx.create('network', newIngressNetwork(tx.now));
    }),
  );
  return nodeID;
}

export function newNode(id: string, role: Node['Role'], description: NodeDescription, addr: string, now: string): Node {
  return {
    ID: id,
    Version: { Index: 0 },
    CreatedAt: now,
    UpdatedAt: now,
    Spec: { Labels: {}, Role: role, Availability: 'active' },
    Role: role,
    Description: description,
    // READY only once its agent opens a dispatcher session
    Status: { State: 'unknown', Addr: addr },
  };
}

export const SIM_WORKER_PREFIX = 'sim-worker-';
const ZONES = ['zone-a', 'zone-b', 'zone-c'];

export function simWorkerDescription(i: number): NodeDescription {
  return {
    Hostname: `${SIM_WORKER_PREFIX}${i}`,
    Platform: { Architecture: 'x86_64', OS: 'linux' },
    Resources: { NanoCPUs: 4e9, MemoryBytes: 8 * 1024 ** 3 },
    Engine: {
      EngineVersion: SIM_ENGINE_VERSION,
      Labels: { [EXECUTOR_LABEL]: 'sim', zone: ZONES[(i - 1) % ZONES.length]! },
      Plugins: [{ Type: 'Network', Name: 'overlay' }],
    },
  };
}

/**
 * Make sure `count` simulated workers exist (as if they had joined with the
 * worker token). Existing ones are reused by hostname across restarts.
 * Returns their node IDs, in order.
 */
export async function ensureSimWorkers(
  store: ClusterStore,
  count: number,
): Promise<{ id: string; description: NodeDescription }[]> {
  const byHost = new Map(store.view.list('node').map((n) => [n.Description.Hostname, n]));
  const out: { id: string; description: NodeDescription }[] = [];
  const missing: { id: string; description: NodeDescription }[] = [];
  for (let i = 1; i <= count; i++) {
    const description = simWorkerDescription(i);
    const existing = byHost.get(description.Hostname);
    const entry = { id: existing?.ID ?? newID(), description };
    out.push(entry);
    if (!existing) missing.push(entry);
  }
  for (let i = 0; i < missing.length; i += 500) {
    const chunk = missing.slice(i, i + 500);
    await runAsUnlessSet({ actor: { kind: 'system', name: 'demo' }, action: 'add simulated workers' }, () =>
      store.update((tx) => {
        for (const m of chunk) {
          const node = newNode(m.id, 'worker', m.description, '127.0.0.1', tx.now);
          node.Spec.Labels = { zone: m.description.Engine.Labels?.zone ?? '' };
          tx.create('node', node);
        }
      }),
    );
  }
  return out;
}
