import { API_JSON_BOUNDS } from '../../net/bounded-json';
import { HttpError } from '../http-error';
import { readJSONBody } from '../json-body';
import { refuseBrowserRequest } from '../request-guard';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SequenceConflict, SwarmError } from '../../api/errors';
import { taskScopeMatcher, type ConsoleState, type TaskScope } from '../../api/realtime';
import { parseTaskScope } from '../../api/schemas/realtime-hello';
import {
  applyUpdateForm,
  formToServiceSpec,
  summarizeVersion,
  type ServiceVersionsBody,
  type UpdateServiceForm,
  labelKeyProblem,
  type CreateServiceForm,
  type ConfigDataBody,
  type JoinTokensBody,
} from '../../api/console';
import { labelsWithSettings } from '../../api/cluster-settings';
import {
  availabilityBodySchema,
  imageBodySchema,
  labelBodySchema,
  parseConsoleBody,
  restoreBodySchema,
  rotateTokenBodySchema,
  scaleBodySchema,
  swarmSettingsBodySchema,
} from '../../api/schemas/console-bodies';
import type { Labels, Service, ServiceSpec, ServiceVersion } from '../../api/types';
import type { ManagerContext } from '../../manager/context';
import { currentVersion, versionsOf } from '../../manager/spec-history';
import { fullRaftFrame } from '../../realtime/raft-frames';
import { consoleDecorator, redactImage } from '../../realtime/redact';
import { streamConsoleLogs } from './logs';
import { objectEvents } from './events';
import { serveAudit, watchConsoleRefusals } from './audit';
import type { Role } from '../../api/access';
import type { Actor } from '../../api/audit';
import type { ConsoleAuth } from '../../auth/console-auth';
import { AuthError } from '../../auth/auth-error';
import { sessionCookie, setSessionCookie } from '../../auth/cookies';
import { actorOf, seesSecrets } from '../../auth/principal';
import { peerAddress } from '../../net/connection-gate';
import { runAs } from '../../store/audit-context';
import { AUTH_HANDLERS, isSecure } from './auth-routes';
import { consoleRefusal, matchConsoleRoute } from './console-roles';

/** The contract's 401 for every gated route without a session. */
export const LOG_IN_FIRST = 'log in first';

function send(res: ServerResponse, status: number, body: unknown): void {
  const data = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(data),
  });
  res.end(data);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  // JSON only: a cross-site HTML form cannot send it without a CORS preflight
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
    throw new HttpError(415, 'expected Content-Type: application/json');
  return (await readJSONBody(req, API_JSON_BOUNDS)) ?? null;
}

/**
 * The redacted store image the console loads first (same shape as the socket snapshot), with
 * every task or, for `?services=a,b` (or `?services=` for none), those services' tasks only.
 */
export function consoleState(
  ctx: ManagerContext,
  role: Role = 'admin',
  scope: TaskScope = 'all',
): ConsoleState & { tasks: TaskScope } {
  const redacted = redactImage(
    ctx.store.view.image() as ConsoleState,
    consoleDecorator(ctx.selfNodeID, ctx.clusterAddr, ctx.managerStatus),
  );
  const inScope = taskScopeMatcher(scope);
  const objects = {
    ...redacted.objects,
    secret: seesSecrets(role) ? redacted.objects.secret : [],
    task: scope === 'all' ? redacted.objects.task : redacted.objects.task.filter((t) => inScope(t.ServiceID)),
  };
  const state = { ...redacted, objects, tasks: scope };
  // a follower serves its replica (actions still work: they go to the leader)
  const withReplica = ctx.replica ? { ...state, replica: ctx.replica() } : state;
  return ctx.raft ? { ...withReplica, raft: fullRaftFrame(ctx.raft) } : withReplica;
}

/**
 * A console action carries the user's intent ("scale to 5"), not a version
 * they saw, so losing a race to a control loop's write (the updater stamping
 * UpdateStatus, say) is retried on a fresh read rather than reported.
 */
