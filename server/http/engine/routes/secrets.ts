// `/secrets` as dockerd serves it (api/server/router/swarm/cluster_routes.go
// over daemon/cluster/secrets.go). The control API blanks Spec.Data in every
// answer; the object goes out in moby's swarm.Secret field order.

import { listQuery, parseQuery, payloadUpdateQuery } from '../../../api/schemas/engine-query';
import { parseSecretSpec } from '../../../api/schemas/secret-spec';
import type { Secret } from '../../../api/types';
import { readJSON } from '../request';
import { sendEmpty, sendJSON } from '../respond';
import type { Route } from '../router';

/** swarm.Secret as dockerd encodes it (convert.SecretFromGRPC): never a Data field. */
export function secretJSON(s: Secret) {
  const { Name, Labels, Driver, Templating } = s.Spec;
  return {
    ID: s.ID,
    Version: s.Version,
    CreatedAt: s.CreatedAt,
    UpdatedAt: s.UpdatedAt,
    Spec: {
      Name,
      Labels: Labels ?? {},
      ...(Driver ? { Driver } : {}),
      ...(Templating ? { Templating } : {}),
    },
  };
}

export const secretRoutes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/secrets\/create$/,
    handle: async ({ ctx, req, res }) => {
      const s = await ctx.control.createSecret(parseSecretSpec(await readJSON(req)));
      sendJSON(res, 201, { ID: s.ID });
    },
  },
  {
    method: 'GET',
    pattern: /^\/secrets$/,
    handle: ({ ctx, res, query }) => {
      const { filters } = parseQuery(listQuery, query);
      sendJSON(res, 200, ctx.control.listSecrets(filters).map(secretJSON));
    },
  },
  {
    method: 'GET',
    pattern: /^\/secrets\/([^/]+)$/,
    handle: ({ ctx, res, params }) => {
      sendJSON(res, 200, secretJSON(ctx.control.getSecret(params[0]!)));
    },
  },
  {
    method: 'POST',
    pattern: /^\/secrets\/([^/]+)\/update$/,
    handle: async ({ ctx, req, res, params, query }) => {
      const spec = parseSecretSpec(await readJSON(req));
      const { version } = parseQuery(payloadUpdateQuery('secret'), query);
      await ctx.control.updateSecret(params[0]!, version, spec);
      sendEmpty(res, 200);
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/secrets\/([^/]+)$/,
    handle: async ({ ctx, res, params }) => {
      await ctx.control.removeSecret(params[0]!);
      sendEmpty(res, 204);
    },
  },
];
