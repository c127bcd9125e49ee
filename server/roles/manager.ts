// A manager: the raft member with its store, control loops and CA, the Engine
// API over it and (unless --no-console) the web console.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nodeMesh } from '../agent/mesh/node-mesh-setup';
import { ClusterMember, type MemberMode } from '../cluster-member';
import { startConsole, type ConsoleServer } from '../console-server';
import { startAdminSocket } from '../http/admin/admin-socket';
import { createEngineHandler } from '../http/engine/server';
import { createManagerMetrics } from '../metrics/manager-metrics';
import { startMetricSampler } from '../metrics/metric-sampler';
import { SWARM_LOCKED_MESSAGE } from '../storage/encryption/errors';
import { openRaftKeys, type RaftKeyRing } from '../storage/encryption/raft-key-ring';
import type { SwarmInitOptions } from './inactive';
import { leaveRaft } from './leave';
import type { NodeProcess } from './node-process';
import { reportAppliedServiceCreates } from '../metrics/apply-report';

export interface RunningManager {
  member: ClusterMember;
  close(): Promise<void>;
}

/**
 * The manager's raft keys from its data dir: made on a new one (or one whose log predates encryption at
 * rest, which is then re-encrypted in the background). A locked data dir never gets here (main.ts).
 */
function managerKeys(dataDir: string): RaftKeyRing {
  const opened = openRaftKeys(dataDir, { hasRaftLog: existsSync(join(dataDir, 'swarmdeck.db')) });
  if (opened.state === 'locked') throw new Error(SWARM_LOCKED_MESSAGE);
  if (opened.upgraded) console.log('swarmdeck: this raft log was stored unencrypted; encrypting it in the background');
  return opened.ring;
}

export async function startManager(
  node: NodeProcess,
  mode: MemberMode,
  init: SwarmInitOptions = {},
  /** `docker swarm leave --force` answered: stop this process and forget its identity. */
  onLeft: () => void = () => undefined,
  /** The raft keys `docker swarm unlock` opened; otherwise read (or made) from the data dir here. */
  unlockedKeys?: RaftKeyRing,
): Promise<RunningManager> {
  const { cfg } = node;
  const keys = unlockedKeys ?? managerKeys(cfg.dataDir);
  // a manager is a node too: its own tasks are reached through the routing mesh like any worker's
  const mesh = nodeMesh({
    nodeID: node.nodeID,
    advertiseAddr: cfg.advertiseAddr,
    dataPathPort: cfg.dataPathPort,
    drainDelayMs: cfg.drainDelayMs,
    tls: node.tls,
    ...(node.processExecutor ? { processExecutor: node.processExecutor } : {}),
    ...(node.netns ? { vipPlane: node.netns } : {}),
  });
  const member = await ClusterMember.start({
    dataDir: cfg.dataDir,
    selfNodeID: node.nodeID,
    advertiseAddr: cfg.advertiseAddr,
    clusterAddr: node.clusterAddr,
    description: node.description,
    transport: node.transport,
    tls: node.tls,
    setAcceptPolicy: node.setAcceptPolicy,
    clock: node.clock,
    simWorkers: cfg.simWorkers,
    demo: cfg.demo,
    executor: node.executor,
    ...(mesh ? { mesh: mesh.mesh } : {}),
    onNetworkView: node.dns?.setView,
    mode,
    heartbeatPeriodMs: cfg.dispatcherHeartbeatMs || undefined,
    nodeCertExpiryNs: init.nodeCertExpiryNs,
    initSettings: init.settings,
    loopReportMs: Number(process.env.SWARMDECK_LOOP_REPORT_MS) || undefined,
    keys,
  });
  node.setMember(member);
  // benchmarks: a line as each service create is applied here (bench/console-freshness.ts measures from it)
  if (process.env.SWARMDECK_APPLY_REPORT === '1') reportAppliedServiceCreates(member.ctx.store.view);
  // the tunnel listens once the node holds its certificate (made or received by the member's start)
  await mesh?.start();
  // the console starts after the Engine API: its socket count is read when scraped
  const started: { console?: ConsoleServer } = {};
  const metrics = createManagerMetrics(member.ctx, { socketClients: () => started.console?.socketClients() ?? 0 });
  node.setEngineHandler(
    createEngineHandler(
      {
        ...member.ctx,
        leaveSwarm: async () => {
          await leaveRaft(member);
          return onLeft;
        },
        metrics,
      },
      undefined,
      metrics,
    ),
  );
  // `swarmdeck cert` issues Engine API certificates through it (local, owner only)
  // (a data dir path too long for a Unix socket, ~107 bytes, costs only that command)
  const adminSocket = await startAdminSocket(cfg.dataDir, member.ctx.store.view).catch((err: unknown) => {
    console.warn(`swarmdeck: no admin socket, so no \`swarmdeck cert\`: ${(err as Error).message}`);
    return undefined;
  });
  // the console's live charts: the same registry /metrics serves, read once a second
  const sampler = cfg.console ? startMetricSampler(metrics.registry, member.ctx.clock) : undefined;
  const consoleServer = cfg.console ? await startConsole(cfg, member.ctx, node.limits.console, sampler) : undefined;
  started.console = consoleServer;
  console.log(
    `swarmdeck ready: node ${node.nodeID} (${member.log.isLeader() ? 'leader' : 'follower'})` +
      (consoleServer ? ` console=http://${cfg.listenHost}:${cfg.consolePort}` : '') +
      ` engine=tcp://${cfg.listenHost}:${cfg.enginePort} cluster=${node.clusterAddr}` +
      ` executor=${cfg.executor} sim-workers=${cfg.simWorkers}`,
  );
  return {
    member,
    async close() {
      if (adminSocket) await new Promise<void>((r) => adminSocket.close(() => r()));
      await consoleServer?.close();
      sampler?.close();
      metrics.close();
      await member.close();
      await mesh?.stop();
    },
  };
}
