// swarmdeck: one Node process that is a Swarm node. This file only reads the
// configuration and picks the role; each role's parts are wired in
// server/roles/ (manager, worker, not in a swarm yet, joining).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentNode } from './agent-process/agent-node';
import { readAgentCredentials } from './agent-process/credentials';
import { ConfigError, parseConfig, SECRET_ENV, usage, type Config } from './config';
import { secureDataDir } from './data-dir';
import type { MemberMode } from './cluster-member';
import { waitForSwarm, type SwarmInitOptions } from './roles/inactive';
import { joinSwarm } from './roles/joining';
import { waitForUnlock } from './roles/locked';
import { raftKeysLocked, type RaftKeyRing } from './storage/encryption/raft-key-ring';
import { startManager, type RunningManager } from './roles/manager';
import { startNodeProcess } from './roles/node-process';
import { startWorker } from './roles/worker';
import { forgetSwarm } from './roles/leave';
import { restrictUmask } from './util/private-files';
import { redactSecrets } from './util/redact';

function readConfig(argv: string[]): Config {
  try {
    return parseConfig(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`swarmdeck: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

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
  if (argv[0] === 'cert') {
    // `swarmdeck cert issue|engine …`: Engine API certificates from the swarm CA
    const { runCertCommand } = await import('./cert-command');
    process.exit(await runCertCommand(argv.slice(1)));
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage());
    return;
  }
  const cfg = readConfig(argv);
  // read: no child process (a task's `--env NAME`, the console) may inherit the join token
  for (const name of SECRET_ENV) delete process.env[name];
  secureDataDir(cfg.dataDir);
  const node = await startNodeProcess(cfg);
  let manager: RunningManager | undefined;
  let worker: AgentNode | undefined;
  // set below: stops the process (forgetting its identity after a `docker swarm leave`)
  let shutdown: (why: string, leaving?: boolean) => Promise<void> = async () => undefined;
  const left = () => void shutdown('left the swarm', true);
  const becomeManager = async (mode: MemberMode, init?: SwarmInitOptions, keys?: RaftKeyRing) => {
    manager = await startManager(node, mode, init, left, keys);
  };
  const joinThen = async (remote: string, token: string, asWorker: boolean) => {
    const joined = await joinSwarm(node, remote, token, asWorker);
    if (joined.kind === 'manager') await becomeManager({ kind: 'join', answer: joined.answer });
    else worker = await startWorker(node, joined.creds, left);
  };

  // a process that joined with the worker token is a worker node from then on
  const cert = node.tls.certificate;
  const workerCreds = cert?.role === 'worker' ? readAgentCredentials(cfg.dataDir) : undefined;
  const initialised = cert?.role === 'manager' || existsSync(join(cfg.dataDir, 'swarmdeck.db'));
  if (workerCreds) {
    worker = await startWorker(node, workerCreds, left);
  } else if (initialised && raftKeysLocked(cfg.dataDir)) {
    // autolock: nothing of the store opens until `docker swarm unlock` gives the key
    await waitForUnlock(node, {
      unlocked: async (keys) => {
        try {
          await becomeManager({ kind: 'restart' }, undefined, keys);
        } catch (err) {
          console.error('swarmdeck: the unlocked manager failed to start:', redactSecrets((err as Error).message));
          process.exit(1);
        }
      },
      leave: left,
    });
  } else if (initialised) {
    await becomeManager({ kind: 'restart' });
  } else if (cfg.join) {
    try {
      await joinThen(cfg.join, cfg.token, false);
    } catch (err) {
      console.error(
        `swarmdeck: could not join ${cfg.join}: ${redactSecrets(err instanceof Error ? err.message : String(err))}`,
      );
      process.exit(1);
    }
  } else if (!cfg.init) {
    waitForSwarm(node, {
      join: (remote, token) => joinThen(remote, token, true),
      init: (opts) => becomeManager({ kind: 'init' }, opts),
      busy: () => !!manager || !!worker,
    });
  } else {
    await becomeManager({ kind: 'init' });
  }

  let stopping = false;
  shutdown = async (signal: string, leaving = false) => {
    if (stopping) return;
    stopping = true;
    console.log(`swarmdeck: ${signal}, shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    node.engine.closeAllConnections?.();
    await new Promise<void>((r) => node.engine.close(() => r()));
    await manager?.close();
    // a worker's process tasks keep running for its next start to adopt
    await worker?.stop();
    // real task processes must not outlive their node's agent
    await node.processExecutor?.shutdownAll();
    await node.transport.close();
    node.clusterServer.closeAllConnections?.();
    await new Promise<void>((r) => node.clusterServer.close(() => r()));
    if (leaving) {
      forgetSwarm(cfg.dataDir);
      console.log(
        `swarmdeck: this node's identity is removed from ${cfg.dataDir}; start again to init or join a swarm`,
      );
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('swarmdeck failed to start:', redactSecrets(err instanceof Error ? err.message : String(err)));
  process.exit(1);
});
