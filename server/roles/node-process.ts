// What every role of a swarmdeck process shares: its node ID and description,
// its executor, its TLS identity, the cluster port (TLS, with the transport on
// it) and the Engine API port, whose handler the role in charge sets. The
// cluster port listens first: a joiner must be reachable before the leader
// adds it.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { join } from 'node:path';
import { newID } from '../api/ids';
import type { NodeDescription } from '../api/types';
import type { Executor } from '../agent/executor/executor';
import { ProcessExecutor } from '../agent/executor/process';
import { SimExecutor } from '../agent/executor/sim';
import { meshLabels } from '../agent/mesh/node-mesh-setup';
import type { ClusterMember } from '../cluster-member';
import { clusterPortHandler } from '../cluster-port';
import { insecureEngineWarning, nodeGenericResources, type Config } from '../config';
import { createEngineTLSListener, readEngineTLS } from '../http/engine/tls-listener';
import { listen, prepareListeners } from '../listen';
import type { HttpListenerLimits } from '../net/http-listener';
import { createHttpListener, holdResources, httpServerOptions } from '../net/http-listener';
import type { ListenerName } from '../net/listener-limits';
import { readNodeID, writeNodeID } from '../node-identity';
import { ACCEPT_NOBODY, NodeCredentials, nodeSecurity, type AcceptPolicy } from '../node-tls';
import type { Message } from '../raft/core';
import { ClusterTransport, createClusterServer } from '../raft/transport';
import { selfDescription } from '../self-description';
import { routerRunDir, startTaskNetworking } from '../agent/executor/netns/detect';
import { startNodeDns, type NodeDns } from '../agent/dns/node-dns';
import type { NetnsRouter } from '../agent/executor/netns/router-client';
import { systemClock, type Clock } from '../util/clock';

/** Transport timings on loopback: a dead peer shows Unreachable within ~3 s. */
const TRANSPORT_LIMITS = { pingIntervalMs: 500, deadAfterMs: 3_000 };

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface NodeProcess {
  cfg: Config;
  clock: Clock;
  nodeID: string;
  /** This process's cluster address (advertised host, cluster port). */
  clusterAddr: string;
  description: NodeDescription;
  executor: Executor;
  /** The executor when it runs real processes (they must not outlive the node). */
  processExecutor?: ProcessExecutor;
  /** The node's embedded DNS (real processes only): its agent hands it every NetworkView. */
  dns?: NodeDns;
  /** Netns mode: the router tasks with network attachments run behind (their VIP traffic comes in through it). */
  netns?: NetnsRouter;
  tls: NodeCredentials;
  transport: ClusterTransport<Message>;
  clusterServer: HttpsServer;
  engine: Server;
  /** Deadlines and connection limits per listener, sized to the open-file limit. */
  limits: Record<ListenerName, HttpListenerLimits>;
  /** Who answers the Engine API from now on. */
  setEngineHandler(handler: Handler): void;
  /** Who the cluster port lets in besides certificate holders (a manager's tokens and removed nodes). */
  setAcceptPolicy(policy: AcceptPolicy): void;
  /** The manager this process became, for the cluster port's health and root CA answers. */
  setMember(member: ClusterMember): void;
}

const starting: Handler = (_req, res) => {
  res.writeHead(503, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ message: 'swarmdeck is starting' }));
};

export async function startNodeProcess(cfg: Config, clock: Clock = systemClock): Promise<NodeProcess> {
  let nodeID = readNodeID(cfg.dataDir);
  if (!nodeID) {
    nodeID = newID();
    writeNodeID(cfg.dataDir, nodeID);
  }
  const limits = prepareListeners(cfg);
  const clusterAddr = `${cfg.advertiseAddr}:${cfg.clusterPort}`;
  // netns mode where rootless namespaces work; SWARMDECK_NETWORK_MODE=host keeps tasks on the host's network
  const networking =
    cfg.executor === 'process'
      ? await startTaskNetworking(
          routerRunDir(cfg.dataDir),
          process.env.SWARMDECK_NETWORK_MODE === 'host' ? 'host' : 'auto',
        )
      : undefined;
  const description = selfDescription(cfg.executor, networking?.mode);
  const generic = nodeGenericResources(cfg);
  if (generic) description.Resources.GenericResources = generic;
  // other nodes' meshes reach this node's tasks through its tunnel on this port (roles start the mesh)
  Object.assign(description.Engine!.Labels!, meshLabels(cfg.executor, cfg.dataPathPort));
  // its tasks' DNS (upstreams: SWARMDECK_DNS_UPSTREAMS, else the host's resolv.conf)
  const dns = cfg.executor === 'process' ? await startNodeDns({ router: networking?.router }) : undefined;
  // Managers are workers too: this node's own tasks run as real processes or simulated.
  const processExecutor =
    cfg.executor === 'process'
      ? new ProcessExecutor({
          node: { ID: nodeID, Description: description },
          stateDir: join(cfg.dataDir, 'tasks'),
          netns: networking?.router,
          taskDns: dns,
        })
      : undefined;
  // task state on disk: after a crash (kill -9) the processes still running are adopted, not started twice
  await processExecutor?.recover();
  const executor = processExecutor ?? new SimExecutor();

  const tls = await NodeCredentials.load(cfg.dataDir);
  let policy: AcceptPolicy = ACCEPT_NOBODY;
  let member: ClusterMember | undefined;
  const transport = new ClusterTransport<Message>({
    selfId: nodeID,
    selfAddr: clusterAddr,
    clock,
    limits: TRANSPORT_LIMITS,
    security: nodeSecurity(tls, () => policy),
  });
  const clusterServer = createClusterServer(
    clusterPortHandler(() => member),
    httpServerOptions(limits.cluster),
  );
  // a refused TLS connection is closed unanswered: a TLS client could not read a plain-text 503
  holdResources(clusterServer, 'cluster', limits.cluster, { plaintextRefusals: false });
  transport.attach(clusterServer);
  await listen(clusterServer, cfg.clusterPort, cfg.listenHost);

  let engineHandler: Handler = starting;
  const engineHandle: Handler = (req, res) => engineHandler(req, res);
  const engine = cfg.tls
    ? createEngineTLSListener(readEngineTLS(cfg), limits.engine, engineHandle)
    : createHttpListener('engine', limits.engine, engineHandle).server;
  // said on every start, not once: whoever reads the log must not miss it
  const warning = insecureEngineWarning(cfg);
  if (warning) console.warn(`swarmdeck: ${warning}`);
  await listen(engine, cfg.enginePort, cfg.listenHost);

  return {
    cfg,
    clock,
    nodeID,
    clusterAddr,
    description,
    executor,
    processExecutor,
    dns,
    ...(networking?.router ? { netns: networking.router } : {}),
    tls,
    transport,
    clusterServer,
    engine,
    limits,
    setEngineHandler: (h) => (engineHandler = h),
    setAcceptPolicy: (p) => (policy = p),
    setMember: (m) => (member = m),
  };
}
