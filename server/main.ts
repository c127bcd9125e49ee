// swarmdeck: one Node process that is a Swarm manager (store, log, control
// loops), its Engine API, its cluster port and its web console.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError, parseConfig, SECRET_ENV, usage, type Config } from './config';
import { secureDataDir } from './data-dir';
import { restrictUmask } from './util/private-files';
import { redactSecrets } from './util/redact';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { newID } from './api/ids';
import { SwarmError } from './api/errors';
import { requestJoin, WORKER_TOKEN_REFUSED, type JoinAnswer } from './manager/membership/join';
import { requestAgentJoin } from './manager/membership/agent-join';
import { startAgentNode, type AgentNode } from './agent-process/agent-node';
import { readAgentCredentials, writeAgentCredentials, type AgentCredentials } from './agent-process/credentials';
import { transportCredentials } from './manager/membership/credentials';
import { readNodeID, writeNodeID } from './node-identity';
import { readClusterCredentials, type ClusterCredentials } from './cluster-credentials';
import { ClusterMember, type MemberMode } from './cluster-member';
import { ClusterTransport } from './raft/transport';
import type { Message } from './raft/core';
import { createEngineHandler } from './http/engine/server';
import { createInactiveEngineHandler, createWorkerEngineHandler, type JoinBody } from './http/engine/inactive';
import { clusterPortHandler } from './cluster-port';
import { startConsole } from './console-server';
import { listen, prepareListeners } from './listen';
import { createHttpListener } from './net/http-listener';
import { selfDescription } from './self-description';
import { systemClock } from './util/clock';
import { ProcessExecutor } from './agent/executor/process';
import { SimExecutor } from './agent/executor/sim';

/** Transport timings on loopback: a dead peer shows Unreachable within ~3 s. */
const TRANSPORT_LIMITS = { pingIntervalMs: 500, deadAfterMs: 3_000 };

