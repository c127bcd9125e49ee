import { SwarmError } from '../../../api/errors';
import { parseClusterSpec } from '../../../api/schemas/cluster-spec';
import { forceQuery, parseQuery, swarmUpdateQuery } from '../../../api/schemas/engine-query';
import { parseInitRequest, parseJoinRequest } from '../../../api/schemas/swarm-requests';
import type { ManagerContext } from '../../../manager/context';
import { managerLeaveRefusal, type LeaveManager } from '../../../manager/membership/leave';
import { HttpError } from '../../http-error';
import { readJSON } from '../request';
import { sendEmpty, sendJSON } from '../respond';
import { mayReadJoinTokens } from '../engine-roles';
import type { Route } from '../router';
import { engineClientOf } from '../tls-listener';
import { clusterInfo } from './system';

const ALREADY_IN_SWARM =
  'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.';

/** The managers as `docker node ls` shows them here (none known without a leader, as dockerd's failed listing). */
function managersSeen(ctx: ManagerContext): LeaveManager[] {
  const view = ctx.membership?.();
  if (!view) return [{ self: true, reachable: true }];
  if (!view.leader) return [];
  return view.members.filter((m) => m.voter).map((m) => ({ self: m.id === view.selfID, reachable: m.reachable }));
}

export const swarmRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/swarm$/,
    handle: ({ ctx, req, res }) => {
      const c = ctx.control.getCluster();
      // tokens are an admin's to see (an unidentified client is local, or TLS without verify)
      const tokens = mayReadJoinTokens(engineClientOf(req)?.role) ? c.JoinTokens : { Worker: '', Manager: '' };
      sendJSON(res, 200, { ...clusterInfo(c), JoinTokens: tokens });
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
    handle: async ({ ctx, res, query }) => {
      if (!parseQuery(forceQuery, query).force)
        throw new SwarmError('Unavailable', managerLeaveRefusal(managersSeen(ctx)));
      if (!ctx.leaveSwarm) throw new SwarmError('Unavailable', 'This manager cannot leave its swarm');
      const stop = await ctx.leaveSwarm();
      sendEmpty(res);
      // the process stops only once the CLI has its answer
      res.once('finish', stop);
    },
  },
  {
    // admins only (engine-roles.ts); without autolock there is no key and the CLI says "no unlock key is set"
    method: 'GET',
    pattern: /^\/swarm\/unlockkey$/,
    handle: ({ ctx, res }) => sendJSON(res, 200, { UnlockKey: ctx.control.getCluster().ManagerUnlockKey ?? '' }),
  },
  {
    // dockerd's notLockedError: a manager serving these routes is unlocked (a locked one answers in locked.ts)
    method: 'POST',
    pattern: /^\/swarm\/unlock$/,
    handle: ({ req }) => {
      req.resume();
      throw new HttpError(409, 'swarm is not locked');
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
        managerUnlockKey: q.rotateManagerUnlockKey,
      });
      sendEmpty(res);
    },
  },
];
