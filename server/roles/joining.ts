// Joining a swarm with a token (`--join`, or `docker swarm join` on a process
// not in a swarm yet). The root is pinned by the token's digest before
// anything secret leaves; the manager token makes this process a manager,
// the worker token (`docker swarm join` only) a worker.

import { joinAsWorker } from '../agent-process/join-worker';
import type { AgentCredentials } from '../agent-process/credentials';
import { writeAgentCredentials } from '../agent-process/credentials';
import { requestJoin, WORKER_TOKEN_REFUSED, type JoinAnswer } from '../manager/membership/join';
import { beginJoin, completeJoin } from '../node-tls';
import type { NodeProcess } from './node-process';

export type Joined = { kind: 'manager'; answer: JoinAnswer } | { kind: 'worker'; creds: AgentCredentials };

export async function joinSwarm(node: NodeProcess, remote: string, token: string, asWorker = false): Promise<Joined> {
  const { cfg, tls } = node;
  const pending = await beginJoin(tls, remote, token);
  try {
    const answer = await requestJoin(node.transport, remote, {
      token,
      addr: node.clusterAddr,
      description: node.description,
      csr: pending.csr,
    });
    await completeJoin(tls, pending, answer, { role: 'manager', nodeID: node.nodeID });
    console.log(`swarmdeck: admitted to swarm ${answer.clusterID} by ${remote}; catching up`);
    return { kind: 'manager', answer };
  } catch (err) {
    if (!asWorker || !(err instanceof Error) || !err.message.includes(WORKER_TOKEN_REFUSED)) throw err;
  } finally {
    tls.endJoin();
  }
  const creds = await joinAsWorker({
    transport: node.transport,
    tls,
    remote,
    token,
    nodeID: node.nodeID,
    addr: cfg.advertiseAddr,
    description: node.description,
  });
  writeAgentCredentials(cfg.dataDir, creds);
  console.log(`swarmdeck: joined swarm ${creds.clusterID} as a worker through ${remote}`);
  return { kind: 'worker', creds };
}
