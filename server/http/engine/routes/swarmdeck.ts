// Swarmdeck's own Engine API extensions, under /swarmdeck so they never meet a
// Docker path (like every route, also reachable with a /v1.NN prefix).
import { sendError, sendJSON } from '../respond';
import type { Route } from '../router';

export const swarmdeckRoutes: Route[] = [
  {
    // this manager's raft member in numbers (RaftHealth): tests, benchmarks, operators
    method: 'GET',
    pattern: /^\/swarmdeck\/raft$/,
    handle: ({ ctx, res }) => {
      if (!ctx.raftHealth) return sendError(res, 404, 'this manager runs no raft member');
      sendJSON(res, 200, ctx.raftHealth());
    },
  },
];
