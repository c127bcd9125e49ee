import { forceQuery, listQuery, nodeUpdateQuery, parseQuery } from '../../../api/schemas/engine-query';
import { parseNodeSpec } from '../../../api/schemas/node-spec';
import { readJSON } from '../request';
import { sendEmpty, sendJSON } from '../respond';
import type { Route } from '../router';

export const nodeRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/nodes$/,
    handle: ({ ctx, res, query }) => sendJSON(res, 200, ctx.control.listNodes(parseQuery(listQuery, query).filters)),
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
      const spec = parseNodeSpec(await readJSON(req));
      const { version } = parseQuery(nodeUpdateQuery, query);
      await ctx.control.updateNode(params[0]!, version, spec);
      sendEmpty(res);
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/nodes\/([^/]+)$/,
    handle: async ({ ctx, res, params, query }) => {
      await ctx.control.removeNode(params[0]!, parseQuery(forceQuery, query).force);
      sendEmpty(res);
    },
  },
];