async function withFreshVersion<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!(err instanceof SequenceConflict) || attempt >= 5) throw err;
    }
  }
}

/** Change a node's labels on a fresh read of it, like `docker node update --label-add/--label-rm`. */
async function editNodeLabels(ctx: ManagerContext, ref: string, edit: (labels: Labels) => Labels): Promise<string> {
  const node = await withFreshVersion(() => {
    const cur = ctx.control.getNode(ref);
    return ctx.control.updateNode(cur.ID, cur.Version.Index, { ...cur.Spec, Labels: edit(cur.Spec.Labels ?? {}) });
  });
  return node.ID;
}

/** The join tokens, for the add-a-node panel only (the socket carries the cluster redacted). */
function joinTokens(ctx: ManagerContext): JoinTokensBody {
  const { Worker, Manager } = ctx.control.getCluster().JoinTokens;
  return { ClusterAddr: ctx.clusterAddr, JoinTokens: { Worker, Manager } };
}

/** A service's spec history without event logs (those come per version). */
function serviceVersions(ctx: ManagerContext, ref: string): ServiceVersionsBody {
  const svc = ctx.control.getService(ref);
  const view = ctx.store.view;
  return {
    ServiceID: svc.ID,
    CurrentID: currentVersion(view, svc)?.ID,
    Versions: versionsOf(view, svc.ID).map(summarizeVersion),
  };
}

function findVersion(ctx: ManagerContext, serviceID: string, versionID: string): ServiceVersion {
  const v = ctx.store.view.get('serviceVersion', versionID);
  if (!v || v.ServiceID !== serviceID)
    throw new HttpError(404, `no such version ${versionID} of service ${serviceID} (it may have aged out)`);
  return v;
}

function serviceVersion(ctx: ManagerContext, ref: string, versionID: string): ServiceVersion {
  return findVersion(ctx, ctx.control.getService(ref).ID, versionID);
}

type RolloutOp = 'update' | 'restore' | 'resume' | 'rollback' | 'force-continue';
const ROLLOUT_OPS: ReadonlySet<string> = new Set<RolloutOp>([
  'update',
  'restore',
  'resume',
  'rollback',
  'force-continue',
]);

const isPaused = (svc: Service) =>
  svc.UpdateStatus?.State === 'paused' || svc.UpdateStatus?.State === 'rollback_paused';

/**
 * The rollout buttons, each one service update on a fresh read:
 * - update: the update form (image and UpdateConfig), like `docker service update --image --update-*`;
 * - restore: the spec of any recorded version, recorded with cause 'restore';
 * - resume (paused only): re-apply the unchanged spec, which resets UpdateStatus so the updater carries on
 *   (swarm's own way: `docker service update <svc>`);
 * - force-continue (paused only): resume with UpdateConfig.FailureAction 'continue', so the rest of the rollout
 *   no longer stops on failed tasks. The spec keeps 'continue' afterwards (there is no per-run override in
 *   swarm); the update form shows it and sets it back;
 * - rollback: `docker service rollback` (swap Spec and PreviousSpec, rollback_started).
 */
async function rolloutAction(ctx: ManagerContext, ref: string, op: RolloutOp, body: unknown): Promise<Service> {
  return withFreshVersion(() => {
    const cur = ctx.control.getService(ref);
    const at = cur.Version.Index;
    switch (op) {
      case 'update':
        return ctx.control.updateService(cur.ID, at, applyUpdateForm(cur.Spec, body as UpdateServiceForm));
      case 'restore': {
        const { versionID } = parseConsoleBody(restoreBodySchema, body);
        const v = findVersion(ctx, cur.ID, versionID);
        return ctx.control.updateService(cur.ID, at, v.Spec, { cause: 'restore', restoredFrom: v.SpecIndex });
      }
      case 'rollback':
        return ctx.control.updateService(cur.ID, at, cur.Spec, { rollback: true });
      case 'resume':
      case 'force-continue': {
        if (!isPaused(cur))
          throw new HttpError(
            409,
            `service ${cur.Spec.Name} is not paused (update state: ${cur.UpdateStatus?.State ?? 'none'})`,
          );
        const spec =
          op === 'resume'
            ? cur.Spec
            : { ...cur.Spec, UpdateConfig: { ...(cur.Spec.UpdateConfig ?? {}), FailureAction: 'continue' as const } };
        return ctx.control.updateService(cur.ID, at, spec);
      }
    }
  });
}

