// A manager restarted with autolock on: its raft keys open only with the
// unlock key, so it holds no store yet. Its Engine API answers `docker info`
// (locked), `docker swarm unlock` and `docker swarm leave --force`, and every
// other swarm route with dockerd's errSwarmLocked; its console port says it is
// locked. The right key turns it into the manager it was, state intact.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLockedEngineHandler } from '../http/engine/inactive';
import { HttpError } from '../http/http-error';
import { listen } from '../listen';
import { createHttpListener } from '../net/http-listener';
import { InvalidKekError, InvalidKeyStringError, SWARM_LOCKED_MESSAGE } from '../storage/encryption/errors';
import { unlockRaftKeys, type RaftKeyRing } from '../storage/encryption/raft-key-ring';
import type { NodeProcess } from './node-process';

export interface LockedChoices {
  /** The unlock key opened the raft keys: resolves once this process serves as the manager again. */
  unlocked(keys: RaftKeyRing): Promise<void>;
  /** `docker swarm leave --force`: stop and forget this node's identity. */
  leave(): void;
}

/** The console port while locked: a 503 with swarm's text (JSON for API calls, plain text for a browser). */
export function lockedConsole(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  const json = (req.url ?? '').startsWith('/api/') || /json/.test(req.headers.accept ?? '');
  const body = json ? JSON.stringify({ message: SWARM_LOCKED_MESSAGE }) : `${SWARM_LOCKED_MESSAGE}\n`;
  res.writeHead(503, {
    'Content-Type': json ? 'application/json' : 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function openKeys(dataDir: string, unlockKey: string): RaftKeyRing {
  try {
    return unlockRaftKeys(dataDir, unlockKey);
  } catch (err) {
    // dockerd: a malformed key is an invalid parameter (400), a wrong one invalidUnlockKey (401)
    if (err instanceof InvalidKeyStringError) throw new HttpError(400, err.message);
    if (err instanceof InvalidKekError) throw new HttpError(401, err.message);
    throw err;
  }
}

export async function waitForUnlock(node: NodeProcess, choices: LockedChoices): Promise<void> {
  const { cfg } = node;
  const consoleServer = cfg.console
    ? createHttpListener('console', node.limits.console, lockedConsole).server
    : undefined;
  if (consoleServer) await listen(consoleServer, cfg.consolePort, cfg.listenHost);
  const closeConsole = async () => {
    if (!consoleServer?.listening) return;
    consoleServer.closeAllConnections();
    await new Promise<void>((r) => consoleServer.close(() => r()));
  };
  node.setEngineHandler(
    createLockedEngineHandler({
      nodeID: node.nodeID,
      nodeAddr: cfg.advertiseAddr,
      unlock: async (unlockKey) => {
        const keys = openKeys(cfg.dataDir, unlockKey);
        console.log('swarmdeck: unlocked; starting the manager');
        // the real console takes the port over
        await closeConsole();
        await choices.unlocked(keys);
      },
      leave: () => {
        void closeConsole();
        choices.leave();
      },
    }),
  );
  console.log(
    `swarmdeck locked: node ${node.nodeID} (engine=tcp://${cfg.listenHost}:${cfg.enginePort}); autolock is on: ` +
      'run `docker swarm unlock` against this engine with the unlock key',
  );
}