async function main(): Promise<void> {
  // Whatever this process creates is private to its user from the start (SQLite's files, anything
  // added later); the code gives explicit modes too. Tasks get a container's 022 back (process-state.ts).
  restrictUmask();
  const argv = process.argv.slice(2);
  if (argv[0] === 'agent') {
    // `swarmdeck agent …`: a worker node process, not a manager
    const { runAgent } = await import('./agent-process/main');
    return runAgent(argv.slice(1));
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage());
    return;
  }
  let cfg: Config;
  try {
    cfg = parseConfig(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`swarmdeck: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // read: no child process (a task's `--env NAME`, the console) may inherit the join token
  for (const name of SECRET_ENV) delete process.env[name];
  secureDataDir(cfg.dataDir);
  const clock = systemClock;
  const limits = prepareListeners(cfg);
  const clusterAddr = `${cfg.advertiseAddr}:${cfg.clusterPort}`;
  let selfNodeID = readNodeID(cfg.dataDir);
  if (!selfNodeID) {
    selfNodeID = newID();
    writeNodeID(cfg.dataDir, selfNodeID);
  }
  const nodeID = selfNodeID;
  const description = selfDescription(cfg.executor);
  // Managers are workers too: this node's own tasks run as real processes or simulated.
  const processExecutor =
    cfg.executor === 'process'
      ? new ProcessExecutor({ node: { ID: nodeID, Description: description }, stateDir: join(cfg.dataDir, 'tasks') })
      : undefined;
  // task state on disk: after a crash (kill -9) the processes still running are adopted, not started twice
  await processExecutor?.recover();
  const executor = processExecutor ?? new SimExecutor();

  // The cluster port comes first: a joiner must be reachable before the leader adds it.
  const credentials: { current?: ClusterCredentials; joinToken?: string; node?: AgentCredentials } = {
    current: readClusterCredentials(cfg.dataDir),
  };
  // a process that joined with the worker token is a worker node from then on
  const workerCreds = credentials.current ? undefined : readAgentCredentials(cfg.dataDir);
  let member: ClusterMember | undefined;
  const transport = new ClusterTransport<Message>({
    selfId: nodeID,
    selfAddr: clusterAddr,
    clock,
    limits: TRANSPORT_LIMITS,
    credentials: transportCredentials({
      current: () => credentials.current,
      joinToken: () => credentials.joinToken,
      cluster: () => member?.store.view.list('cluster')[0],
      removed: () => member?.log.status().conf.removed ?? [],
      isNode: (id) => member?.store.view.get('node', id)?.Role === 'worker',
      nodeKey: () => credentials.node,
    }),
  });
  const { server: cluster } = createHttpListener('cluster', limits.cluster, clusterPortHandler());
  transport.attach(cluster);
  await listen(cluster, cfg.clusterPort, cfg.listenHost);

  let engineHandler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: 'swarmdeck is starting' }));
  };
  const { server: engine } = createHttpListener('engine', limits.engine, (req, res) => engineHandler(req, res));
  await listen(engine, cfg.enginePort, cfg.listenHost);
  let consoleServer: { close(): Promise<void> } | undefined;

  const become = async (mode: MemberMode): Promise<ClusterMember> => {
    const m = await ClusterMember.start({
      dataDir: cfg.dataDir,
      selfNodeID: nodeID,
      advertiseAddr: cfg.advertiseAddr,
      clusterAddr,
      description,
      transport,
      credentials,
      clock,
      simWorkers: cfg.simWorkers,
      demo: cfg.demo,
      executor,
      mode,
      heartbeatPeriodMs: cfg.dispatcherHeartbeatMs || undefined,
      loopReportMs: Number(process.env.SWARMDECK_LOOP_REPORT_MS) || undefined,
    });
    member = m;
    engineHandler = createEngineHandler(m.ctx);
    consoleServer = cfg.console ? await startConsole(cfg, m.ctx, limits.console) : undefined;
    console.log(
      `swarmdeck ready: node ${nodeID} (${m.log.isLeader() ? 'leader' : 'follower'})` +
        (consoleServer ? ` console=http://${cfg.listenHost}:${cfg.consolePort}` : '') +
        ` engine=tcp://${cfg.listenHost}:${cfg.enginePort} cluster=${clusterAddr}` +
        ` sim-workers=${cfg.simWorkers}`,
    );
    return m;
  };

  let workerNode: AgentNode | undefined;
  /** A worker node: an agent in this process; the Engine API says cluster state lives on managers. */
  const becomeWorker = async (creds: AgentCredentials): Promise<void> => {
    credentials.node = creds;
    workerNode = await startAgentNode({
      nodeID,
      dataDir: cfg.dataDir,
      description,
      advertiseAddr: cfg.advertiseAddr,
      executor: cfg.executor,
      creds,
      transport,
    });
    const node = workerNode;
    engineHandler = createWorkerEngineHandler({
      nodeID,
      nodeAddr: cfg.advertiseAddr,
      managers: () => Object.values(node.directory.managers),
    });
    console.log(
      `swarmdeck ready: node ${nodeID} (worker) engine=tcp://${cfg.listenHost}:${cfg.enginePort} executor=${cfg.executor}`,
    );
  };

  /**
   * `docker swarm join` / --join: ask a manager to admit us. The manager token makes this process a
   * member; the worker token (`docker swarm join` only) makes it a worker node.
   */
  const joinSwarm = async (remote: string, token: string, asWorker = false): Promise<void> => {
    credentials.joinToken = token;
    try {
      let answer: JoinAnswer;
      try {
        answer = await requestJoin(transport, remote, { token, addr: clusterAddr, description });
      } catch (err) {
        if (!asWorker || !(err instanceof Error) || !err.message.includes(WORKER_TOKEN_REFUSED)) throw err;
        const admitted = await requestAgentJoin(transport, remote, { token, addr: cfg.advertiseAddr, description });
        const creds: AgentCredentials = { ...admitted };
        writeAgentCredentials(cfg.dataDir, creds);
        console.log(`swarmdeck: joined swarm ${admitted.clusterID} as a worker through ${remote}`);
        await becomeWorker(creds);
        return;
      }
      console.log(`swarmdeck: admitted to swarm ${answer.clusterID} by ${remote}; catching up`);
      await become({ kind: 'join', answer });
    } finally {
      credentials.joinToken = undefined;
    }
  };

  const initialised = !!credentials.current || existsSync(join(cfg.dataDir, 'swarmdeck.db'));
  if (workerCreds) {
    await becomeWorker(workerCreds);
  } else if (initialised) {
    await become({ kind: 'restart' });
  } else if (cfg.join) {
    try {
      await joinSwarm(cfg.join, cfg.token);
    } catch (err) {
      console.error(
        `swarmdeck: could not join ${cfg.join}: ${redactSecrets(err instanceof Error ? err.message : String(err))}`,
      );
      process.exit(1);
    }
  } else if (!cfg.init) {
    engineHandler = createInactiveEngineHandler({
      join: async (body: JoinBody) => {
        const remote = body.RemoteAddrs![0]!;
        await joinSwarm(remote.includes(':') ? remote : `${remote}:2377`, body.JoinToken!, true);
      },
      init: async () => {
        if (member || workerNode) throw new SwarmError('Unavailable', 'This node is already part of a swarm.');
        await become({ kind: 'init' });
        return nodeID;
      },
    });
    console.log(
      `swarmdeck waiting: not in a swarm (engine=tcp://${cfg.listenHost}:${cfg.enginePort} cluster=${clusterAddr}); ` +
        'run `docker swarm join --token <manager token> <manager cluster address>` against this engine',
    );
  } else {
    await become({ kind: 'init' });
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`swarmdeck: ${signal}, shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    engine.closeAllConnections?.();
    await Promise.all([new Promise<void>((r) => engine.close(() => r())), consoleServer?.close()]);
    await member?.close();
    // a worker's process tasks keep running for its next start to adopt
    await workerNode?.stop();
    // real task processes must not outlive their node's agent
    await processExecutor?.shutdownAll();
    await transport.close();
    cluster.closeAllConnections?.();
    await new Promise<void>((r) => cluster.close(() => r()));
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('swarmdeck failed to start:', redactSecrets(err instanceof Error ? err.message : String(err)));
  process.exit(1);
});
