// A worker node's running parts once it holds a certificate: the manager
// directory, the dispatcher session, the executor (adopting what a previous
// run left), the Agent, and the renewer that keeps its certificate current.
// Shared by `swarmdeck agent` and by a process that `docker swarm join`ed
// with the worker token.

import { join } from 'node:path';
import type { NodeDescription } from '../api/types';
import { Agent } from '../agent/agent';
import { RemoteLogBroker } from '../agent/log-broker-client';
import { LogPublisher } from '../agent/log-publisher';
import type { Executor } from '../agent/executor/executor';
import { ProcessExecutor } from '../agent/executor/process';
import type { NetnsRouter } from '../agent/executor/netns/router-client';
import { SimExecutor } from '../agent/executor/sim';
import type { NodeMesh } from '../agent/mesh/node-mesh';
import { nodeMesh } from '../agent/mesh/node-mesh-setup';
import { startNodeDns, type NodeDns } from '../agent/dns/node-dns';
import { CertificateRenewer, isRenewAnswer, renewRequest, type NodeCredentials } from '../node-tls';
import { writeAgentCredentials, type AgentCredentials } from './credentials';
import { ManagerDirectoryClient, type DirectoryTransport } from './manager-directory';
import { AgentSessionClient } from './session-client';

const RENEW_TIMEOUT_MS = 10_000;

export interface AgentNodeOptions {
  nodeID: string;
  dataDir: string;
  description: NodeDescription;
  advertiseAddr: string;
  executor: 'process' | 'sim';
  /** The process executor this node process made already (a worker role): used instead of a second one. */
  processExecutor?: ProcessExecutor;
  imageCatalog?: string;
  /** Netns mode: the router tasks with network attachments run behind (left running on stop). */
  netns?: NetnsRouter;
  /** The node's DNS when the node process made it (with processExecutor); otherwise the agent makes its own. */
  nodeDns?: NodeDns;
  /** Held credentials; the manager list in them is kept current (and written back). */
  creds: AgentCredentials;
  /** This node's certificate, which the transport presents. */
  tls: NodeCredentials;
  /** The cluster transport, dialling with this node's certificate. */
  transport: DirectoryTransport;
  /** The routing mesh's node-to-node port (0 or absent: this node runs no mesh). */
  dataPathPort?: number;
  drainDelayMs?: number;
  /** The DNS's upstreams, comma-separated (default: SWARMDECK_DNS_UPSTREAMS, else the host's resolv.conf). */
  dnsUpstreams?: string;
}

export interface AgentNode {
  agent: Agent;
  directory: ManagerDirectoryClient;
  renewer: CertificateRenewer;
  /** The node's routing mesh (process executor with a data path port only). */
  mesh?: NodeMesh;
  /** Ends the session; process tasks keep running for the next start to adopt unless keepTasks is false (leaving). */
  stop(opts?: { keepTasks?: boolean }): Promise<void>;
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
  // the node's embedded DNS: netns tasks ask it at their gateway, host-mode tasks at SWARMDECK_DNS
  // (a node process that made its executor made its DNS too, and keeps both across role changes)
  const ownDns =
    o.executor === 'process' && !o.processExecutor
      ? await startNodeDns({ upstreams: o.dnsUpstreams, router: o.netns })
      : undefined;
  const dns = ownDns ?? o.nodeDns;
  let processExecutor = o.processExecutor;
  if (!processExecutor && o.executor === 'process') {
    processExecutor = new ProcessExecutor({
      node: { ID: o.nodeID, Description: o.description },
      stateDir: join(o.dataDir, 'tasks'),
      ...(o.imageCatalog ? { catalogFile: o.imageCatalog } : {}),
      netns: o.netns,
      taskDns: dns,
    });
    // tasks a previous run left behind are adopted (or reported) before the first session
    await processExecutor.recover();
  }
  const executor: Executor = processExecutor ?? new SimExecutor();
  // the routing mesh: published ports on this node's address, and the tunnel other nodes reach its tasks by
  const meshHandle = nodeMesh({
    nodeID: o.nodeID,
    advertiseAddr: o.advertiseAddr,
    dataPathPort: o.dataPathPort ?? 0,
    tls: o.tls,
    ...(processExecutor ? { processExecutor } : {}),
    ...(o.drainDelayMs !== undefined ? { drainDelayMs: o.drainDelayMs } : {}),
    // netns mode: tasks' connections to service VIPs come in through the router
    ...(o.netns ? { vipPlane: o.netns } : {}),
  });
  const mesh = meshHandle?.mesh;
  await meshHandle?.start();
  // renewals go to the leader (any manager signs; the leader is the one this node talks to anyway)
  const renewer = new CertificateRenewer({
    credentials: o.tls,
    issue: async (csr) => {
      const to = directory.leader ?? (await directory.refresh());
      if (!to) throw new Error('no manager is reachable to renew the certificate');
      const answer = await o.transport.request(to, renewRequest(csr), RENEW_TIMEOUT_MS);
      if (!isRenewAnswer(answer)) throw new Error(`unexpected renewal answer from manager ${to}`);
      return answer;
    },
  });
  const agent = new Agent({
    nodeID: o.nodeID,
    dispatcher: new AgentSessionClient(o.transport, directory, undefined, (s) => renewer.observe(s)),
    executor,
    description: { ...o.description, TLSInfo: o.tls.tlsInfo() },
    addr: o.advertiseAddr,
    ...(mesh ? { mesh } : {}),
    ...(dns ? { onNetworkView: dns.setView } : {}),
  });
  const unwatchTLS = o.tls.onChange(() => agent.setTLSInfo(o.tls.tlsInfo()));
  // the leader asks for logs when someone reads them; the publisher sends what matches
  const logs = new LogPublisher({
    nodeID: o.nodeID,
    source: executor,
    broker: new RemoteLogBroker({ transport: o.transport, leader: () => directory.leader }),
  });
  // renewing does not wait for the session: a certificate near its end at start-up is renewed first
  renewer.start();
  await agent.start();
  logs.start();
  return {
    agent,
    directory,
    renewer,
    ...(mesh ? { mesh } : {}),
    stop: async (opts = {}) => {
      renewer.stop();
      unwatchTLS();
      await logs.stop();
      await agent.stop({ keepTasks: !!processExecutor && opts.keepTasks !== false });
      await meshHandle?.stop();
      await ownDns?.stop();
      // the router stays, like the tasks whose namespaces hang off it; the next start reconnects
      o.netns?.close();
    },
  };
}