/**
 * The console's JSON API under /api/. Returns false for any other path so the
 * caller can hand the request to Next. Actions go through the control API
 * with the version just read, like the docker CLI does.
 */
export async function handleConsoleApi(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ManagerContext,
  auth: ConsoleAuth,
): Promise<boolean> {
  const [path, search] = (req.url ?? '/').split('?') as [string, string | undefined];
  if (path !== '/api' && !path.startsWith('/api/')) return false;
  const method = req.method ?? 'GET';
  // a refused write (4xx) is an audit note, as whoever the gate found asking
  const askedBy = watchConsoleRefusals(req, res, ctx, path);
  const refused = refuseBrowserRequest(req.headers, method);
  if (refused) {
    req.resume();
    send(res, 403, { message: refused });
    return true;
  }
  try {
    let parts: string[];
    try {
      parts = path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
    } catch {
      throw new HttpError(400, `malformed path: ${path}`);
    }
    // the gate: who is asking, which route it is, and whether their role may call it
    const token = sessionCookie(req.headers);
    const who = auth.resolve(token);
    const match = matchConsoleRoute(method, ['api', ...parts]);
    if (!match || 'methods' in match) {
      if (!who) throw new HttpError(401, LOG_IN_FIRST);
      throw match
        ? new HttpError(405, 'method not allowed')
        : new HttpError(404, `no such console API route: ${method} ${path}`);
    }
    const actor: Actor = who
      ? actorOf(who.principal)
      : { kind: 'system', name: `console visitor from ${peerAddress(req.socket)}` };
    const action = `${method} ${path}`;
    const asking = askedBy({ actor, action });
    if (match.rule.needs !== 'public') {
      if (!who) throw new HttpError(401, LOG_IN_FIRST);
      const refusal = consoleRefusal(who.principal.role, match.rule);
      if (refusal) throw new HttpError(403, refusal);
      const renewed = await auth.renewIfDue(who);
      if (renewed !== undefined && token) {
        res.setHeader('Set-Cookie', setSessionCookie(token, renewed, ctx.clock.now(), isSecure(req)));
        who.expiresAtMs = renewed;
      }
    }
    const authHandler = AUTH_HANDLERS[match.route];
    if (authHandler) {
      await runAs(asking, () =>
        authHandler({
          req,
          res,
          auth,
          who,
          params: match.params,
          readJson: () => readJson(req),
          send: (status, body) => send(res, status, body),
          now: () => ctx.clock.now(),
        }),
      );
      return true;
    }
    const role = who?.principal.role ?? 'viewer';
    await runAs(asking, () => serveRoute(req, res, ctx, method, path, search, parts, role));
  } catch (err) {
    // a refused request's body is not read: drain it so the connection stays usable
    if (!req.complete && !(err instanceof HttpError && err.status === 413)) req.resume();
    if (err instanceof AuthError) {
      if (err.retryAfter !== undefined) res.setHeader('Retry-After', String(err.retryAfter));
      send(res, err.status, { message: err.message });
    } else if (err instanceof SwarmError || err instanceof HttpError) {
      // an oversized body is not read to its end: close the connection after the answer instead
      if (err.status === 413) res.setHeader('Connection', 'close');
      send(res, err.status, { message: err.message });
    } else {
      console.error('console API error', err);
      send(res, 500, { message: err instanceof Error ? err.message : String(err) });
    }
  }
  return true;
}

