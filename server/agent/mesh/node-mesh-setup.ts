// One routing mesh per node, whatever started it: `swarmdeck agent`, a process
// that `docker swarm join`ed as a worker, or a manager's own node. Every role
// composes it through here. It needs real task processes (the mesh's last hop
// dials them) and a data path port; it follows the node's certificate for the
// tunnel, and tells other nodes its tunnel port through an engine label.
import { MESH_PORT_LABEL } from '../../api/network-view';
import type { NodeCredentials } from '../../node-tls';
import type { ProcessExecutor } from '../executor/process';
import { ExecutorTaskDialer } from './executor-dialer';
import { NodeMesh, type VipPlane } from './node-mesh';

export interface NodeMeshSetup {
  nodeID: string;
  /** The node's advertise address: published ports and the tunnel bind here. */
  advertiseAddr: string;
  /** The node-to-node data port; 0 runs no mesh. */
  dataPathPort: number;
  drainDelayMs?: number;
  /** Netns mode: the router through which tasks' connections to service VIPs come in. */
  vipPlane?: VipPlane;
  tls: NodeCredentials;
  /** The node's executor when it runs real processes; without one (simulated tasks) there is no mesh. */
  processExecutor?: ProcessExecutor;
  log?: (m: string) => void;
}

/** A node's mesh, made before the node's agent (which drains through it) and started once the node is in a swarm. */
export interface NodeMeshHandle {
  readonly mesh: NodeMesh;
  /** Listens on the data path port (a port that cannot be bound is reported, never thrown). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Whether a node with this setup runs a mesh. */
export const runsMesh = (o: Pick<NodeMeshSetup, 'dataPathPort' | 'processExecutor'>): boolean =>
  !!o.processExecutor && o.dataPathPort > 0;

/** The engine labels that tell the manager where this node's tunnel listens (none without a mesh). */
export function meshLabels(executor: 'process' | 'sim', dataPathPort: number): Record<string, string> {
  return executor === 'process' && dataPathPort > 0 ? { [MESH_PORT_LABEL]: String(dataPathPort) } : {};
}

export function nodeMesh(o: NodeMeshSetup): NodeMeshHandle | undefined {
  const executor = o.processExecutor;
  if (!executor || !runsMesh(o)) return undefined;
  const mesh = new NodeMesh({
    nodeID: o.nodeID,
    addr: o.advertiseAddr,
    dataPort: o.dataPathPort,
    tls: { material: () => o.tls.material(), clusterID: () => o.tls.certificate?.clusterID },
    dialer: new ExecutorTaskDialer(executor),
    hostPorts: (id) => executor.ports(id),
    ...(o.drainDelayMs !== undefined ? { drainDelayMs: o.drainDelayMs } : {}),
    ...(o.vipPlane ? { vipPlane: o.vipPlane } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  let unwatch: (() => void) | undefined;
  let started: Promise<void> | undefined;
  return {
    mesh,
    start() {
      started ??= (async () => {
        await mesh.start();
        // a certificate installed or renewed after the listener started: new tunnels use it
        mesh.refreshTls();
        unwatch = o.tls.onChange(() => mesh.refreshTls());
      })();
      return started;
    },
    async stop() {
      unwatch?.();
      await started?.catch(() => undefined);
      await mesh.stop();
    },
  };
}
