// Joining as a worker with the worker token: pin the root, send the token and
// a CSR to a manager that root verifies, keep the certificate and the
// manager list. Used by `swarmdeck agent --join` and by `docker swarm join`
// against a process that is not in a swarm yet.

import type { NodeDescription } from '../api/types';
import { requestAgentJoin } from '../manager/membership/agent-join';
import { beginJoin, completeJoin, type NodeCredentials } from '../node-tls';
import type { AgentCredentials } from './credentials';

export interface WorkerJoin {
  transport: Parameters<typeof requestAgentJoin>[0];
  tls: NodeCredentials;
  /** Any manager's cluster address. */
  remote: string;
  token: string;
  nodeID: string;
  /** The address managers reach this node at. */
  addr: string;
  description: NodeDescription;
}

export async function joinAsWorker(o: WorkerJoin): Promise<AgentCredentials> {
  const pending = await beginJoin(o.tls, o.remote, o.token);
  try {
    const answer = await requestAgentJoin(o.transport, o.remote, {
      token: o.token,
      addr: o.addr,
      description: o.description,
      csr: pending.csr,
    });
    await completeJoin(o.tls, pending, answer, { role: 'worker', nodeID: o.nodeID });
    return { clusterID: answer.clusterID, nodeID: answer.nodeID, managers: answer.managers, leader: answer.leader };
  } finally {
    o.tls.endJoin();
  }
}
