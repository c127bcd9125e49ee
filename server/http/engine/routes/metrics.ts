// GET /metrics: this manager's Prometheus exposition on the Engine API port, as
// dockerd serves it on its --metrics-addr. Any Engine API client may read it
// (a --tlsverify viewer too: it holds counts, never names, IDs or secrets).

import { HttpError } from '../../http-error';
import { notServedMessage } from '../not-served';
import type { Route } from '../router';

export const metricsRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/metrics$/,
    handle: async ({ ctx, res }) => {
      // a context without metrics (route tests) answers as for any path it does not serve
      if (!ctx.metrics) throw new HttpError(404, notServedMessage('/metrics'));
      const { contentType, body } = await ctx.metrics.scrape();
      res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    },
  },
];
