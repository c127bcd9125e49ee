// `/configs` as dockerd serves it (api/server/router/swarm/cluster_routes.go
// over daemon/cluster/configs.go). A config's Data is returned, as Docker does.

import { parseConfigSpec } from '../../../api/schemas/config-spec';
import { listQuery, parseQuery, payloadUpdateQuery } from '../../../api/schemas/engine-query';
import type { Config } from '../../../api/types';
import { readJSON } from '../request';
import { sendEmpty, sendJSON } from '../respond';
import type { Route } from '../router';

/** swarm.Config as dockerd encodes it (convert.ConfigFromGRPC). */
export function configJSON(c: Config) {
  const { Name, Labels, Data, Templating } = c.Spec;
  return {
    ID: c.ID,
    Version: c.Version,
    CreatedAt: c.CreatedAt,
    UpdatedAt: c.UpdatedAt,
    Spec: {
      Name,
      Labels: Labels ?? {},
      ...(Data ? { Data } : {}),
      ...(Templating ? { Templating } : {}),
    },
  };
}

export const configRoutes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/configs\/create$/,
    handle: async ({ ctx, req, res }) => {
      const c = await ctx.control.createConfig(parseConfigSpec(await readJSON(req)));
      sendJSON(res, 201, { ID: c.ID });
    },
  },
  {
    method: 'GET',
    pattern: /^\/configs$/,
    handle: ({ ctx, res, query }) => {
      const { filters } = parseQuery(listQuery, query);
      sendJSON(res, 200, ctx.control.listConfigs(filters).map(configJSON));
    },
  },
  {
    method: 'GET',
    pattern: /^\/configs\/([^/]+)$/,
    handle: ({ ctx, res, params }) => {
      sendJSON(res, 200, configJSON(ctx.control.getConfig(params[0]!)));
    },
  },
  {
    method: 'POST',
    pattern: /^\/configs\/([^/]+)\/update$/,
    handle: async ({ ctx, req, res, params, query }) => {
      const spec = parseConfigSpec(await readJSON(req));
      const { version } = parseQuery(payloadUpdateQuery('config'), query);
      await ctx.control.updateConfig(params[0]!, version, spec);
      sendEmpty(res, 200);
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/configs\/([^/]+)$/,
    handle: async ({ ctx, res, params }) => {
      await ctx.control.removeConfig(params[0]!);
      sendEmpty(res, 204);
    },
  },
];
