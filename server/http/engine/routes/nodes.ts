import type { NodeSpec } from '../../../api/types';
import { parseFilters, queryBool, queryVersion, readJSON } from '../request';
import { sendEmpty, sendJSON } from '../respond';
import type { Route } from '../router';

export const nodeRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/nodes$/,
    handle: ({ ctx, res, query }) => sendJSON(res, 200, ctx.control.listNodes(parseFilters(query))),
  },
  {
    method: 'GET',
    pattern: /^\/nodes\/([^/]+)$/,
    handle: ({ ctx, res, params }) => sendJSON(res, 200, ctx.control.getNode(params[0]!)),
  },
  {
    method: 'POST',
    pattern: /^\/nodes\/([^/]+)\/update$/,
    handle: async ({ ctx, req, res, params, query }) => {
      const version = queryVersion(query, 'node');
      const spec = ((await readJSON(req)) ?? {}) as NodeSpec;
      await ctx.control.updateNode(params[0]!, version, spec);
      sendEmpty(res);
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/nodes\/([^/]+)$/,
    handle: async ({ ctx, res, params, query }) => {
      await ctx.control.removeNode(params[0]!, queryBool(query, 'force'));
      sendEmpty(res);
    },
  },
];
