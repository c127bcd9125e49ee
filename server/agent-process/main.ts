// `swarmdeck agent`: one worker node as its own process. It joins with the
// worker token (once; then it holds a worker certificate, renewed in time),
// keeps a dispatcher session with the leader over the cluster port (mutual
// TLS) and runs its tasks as real processes (or simulated ones). Task
// processes outlive the agent and are adopted by its next start, like
// containers under a restarted daemon.

import { arch, cpus, hostname, totalmem } from 'node:os';
import { newID } from '../api/ids';
import { EXECUTOR_LABEL } from '../api/node-labels';
import type { NodeDescription } from '../api/types';
import { NETWORK_MODE_LABEL, type NodeNetworkMode } from '../api/network-view';
import { routerRunDir, startTaskNetworking } from '../agent/executor/netns/detect';
import { readNodeID, writeNodeID } from '../node-identity';
import { NodeCredentials, nodeSecurity } from '../node-tls';
import { ClusterTransport } from '../raft/transport';
import { meshLabels } from '../agent/mesh/node-mesh-setup';
import { startAgentNode } from './agent-node';
import { secureDataDir } from '../data-dir';
import { restrictUmask } from '../util/private-files';
import { redactSecrets } from '../util/redact';

import { joinAsWorker } from './join-worker';
import { forgetSwarm } from '../roles/leave';
import { LEAVE_SIGNAL, leaveFromCommandLine, removeAgentPid, writeAgentPid } from './leave';
import { AGENT_SECRET_ENV, AgentConfigError, agentUsage, parseAgentConfig, type AgentConfig } from './config';
import { readAgentCredentials, writeAgentCredentials, type AgentCredentials } from './credentials';

/** Same loopback-friendly transport timings as the managers: a dead manager is noticed within ~3 s. */
const TRANSPORT_LIMITS = { pingIntervalMs: 500, deadAfterMs: 3_000 };

export function agentDescription(cfg: AgentConfig, networkMode: NodeNetworkMode = 'host'): NodeDescription {
  const a = arch();
  return {
    Hostname: cfg.hostname,
    Platform: { Architecture: a === 'x64' ? 'x86_64' : a === 'arm64' ? 'aarch64' : a, OS: 'linux' },
    // the host's real capacity: the scheduler's resource filter uses it
    Resources: {
      NanoCPUs: cpus().length * 1e9,
      MemoryBytes: totalmem(),
      ...(cfg.genericResources.length ? { GenericResources: cfg.genericResources } : {}),
    },
    Engine: {
      EngineVersion: 'swarmdeck-0.1.0',
      Labels: {
        ...cfg.labels,
        [EXECUTOR_LABEL]: cfg.executor,
        [NETWORK_MODE_LABEL]: networkMode,
        // other nodes' meshes reach this one's tasks through its tunnel on this port
        ...meshLabels(cfg.executor, cfg.dataPathPort),
      },
      Plugins: [{ Type: 'Network', Name: 'overlay' }],
    },
  };
}

