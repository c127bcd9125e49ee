// A process not in a swarm yet (--no-init): its Engine API answers `docker
// info`, `docker swarm init` and `docker swarm join`, which turn it into a
// manager or a worker.

import { networkInterfaces } from 'node:os';
import { SwarmError } from '../api/errors';
import { initSettings, type InitSettings } from '../manager/swarm-init';
import { createInactiveEngineHandler, type JoinBody } from '../http/engine/inactive';
import type { NodeProcess } from './node-process';

/** What a `docker swarm init` founds the swarm with. */
export interface SwarmInitOptions {
  /** `--cert-expiry`: the first node certificate's lifetime too. */
  nodeCertExpiryNs?: number;
  settings?: InitSettings;
}

export interface InactiveChoices {
  /** `docker swarm join`: resolves once this process is part of the joined swarm. */
  join(remote: string, token: string): Promise<void>;
  /** `docker swarm init`: resolves once this process manages a new swarm. */
  init(opts: SwarmInitOptions): Promise<void>;
  /** Whether this process already became something (a second init or join is refused). */
  busy(): boolean;
}

export function waitForSwarm(node: NodeProcess, choices: InactiveChoices): void {
  const { cfg } = node;
  node.setEngineHandler(
    createInactiveEngineHandler({
      join: async (body: JoinBody) => {
        const remote = body.RemoteAddrs![0]!;
        await choices.join(remote.includes(':') ? remote : `${remote}:2377`, body.JoinToken!);
      },
      init: async (req) => {
        if (choices.busy()) throw new SwarmError('Unavailable', 'This node is already part of a swarm.');
        // checked as dockerd checks it, against the addresses this process already has
        const settings = initSettings(req, {
          listenHost: cfg.listenHost,
          advertiseHost: cfg.advertiseAddr,
          clusterPort: cfg.clusterPort,
          interfaces: Object.fromEntries(
            Object.entries(networkInterfaces()).map(([name, list]) => [name, (list ?? []).map((a) => a.address)]),
          ),
        });
        // the schema refused a lifetime under swarm's minimum
        await choices.init({ nodeCertExpiryNs: req.Spec?.CAConfig?.NodeCertExpiry || undefined, settings });
        return node.nodeID;
      },
    }),
  );
  console.log(
    `swarmdeck waiting: not in a swarm (engine=tcp://${cfg.listenHost}:${cfg.enginePort} cluster=${node.clusterAddr}); ` +
      'run `docker swarm join --token <manager token> <manager cluster address>` against this engine',
  );
}