/** The cluster routes (the gate has run). */
async function serveRoute(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ManagerContext,
  method: string,
  path: string,
  search: string | undefined,
  parts: string[],
  role: Role,
): Promise<void> {
  const [a, id, op, extra] = parts;
  {
    if (a === 'audit') {
      serveAudit(req, res, ctx, parts.slice(1), search);
    } else if (a === 'logs' && parts.length === 1) {
      if (method !== 'GET') throw new HttpError(405, 'method not allowed');
      await streamConsoleLogs(req, res, ctx, new URLSearchParams(search ?? ''));
    } else if (a === 'events' && parts.length === 1) {
      if (method !== 'GET') throw new HttpError(405, 'method not allowed');
      send(res, 200, objectEvents(ctx, new URLSearchParams(search ?? '')));
    } else if (a === 'state' && parts.length === 1) {
      if (method !== 'GET') throw new HttpError(405, 'method not allowed');
      const services = new URLSearchParams(search ?? '').get('services');
      const scope = services === null ? 'all' : parseTaskScope({ services: services ? services.split(',') : [] });
      if (typeof scope === 'object' && 'error' in scope) throw new HttpError(400, scope.error);
      send(res, 200, consoleState(ctx, role, scope));
    } else if (a === 'services' && parts.length === 1) {
      if (method !== 'POST') throw new HttpError(405, 'method not allowed');
      // secrets and configs by name, as the CLI resolves them (`docker secret ls`)
      const byName =
        <T extends { ID: string; Spec: { Name: string } }>(list: T[]) =>
        (name: string) =>
          list.find((o) => o.Spec.Name === name)?.ID;
      const spec = formToServiceSpec((await readJson(req)) as CreateServiceForm, {
        secret: byName(ctx.control.listSecrets()),
        config: byName(ctx.control.listConfigs()),
      });
      const svc = await ctx.control.createService(spec);
      send(res, 201, { ID: svc.ID });
    } else if (a === 'services' && id && !op) {
      if (method !== 'DELETE') throw new HttpError(405, 'method not allowed');
      await ctx.control.removeService(id);
      send(res, 200, {});
    } else if (a === 'services' && id && (op === 'scale' || op === 'image') && !extra) {
      if (method !== 'POST') throw new HttpError(405, 'method not allowed');
      let edit: (spec: ServiceSpec) => ServiceSpec;
      if (op === 'scale') {
        const { replicas } = parseConsoleBody(scaleBodySchema, await readJson(req));
        edit = (spec) => {
          if (!spec.Mode.Replicated) throw new HttpError(400, 'scale can only be used with replicated mode');
          return { ...spec, Mode: { ...spec.Mode, Replicated: { ...spec.Mode.Replicated, Replicas: replicas } } };
        };
      } else {
        const { image } = parseConsoleBody(imageBodySchema, await readJson(req));
        edit = (spec) => {
          const tt = spec.TaskTemplate;
          return { ...spec, TaskTemplate: { ...tt, ContainerSpec: { ...tt.ContainerSpec, Image: image.trim() } } };
        };
      }
      const svc = await withFreshVersion(() => {
        const cur = ctx.control.getService(id);
        return ctx.control.updateService(cur.ID, cur.Version.Index, edit(cur.Spec));
      });
      send(res, 200, { ID: svc.ID });
    } else if (a === 'services' && id && op === 'versions') {
      if (method !== 'GET') throw new HttpError(405, 'method not allowed');
      if (parts.length === 3) send(res, 200, serviceVersions(ctx, id));
      else if (parts.length === 4 && extra) send(res, 200, serviceVersion(ctx, id, extra));
      else throw new HttpError(404, `no such console API route: ${method} ${path}`);
    } else if (a === 'services' && id && op && ROLLOUT_OPS.has(op) && !extra) {
      if (method !== 'POST') throw new HttpError(405, 'method not allowed');
      const body = op === 'update' || op === 'restore' ? await readJson(req) : undefined;
      const svc = await rolloutAction(ctx, id, op as RolloutOp, body);
      send(res, 200, { ID: svc.ID });
    } else if (a === 'configs' && id && op === 'data' && !extra) {
      if (method !== 'GET') throw new HttpError(405, 'method not allowed');
      const c = ctx.control.getConfig(id);
      send(res, 200, { ID: c.ID, Version: c.Version.Index, Data: c.Spec.Data ?? '' } satisfies ConfigDataBody);
    } else if (a === 'nodes' && id && op === 'availability' && !extra) {
      if (method !== 'POST') throw new HttpError(405, 'method not allowed');
      const { availability } = parseConsoleBody(availabilityBodySchema, await readJson(req));
      const node = await withFreshVersion(() => {
        const cur = ctx.control.getNode(id);
        return ctx.control.updateNode(cur.ID, cur.Version.Index, { ...cur.Spec, Availability: availability });
      });
      send(res, 200, { ID: node.ID });
    } else if (a === 'nodes' && id && !op) {
      if (method !== 'DELETE') throw new HttpError(405, 'method not allowed');
      // `docker node rm [--force]`: the control API's refusal text reaches the user as is
      const force = ['1', 'true'].includes(new URLSearchParams(search ?? '').get('force') ?? '');
      await ctx.control.removeNode(id, force);
      send(res, 200, {});
    } else if (a === 'nodes' && id && op === 'labels' && !extra) {
      if (method !== 'POST') throw new HttpError(405, 'method not allowed');
      const { key, value } = parseConsoleBody(labelBodySchema, await readJson(req));
      const problem = labelKeyProblem(key);
      if (problem) throw new HttpError(400, problem);
      send(res, 200, { ID: await editNodeLabels(ctx, id, (labels) => ({ ...labels, [key]: value ?? '' })) });
    } else if (a === 'nodes' && id && op === 'labels' && extra && parts.length === 4) {
      if (method !== 'DELETE') throw new HttpError(405, 'method not allowed');
      const nodeID = await editNodeLabels(ctx, id, (labels) => {
        // the docker CLI's --label-rm check
        if (!Object.hasOwn(labels, extra)) throw new HttpError(404, `key ${extra} doesn't exist in node's labels`);
        const { [extra]: _gone, ...rest } = labels;
        return rest;
      });
      send(res, 200, { ID: nodeID });
    } else if (a === 'swarm' && id === 'join-tokens' && !op) {
      if (method !== 'GET') throw new HttpError(405, 'method not allowed');
      send(res, 200, joinTokens(ctx));
    } else if (a === 'swarm' && id === 'join-tokens' && op === 'rotate' && !extra) {
      if (method !== 'POST') throw new HttpError(405, 'method not allowed');
      const { role } = parseConsoleBody(rotateTokenBodySchema, await readJson(req));
      // `docker swarm join-token --rotate`: POST /swarm/update?rotateWorkerToken=true with the current spec
      await withFreshVersion(() => {
        const cur = ctx.control.getCluster();
        return ctx.control.updateCluster(cur.Version.Index, cur.Spec, {
          workerToken: role === 'worker',
          managerToken: role === 'manager',
        });
      });
      send(res, 200, joinTokens(ctx));
    } else if (a === 'swarm' && id === 'settings' && !op) {
      if (method !== 'POST') throw new HttpError(405, 'method not allowed');
      const body = parseConsoleBody(swarmSettingsBodySchema, await readJson(req));
      await withFreshVersion(() => {
        const cur = ctx.control.getCluster();
        return ctx.control.updateCluster(cur.Version.Index, {
          ...cur.Spec,
          Labels: labelsWithSettings(cur.Spec.Labels, body),
        });
      });
      send(res, 200, {});
    } else {
      throw new HttpError(404, `no such console API route: ${method} ${path}`);
    }
  }
}
