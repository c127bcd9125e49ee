// A worker node's running parts once it holds a node key: the manager
// directory, the dispatcher session, the executor (adopting what a previous
// run left) and the Agent. Shared by `swarmdeck agent` and by a manager
// process that `docker swarm join`ed with the worker token.

import { join } from 'node:path';
import type { NodeDescription } from '../api/types';
import { Agent } from '../agent/agent';
import { RemoteLogBroker } from '../agent/log-broker-client';
import { LogPublisher } from '../agent/log-publisher';
import type { Executor } from '../agent/executor/executor';
import { ProcessExecutor } from '../agent/executor/process';
import { SimExecutor } from '../agent/executor/sim';
import { writeAgentCredentials, type AgentCredentials } from './credentials';
import { ManagerDirectoryClient, type DirectoryTransport } from './manager-directory';
import { AgentSessionClient } from './session-client';

export interface AgentNodeOptions {
  nodeID: string;
  dataDir: string;
  description: NodeDescription;
  advertiseAddr: string;
  executor: 'process' | 'sim';
  imageCatalog?: string;
  /** Held credentials; the manager list in them is kept current (and written back). */
  creds: AgentCredentials;
  /** The cluster transport, dialling with this node's key. */
  transport: DirectoryTransport;
}

export interface AgentNode {
  agent: Agent;
  directory: ManagerDirectoryClient;
  /** Ends the session; process tasks keep running for the next start to adopt. */
  stop(): Promise<void>;
}

export async function startAgentNode(o: AgentNodeOptions): Promise<AgentNode> {
  const directory = new ManagerDirectoryClient(
    o.transport,
    { leader: o.creds.leader, managers: o.creds.managers },
    (d) => {
      o.creds.leader = d.leader;
      o.creds.managers = d.managers;
      writeAgentCredentials(o.dataDir, o.creds);
    },
  );
  const processExecutor =
    o.executor === 'process'
      ? new ProcessExecutor({
          node: { ID: o.nodeID, Description: o.description },
          stateDir: join(o.dataDir, 'tasks'),
          ...(o.imageCatalog ? { catalogFile: o.imageCatalog } : {}),
        })
      : undefined;
  // tasks a previous run left behind are adopted (or reported) before the first session
  if (processExecutor) await processExecutor.recover();
  const executor: Executor = processExecutor ?? new SimExecutor();
  const agent = new Agent({
    nodeID: o.nodeID,
    dispatcher: new AgentSessionClient(o.transport, directory),
    executor,
    description: o.description,
    addr: o.advertiseAddr,
  });
  // the leader asks for logs when someone reads them; the publisher sends what matches
  const logs = new LogPublisher({
    nodeID: o.nodeID,
    source: executor,
    broker: new RemoteLogBroker({ transport: o.transport, leader: () => directory.leader }),
  });
  await agent.start();
  logs.start();
  return {
    agent,
    directory,
    stop: async () => {
      await logs.stop();
      await agent.stop({ keepTasks: !!processExecutor });
    },
  };
}
