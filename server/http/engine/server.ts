// The Docker-compatible Engine API: what the unmodified `docker` CLI talks to
// for swarm-mode commands. A plain node:http handler over the control API.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ManagerContext } from '../../manager/context';
import { SwarmError } from '../../api/errors';
import { HttpError } from '../http-error';
import { engineRequestHandler } from './front-door';
import { notServedMessage } from './not-served';
import { API_VERSION, MIN_API_VERSION } from './respond';
import { engineRoleRefusal } from './engine-roles';
import { findRoute, type Route } from './router';
import { engineClientOf } from './tls-listener';
import { engineActor, noteRefusals } from './audit-door';
import { runAs } from '../../store/audit-context';
import { configRoutes } from './routes/configs';
import { distributionRoutes } from './routes/distribution';
import { eventRoutes } from './routes/events';
import { logRoutes } from './routes/logs';
import { networkRoutes } from './routes/networks';
import { nodeRoutes } from './routes/nodes';
import { secretRoutes } from './routes/secrets';
import { serviceRoutes } from './routes/services';
import { swarmRoutes } from './routes/swarm';
import { swarmdeckRoutes } from './routes/swarmdeck';
import { systemRoutes } from './routes/system';
import { taskRoutes } from './routes/tasks';
import { metricsRoutes } from './routes/metrics';
import type { RequestObserver } from '../../metrics/manager-metrics';
import { routeTemplate } from '../../metrics/route-template';

export const ENGINE_ROUTES: readonly Route[] = [
  ...systemRoutes,
  ...swarmRoutes,
  ...nodeRoutes,
  ...serviceRoutes,
  ...taskRoutes,
  ...networkRoutes,
  ...secretRoutes,
  ...configRoutes,
  ...logRoutes,
  ...eventRoutes,
  ...distributionRoutes,
  ...swarmdeckRoutes,
  ...metricsRoutes,
];

/** `leader` or `follower`: which replica answered a read. */
export const REPLICA_HEADER = 'X-Swarmdeck-Replica';

const VERSIONED = /^\/v(\d+)\.(\d+)(\/.*)?$/;

function versionNumber(v: string): [number, number] {
  const [a, b] = v.split('.').map(Number);
  return [a ?? 0, b ?? 0];
}
function compareVersions(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

/**
 * Strip a `/v1.NN` prefix, refusing versions outside 1.24…1.50 as moby
 * does. Returns the bare path, or an error message.
 */
export function stripVersion(path: string): { path: string } | { error: string } {
  const m = VERSIONED.exec(path);
  if (!m) return { path };
  const requested = `${Number(m[1])}.${Number(m[2])}`;
  const v: [number, number] = [Number(m[1]), Number(m[2])];
  if (compareVersions(v, versionNumber(API_VERSION)) > 0)
    return { error: `client version ${requested} is too new. Maximum supported API version is ${API_VERSION}` };
  if (compareVersions(v, versionNumber(MIN_API_VERSION)) < 0)
    return {
      error: `client version ${requested} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    };
  return { path: m[3] ?? '/' };
}

/** The route label of a request that matched no route (or was refused before routing). */
export const UNROUTED = 'unrouted';

export function createEngineHandler(
  ctx: ManagerContext,
  routes: readonly Route[] = ENGINE_ROUTES,
  /** Where each answered request is counted and timed (the /metrics counters). */
  metrics?: RequestObserver,
): (req: IncomingMessage, res: ServerResponse) => void {
  // each request's route template, once it is routed (the metrics' label: never a raw ID)
  const routed = new WeakMap<ServerResponse, string>();
  const handler = engineRequestHandler((req, res, target) => {
    // reads come from this manager's replica: say whose (writes go to the leader either way)
    if (ctx.replica && (req.method === 'GET' || req.method === 'HEAD')) res.setHeader(REPLICA_HEADER, ctx.replica());
    const stripped = stripVersion(target.path);
    if ('error' in stripped) throw new SwarmError('InvalidArgument', stripped.error);
    const method = req.method ?? 'GET';
    const found = findRoute(routes, method, stripped.path);
    if (!found) throw new HttpError(404, notServedMessage(stripped.path));
    routed.set(res, routeTemplate(found.route.pattern));
    // the request's writes are its client's in the audit log; a refused write is noted
    const audit = { actor: engineActor(req), action: `${method} ${stripped.path}`.slice(0, 300) };
    noteRefusals(res, method, audit, ctx.audit);
    // a --tlsverify client acts in its certificate's role
    const client = engineClientOf(req);
    const refusal = client && engineRoleRefusal(client.role, method, stripped.path);
    if (refusal) throw new HttpError(403, refusal);
    return runAs(audit, () => found.route.handle({ ctx, req, res, params: found.params, query: target.query }));
  });
  if (!metrics) return handler;
  return (req, res) => {
    const started = process.hrtime.bigint();
    // 'close' comes for every request, answered or cut off (a streaming route ends there)
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observeRequest(req.method ?? 'GET', routed.get(res) ?? UNROUTED, res.statusCode, seconds);
    });
    handler(req, res);
  };
}
