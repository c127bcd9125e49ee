import { parseFilters } from '../request';
import { sendJSON } from '../respond';
import type { Route } from '../router';

export const taskRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/tasks$/,
    handle: ({ ctx, res, query }) => sendJSON(res, 200, ctx.control.listTasks(parseFilters(query))),
  },
  {
    method: 'GET',
    pattern: /^\/tasks\/([^/]+)$/,
    handle: ({ ctx, res, params }) => sendJSON(res, 200, ctx.control.getTask(params[0]!)),
  },
];
