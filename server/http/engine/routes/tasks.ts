import { listQuery, parseQuery } from '../../../api/schemas/engine-query';
import { sendJSON } from '../respond';
import type { Route } from '../router';

export const taskRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/tasks$/,
    handle: ({ ctx, res, query }) => sendJSON(res, 200, ctx.control.listTasks(parseQuery(listQuery, query).filters)),
  },
  {
    method: 'GET',
    pattern: /^\/tasks\/([^/]+)$/,
    handle: ({ ctx, res, params }) => sendJSON(res, 200, ctx.control.getTask(params[0]!)),
  },
];
