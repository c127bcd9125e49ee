import { SwarmError } from '../../../api/errors';
import { parseClusterSpec } from '../../../api/schemas/cluster-spec';
import { forceQuery, parseQuery, swarmUpdateQuery } from '../../../api/schemas/engine-query';
import { parseInitRequest, parseJoinRequest } from '../../../api/schemas/swarm-requests';
import { readJSON } from '../request';
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
    pattern: /^\/swarm\/(init|join)$/,
    handle: async ({ req, params }) => {
      // dockerd decodes and checks the body first; this process is always the manager of its own swarm
      const body = await readJSON(req);
      if (params[0] === 'init') parseInitRequest(body);
      else parseJoinRequest(body);
      throw new SwarmError('Unavailable', ALREADY_IN_SWARM);
    },
  },
  {
    method: 'POST',
    pattern: /^\/swarm\/leave$/,
    handle: ({ query }) => {
      if (!parseQuery(forceQuery, query).force) throw new SwarmError('Unavailable', LEAVE_MANAGER);
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
      const spec = parseClusterSpec(await readJSON(req));
      const q = parseQuery(swarmUpdateQuery, query);
      await ctx.control.updateCluster(q.version, spec, {
        workerToken: q.rotateWorkerToken,
        managerToken: q.rotateManagerToken,
      });
      sendEmpty(res);
    },
  },
];
