import { SwarmError } from '../../../api/errors';
import type { ClusterSpec } from '../../../api/types';
import { queryBool, queryVersion, readJSON } from '../request';
import { sendEmpty, sendJSON } from '../respond';
import type { Route } from '../router';
import { clusterInfo } from './system';

const ALREADY_IN_SWARM =
  'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.';
const LEAVE_MANAGER =
  'You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message.';

export const swarmRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/swarm$/,
    handle: ({ ctx, res }) => {
      const c = ctx.control.getCluster();
      sendJSON(res, 200, { ...clusterInfo(c), JoinTokens: c.JoinTokens });
    },
  },
  {
    method: 'POST',
    pattern: /^\/swarm\/(?:init|join)$/,
    handle: () => {
      // this process is always the manager of its own swarm
      throw new SwarmError('Unavailable', ALREADY_IN_SWARM);
    },
  },
  {
    method: 'POST',
    pattern: /^\/swarm\/leave$/,
    handle: ({ query }) => {
      if (!queryBool(query, 'force')) throw new SwarmError('Unavailable', LEAVE_MANAGER);
      throw new SwarmError(
        'Unavailable',
        'This manager cannot leave its own swarm; stop the swarmdeck process instead.',
      );
    },
  },
  {
    method: 'POST',
    pattern: /^\/swarm\/update$/,
    handle: async ({ ctx, req, res, query }) => {
      const version = queryVersion(query, 'swarm');
      const spec = ((await readJSON(req)) ?? {}) as ClusterSpec;
      await ctx.control.updateCluster(version, spec, {
        workerToken: queryBool(query, 'rotateWorkerToken'),
        managerToken: queryBool(query, 'rotateManagerToken'),
      });
      sendEmpty(res);
    },
  },
];
