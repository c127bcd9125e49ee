import { arch, cpus, hostname, release, totalmem } from 'node:os';
import { publicClusterSpec } from '../../../api/schemas/cluster-spec';
import type { Cluster, ClusterSpec, TaskState, TLSInfo } from '../../../api/types';
import { clusterTLSInfo } from '../../../ca';
import type { ManagerContext } from '../../../manager/context';
import { fdLimitWarnings } from '../../../net/fd-limit';
import { failedEntriesWarnings } from '../../../manager/raft-view';
import { API_VERSION, ENGINE_VERSION, MIN_API_VERSION, sendJSON } from '../respond';
import type { Route } from '../router';

const GO_VERSION = 'go1.24.3';
const GIT_COMMIT = 'swarmdeck';
const BUILD_TIME = '2026-01-01T00:00:00.000000000+00:00';

function goArch(): string {
  const a = arch();
  return a === 'x64' ? 'amd64' : a;
}

/** Engine API ClusterInfo. */
export interface ClusterInfo {
  ID: string;
  Version: Cluster['Version'];
  CreatedAt: string;
  UpdatedAt: string;
  Spec: ClusterSpec;
  TLSInfo: TLSInfo;
  RootRotationInProgress: boolean;
  DefaultAddrPool: string[];
  SubnetSize: number;
  DataPathPort: number;
}

/**
 * `GET /swarm` minus JoinTokens (ClusterInfo), as /info embeds it. Field by field: the store's cluster
 * also holds the root CA's key and the blacklist, which no API returns.
 */
export function clusterInfo(c: Cluster): ClusterInfo {
  return {
    ID: c.ID,
    Version: c.Version,
    CreatedAt: c.CreatedAt,
    UpdatedAt: c.UpdatedAt,
    Spec: publicClusterSpec(c.Spec),
    TLSInfo: clusterTLSInfo(c.RootCA),
    RootRotationInProgress: !!c.RootCA?.RootRotation,
    DefaultAddrPool: c.DefaultAddrPool,
    SubnetSize: c.SubnetSize,
    DataPathPort: c.DataPathPort,
  };
}

/** dockerd's warning when exactly two managers hold the raft group (cluster.Info). */
export const TWO_MANAGERS_WARNING = `WARNING: Running Swarm in a two-manager configuration. This configuration provides
no fault tolerance, and poses a high risk to lose control over the cluster.
Refer to https://docs.docker.com/engine/swarm/admin_guide/ to configure the
Swarm for fault-tolerance.`;

/** Task states whose container has run and stopped (its history on the node). */
const STOPPED: ReadonlySet<TaskState> = new Set(['complete', 'failed', 'shutdown']);

function swarmInfo(ctx: ManagerContext) {
  const nodes = ctx.store.view.list('node');
  const managers = nodes.filter((n) => n.Role === 'manager');
  // as dockerd counts them: the nodes that have a ManagerStatus, i.e. the raft members
  const membership = ctx.membership?.();
  const managerCount = membership
    ? nodes.filter((n) => membership.members.some((m) => m.id === n.ID)).length
    : managers.length;
  return {
    NodeID: ctx.selfNodeID,
    NodeAddr: ctx.advertiseAddr,
    LocalNodeState: 'active',
    ControlAvailable: true,
    Error: '',
    // the raft members when this manager runs raft, else every manager node
    RemoteManagers:
      ctx.membership?.().members.map((m) => ({ NodeID: m.id, Addr: m.addr })) ??
      managers.map((m) => ({
        NodeID: m.ID,
        Addr: m.ID === ctx.selfNodeID ? ctx.clusterAddr : `${m.Status.Addr}:${ctx.clusterAddr.split(':').pop()}`,
      })),
    Nodes: nodes.length,
    Managers: managerCount,
    Cluster: clusterInfo(ctx.control.getCluster()),
    Warnings: managerCount === 2 ? [TWO_MANAGERS_WARNING] : [],
  };
}

const ping: Route['handle'] = ({ req, res }) => {
  res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': req.method === 'HEAD' ? 0 : 2,
    'Docker-Experimental': 'false',
    Swarm: 'active/manager',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : 'OK');
};

export const systemRoutes: Route[] = [
  { method: 'GET', pattern: /^\/_ping$/, handle: ping },
  { method: 'HEAD', pattern: /^\/_ping$/, handle: ping },
  {
    method: 'GET',
    pattern: /^\/version$/,
    handle: ({ res }) => {
      const details = {
        ApiVersion: API_VERSION,
        Arch: goArch(),
        BuildTime: BUILD_TIME,
        Experimental: 'false',
        GitCommit: GIT_COMMIT,
        GoVersion: GO_VERSION,
        KernelVersion: release(),
        MinAPIVersion: MIN_API_VERSION,
        Os: 'linux',
      };
      sendJSON(res, 200, {
        Platform: { Name: 'Swarmdeck' },
        Components: [{ Name: 'Engine', Version: ENGINE_VERSION, Details: details }],
        Version: ENGINE_VERSION,
        ApiVersion: API_VERSION,
        MinAPIVersion: MIN_API_VERSION,
        GitCommit: GIT_COMMIT,
        GoVersion: GO_VERSION,
        Os: 'linux',
        Arch: goArch(),
        KernelVersion: release(),
        BuildTime: BUILD_TIME,
      });
    },
  },
  {
    method: 'GET',
    pattern: /^\/info$/,
    handle: ({ ctx, res }) => {
      // dockerd counts its own containers: this node's tasks, the stopped ones being its task history
      const mine = ctx.store.view.tasksByNode(ctx.selfNodeID);
      const running = mine.filter((t) => t.Status.State === 'running').length;
      const stopped = mine.filter((t) => STOPPED.has(t.Status.State)).length;
      const swarm = swarmInfo(ctx);
      sendJSON(res, 200, {
        ID: ctx.selfNodeID,
        Name: hostname(),
        OSType: 'linux',
        OperatingSystem: 'Swarmdeck',
        Architecture: arch() === 'x64' ? 'x86_64' : arch(),
        KernelVersion: release(),
        ServerVersion: ENGINE_VERSION,
        NCPU: cpus().length,
        MemTotal: totalmem(),
        Containers: running + stopped,
        ContainersRunning: running,
        ContainersPaused: 0,
        ContainersStopped: stopped,
        Images: 0,
        Driver: 'swarmdeck',
        DriverStatus: [],
        Plugins: { Volume: ['local'], Network: ['overlay'], Authorization: null, Log: ['json-file'] },
        SystemTime: new Date(ctx.clock.now()).toISOString(),
        LoggingDriver: 'json-file',
        CgroupDriver: 'none',
        DockerRootDir: '/var/lib/swarmdeck',
        IndexServerAddress: 'https://index.docker.io/v1/',
        RegistryConfig: null,
        Labels: [],
        ExperimentalBuild: false,
        Runtimes: { runc: { path: 'runc' } },
        DefaultRuntime: 'runc',
        Swarm: swarm,
        SecurityOptions: [],
        // dockerd appends the swarm's warnings to the engine's
        Warnings: [...fdLimitWarnings(), ...failedEntriesWarnings(ctx.raft?.view()), ...swarm.Warnings],
      });
    },
  },
];
