// A process not in a swarm yet (--no-init): its Engine API answers `docker
// info`, `docker swarm init` and `docker swarm join`, which turn it into a
// manager or a worker.

import { SwarmError } from '../api/errors';
import { createInactiveEngineHandler, type JoinBody } from '../http/engine/inactive';
import type { NodeProcess } from './node-process';

export interface InactiveChoices {
  /** `docker swarm join`: resolves once this process is part of the joined swarm. */
  join(remote: string, token: string): Promise<void>;
  /** `docker swarm init`: resolves once this process manages a new swarm. */
  init(opts: { nodeCertExpiryNs?: number }): Promise<void>;
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
      init: async (opts) => {
        if (choices.busy()) throw new SwarmError('Unavailable', 'This node is already part of a swarm.');
        await choices.init(opts);
        return node.nodeID;
      },
    }),
  );
  console.log(
    `swarmdeck waiting: not in a swarm (engine=tcp://${cfg.listenHost}:${cfg.enginePort} cluster=${node.clusterAddr}); ` +
      'run `docker swarm join --token <manager token> <manager cluster address>` against this engine',
  );
}