export async function runAgent(argv: string[]): Promise<void> {
  // private files from the start; tasks get a container's umask back (process-state.ts)
  restrictUmask();
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(agentUsage());
    return;
  }
  const leaving = argv[0] === 'leave';
  if (leaving) argv = argv.slice(1);
  let cfg: AgentConfig;
  try {
    cfg = parseAgentConfig(argv, process.env, hostname().split('.')[0] || 'localhost');
  } catch (err) {
    if (err instanceof AgentConfigError) {
      process.stderr.write(`swarmdeck agent: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // `swarmdeck agent leave [--data-dir DIR]`: ask the agent running there to leave
  if (leaving) process.exit(await leaveFromCommandLine(cfg.dataDir));
  // read: no task (`--env SWARMDECK_AGENT_TOKEN`) may inherit the join token
  for (const name of AGENT_SECRET_ENV) delete process.env[name];
  secureDataDir(cfg.dataDir);

  const tls = await NodeCredentials.load(cfg.dataDir);
  let creds: AgentCredentials | undefined = readAgentCredentials(cfg.dataDir);
  const kept = readNodeID(cfg.dataDir);
  const cert = tls.certificate;
  if (creds && (creds.nodeID !== kept || cert?.nodeID !== creds.nodeID || cert.role !== 'worker')) {
    if (!cert) console.error('swarmdeck agent: this data dir holds no certificate (an agent from before mutual TLS)');
    creds = undefined;
  }
  // the node ID goes with the certificate: joining (again) is always as a new node
  const nodeID = creds ? creds.nodeID : newID();
  if (!creds) writeNodeID(cfg.dataDir, nodeID);
  // once at start: netns mode where rootless namespaces work (simulated tasks have no network)
  const networking =
    cfg.executor === 'process'
      ? await startTaskNetworking(routerRunDir(cfg.dataDir), cfg.networkMode)
      : { mode: 'host' as const, reason: 'simulated tasks', router: undefined };
  const description = agentDescription(cfg, networking.mode);

  const transport = new ClusterTransport({
    selfId: nodeID,
    // agents accept no connections; the port part only satisfies the handshake's host:port
    selfAddr: `${cfg.advertiseAddr}:0`,
    limits: TRANSPORT_LIMITS,
    security: nodeSecurity(tls),
  });

  if (!creds) {
    if (!cfg.join || !cfg.token) {
      process.stderr.write(
        'swarmdeck agent: not part of a swarm yet: give --join HOST:PORT and --token <worker token> (or --token-file)\n',
      );
      process.exit(2);
    }
    try {
      creds = await joinAsWorker({
        transport,
        tls,
        remote: cfg.join,
        token: cfg.token,
        nodeID,
        addr: cfg.advertiseAddr,
        description,
      });
      writeAgentCredentials(cfg.dataDir, creds);
      console.log(`swarmdeck agent: node ${nodeID} joined swarm ${creds.clusterID} as a worker`);
    } catch (err) {
      const why = redactSecrets(err instanceof Error ? err.message : String(err));
      console.error(`swarmdeck agent: could not join ${cfg.join}: ${why}`);
      process.exit(1);
    }
  }
  const node = await startAgentNode({
    nodeID,
    dataDir: cfg.dataDir,
    description,
    advertiseAddr: cfg.advertiseAddr,
    executor: cfg.executor,
    imageCatalog: cfg.imageCatalog || undefined,
    dataPathPort: cfg.dataPathPort,
    drainDelayMs: cfg.drainDelayMs,
    dnsUpstreams: cfg.dnsUpstreams || undefined,
    netns: networking.router,
    creds,
    tls,
    transport,
  });
  console.log(
    `swarmdeck agent ready: node ${nodeID} (${cfg.hostname}) executor=${cfg.executor} network=${networking.mode}` +
      `${networking.reason ? ` (${networking.reason})` : ''} leader=${node.directory.leader ?? '?'}`,
  );

  writeAgentPid(cfg.dataDir);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`swarmdeck agent: ${signal}, stopping (process tasks keep running and are adopted on restart)`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await node.stop();
    await transport.close();
    removeAgentPid(cfg.dataDir);
    process.exit(0);
  };
  // `swarmdeck agent leave`: the node's tasks stop, its session ends and its identity goes
  const leave = async () => {
    if (stopping) return;
    stopping = true;
    console.log('swarmdeck agent: leaving the swarm (its tasks are stopped)');
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    await node.stop({ keepTasks: false });
    await transport.close();
    forgetSwarm(cfg.dataDir);
    removeAgentPid(cfg.dataDir);
    console.log(`swarmdeck agent: left the swarm; its identity is removed from ${cfg.dataDir}`);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on(LEAVE_SIGNAL, () => void leave());
}

// run directly (tsx server/agent-process/main.ts …) or through `swarmdeck agent …`
if (process.argv[1] && /agent-process[/\\]main\.ts$/.test(process.argv[1])) {
  runAgent(process.argv.slice(2)).catch((err: unknown) => {
    console.error('swarmdeck agent failed:', redactSecrets(err instanceof Error ? err.message : String(err)));
    process.exit(1);
  });
}
