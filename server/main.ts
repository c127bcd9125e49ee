// swarmdeck: one Node process that is a Swarm manager (store, log, control
// loops), its Engine API, its cluster port and its web console.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { cpus, hostname, totalmem, arch } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseConfig, usage, type Config } from './config';
import type { NodeDescription } from './api/types';
import { newID } from './api/ids';
import { openStore } from './store/open';
import { ensureSimWorkers, initCluster } from './manager/bootstrap';
import { LeaderLoops } from './manager/manager';
import { createDemoServices } from './manager/demo';
import { createControlApi } from './manager/controlapi';
import type { ManagerContext } from './manager/context';
import { readNodeID, writeNodeID } from './node-identity';
import { Agent } from './agent/agent';
import { SimExecutor } from './agent/executor/sim';
import { createEngineHandler } from './http/engine/server';
import { handleConsoleApi } from './http/console/api';
import { attachRealtime } from './realtime/gateway';
import { systemClock } from './util/clock';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function selfDescription(): NodeDescription {
  return {
    Hostname: hostname(),
    Platform: { Architecture: arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch(), OS: 'linux' },
    Resources: { NanoCPUs: cpus().length * 1e9, MemoryBytes: totalmem() },
    Engine: {
      EngineVersion: 'swarmdeck-0.1.0',
      Labels: { 'swarmdeck.executor': 'sim' },
      Plugins: [{ Type: 'Network', Name: 'overlay' }],
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function startConsole(cfg: Config, ctx: ManagerContext): Promise<{ server: Server; close(): Promise<void> }> {
  const { default: next } = await import('next');
  const app = next({ dev: cfg.dev, dir: ROOT, hostname: cfg.listenHost, port: cfg.consolePort });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handleConsoleApi(req, res, ctx)
      .then((handled) => {
        if (!handled) return handle(req, res);
      })
      .catch((err: unknown) => {
        console.error('console request failed', err);
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ message: 'internal error' }));
        }
      });
  });
  const realtime = attachRealtime(server, ctx);
  if (cfg.dev) {
    const upgrade = app.getUpgradeHandler();
    server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket.io')) void upgrade(req, socket, head);
    });
  }
  await listen(server, cfg.consolePort, cfg.listenHost);
  return {
    server,
    async close() {
      await realtime.close();
      await new Promise<void>((r) => server.close(() => r()));
      await app.close?.();
    },
  };
}

/** The cluster port: agents and managers dial it (remote sessions arrive with the real-nodes issue). */
function clusterPortHandler(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', role: 'manager' }));
    return;
  }
  res.writeHead(404, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ message: 'page not found' }));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
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
  const clock = systemClock;
  const opened = await openStore(cfg.dataDir);
  const { store } = opened;
  const clusterAddr = `${cfg.advertiseAddr}:${cfg.clusterPort}`;

  // First start is `docker swarm init`; later starts load everything back.
  let selfNodeID = readNodeID(cfg.dataDir);
  if (!selfNodeID) {
    selfNodeID = newID();
    writeNodeID(cfg.dataDir, selfNodeID);
  }
  const firstStart = store.view.count('cluster') === 0;
  if (firstStart) {
    await initCluster(store, { nodeID: selfNodeID, description: selfDescription(), addr: cfg.advertiseAddr });
    console.log(`swarm initialized: current node (${selfNodeID}) is now a manager`);
  }
  const sims = await ensureSimWorkers(store, cfg.simWorkers);

  const loops = new LeaderLoops(store, clock, selfNodeID);
  loops.start();

  const ctx: ManagerContext = {
    store,
    control: createControlApi(store, { selfNodeID, managerAddr: clusterAddr, isLeader: () => store.isLeader(), clock }),
    dispatcher: loops.dispatcher,
    clock,
    selfNodeID,
    advertiseAddr: cfg.advertiseAddr,
    clusterAddr,
    startedAt: clock.now(),
  };

  // Managers are workers too: an in-process agent for this node, plus the simulated workers.
  const agents = [
    new Agent({
      nodeID: selfNodeID,
      dispatcher: loops.dispatcher,
      executor: new SimExecutor(),
      description: selfDescription(),
      addr: cfg.advertiseAddr,
    }),
    ...sims.map(
      (s) =>
        new Agent({
          nodeID: s.id,
          dispatcher: loops.dispatcher,
          executor: new SimExecutor(),
          description: s.description,
          addr: '127.0.0.1',
        }),
    ),
  ];
  await Promise.all(agents.map((a) => a.start()));
  if (cfg.demo && firstStart) await createDemoServices(ctx.control);

  const engine = createServer(createEngineHandler(ctx));
  engine.keepAliveTimeout = 65_000;
  await listen(engine, cfg.enginePort, cfg.listenHost);
  const cluster = createServer(clusterPortHandler);
  await listen(cluster, cfg.clusterPort, cfg.listenHost);
  const consoleServer = cfg.console ? await startConsole(cfg, ctx) : undefined;

  console.log(
    `swarmdeck ready: node ${selfNodeID} (leader)` +
      (consoleServer ? ` console=http://${cfg.listenHost}:${cfg.consolePort}` : '') +
      ` engine=tcp://${cfg.listenHost}:${cfg.enginePort} cluster=${cfg.listenHost}:${cfg.clusterPort}` +
      ` sim-workers=${cfg.simWorkers}`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`swarmdeck: ${signal}, shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    engine.closeAllConnections?.();
    await Promise.all([
      new Promise<void>((r) => engine.close(() => r())),
      new Promise<void>((r) => cluster.close(() => r())),
      consoleServer?.close(),
    ]);
    await Promise.all(agents.map((a) => a.stop()));
    await loops.stop();
    await opened.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('swarmdeck failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
