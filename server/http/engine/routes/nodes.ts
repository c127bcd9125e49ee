import { forceQuery, listQuery, nodeUpdateQuery, parseQuery } from '../../../api/schemas/engine-query';
import { parseNodeSpec } from '../../../api/schemas/node-spec';
import { readJSON } from '../request';
import { sendEmpty, sendJSON } from '../respond';
import type { Route } from '../router';
import { HttpError } from '../../http-error';
import { engineClientOf } from '../tls-listener';

const sameLabels = (a: Record<string, string> = {}, b: Record<string, string> = {}) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

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
      // an operator drains, pauses and activates; a role or labels are an admin's to change
      if (engineClientOf(req)?.role === 'operator') {
        const { Spec } = ctx.control.getNode(params[0]!);
        if (spec.Role !== Spec.Role || !sameLabels(spec.Labels, Spec.Labels) || (spec.Name ?? '') !== (Spec.Name ?? ''))
          throw new HttpError(
            403,
            "permission denied: role operator may change only a node's availability (active, pause, drain); its role, name and labels need the admin role",
          );
      }
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
