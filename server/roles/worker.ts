// A worker: the node's agent with its dispatcher session (this process joined
// with the worker token); the Engine API says cluster state lives on managers.

import { startAgentNode, type AgentNode } from '../agent-process/agent-node';
import type { AgentCredentials } from '../agent-process/credentials';
import { createWorkerEngineHandler } from '../http/engine/inactive';
import type { NodeProcess } from './node-process';

export async function startWorker(
  node: NodeProcess,
  creds: AgentCredentials,
  /** `docker swarm leave` answered: stop this process and forget its identity. */
  onLeft: () => void = () => undefined,
): Promise<AgentNode> {
  const { cfg } = node;
  const worker = await startAgentNode({
    nodeID: node.nodeID,
    dataDir: cfg.dataDir,
    description: node.description,
    advertiseAddr: cfg.advertiseAddr,
    executor: cfg.executor,
    ...(node.processExecutor ? { processExecutor: node.processExecutor } : {}),
    ...(node.netns ? { netns: node.netns } : {}),
    ...(node.dns ? { nodeDns: node.dns } : {}),
    dataPathPort: cfg.dataPathPort,
    drainDelayMs: cfg.drainDelayMs,
    creds,
    tls: node.tls,
    transport: node.transport,
  });
  node.setEngineHandler(
    createWorkerEngineHandler({
      nodeID: node.nodeID,
      nodeAddr: cfg.advertiseAddr,
      managers: () => Object.values(worker.directory.managers),
      leave: onLeft,
    }),
  );
  console.log(
    `swarmdeck ready: node ${node.nodeID} (worker) engine=tcp://${cfg.listenHost}:${cfg.enginePort} executor=${cfg.executor}`,
  );
  return worker;
}
