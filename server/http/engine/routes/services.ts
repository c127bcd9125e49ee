import { SwarmError } from '../../../api/errors';
import type { Service, ServiceSpec } from '../../../api/types';
import type { MemoryStore } from '../../../store/memory-store';
import { parseFilters, queryBool, queryVersion, readJSON } from '../request';
import { sendEmpty, sendJSON } from '../respond';
import type { Route } from '../router';

export interface ServiceStatus {
  RunningTasks: number;
  DesiredTasks: number;
  CompletedTasks: number;
}

/** swarmkit ListServiceStatuses, which `service ls` shows as REPLICAS. */
export function serviceStatus(view: MemoryStore, s: Service): ServiceStatus {
  const tasks = view.tasksByService(s.ID);
  const mode = s.Spec.Mode ?? {};
  const global = !mode.Replicated && !mode.ReplicatedJob;
  let desired = mode.Replicated ? (mode.Replicated.Replicas ?? 1) : (mode.ReplicatedJob?.MaxConcurrent ?? 0);
  let running = 0;
  let completed = 0;
  for (const t of tasks) {
    if (t.Status.State === 'running') running++;
    if (t.Status.State === 'complete') completed++;
    if (global && t.DesiredState === 'running') desired++;
  }
  return { RunningTasks: running, DesiredTasks: desired, CompletedTasks: completed };
}

function rollbackFlag(query: URLSearchParams): boolean {
  const v = query.get('rollback') ?? '';
  if (v === '' || v === 'none') return false;
  if (v === 'previous') return true;
  throw new SwarmError('InvalidArgument', `unrecognized rollback option ${v}`);
}

export const serviceRoutes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/services\/create$/,
    handle: async ({ ctx, req, res }) => {
      const spec = (await readJSON(req)) as ServiceSpec;
      const s = await ctx.control.createService(spec);
      sendJSON(res, 201, { ID: s.ID, Warnings: [] });
    },
  },
  {
    method: 'GET',
    pattern: /^\/services$/,
    handle: ({ ctx, res, query }) => {
      const list = ctx.control.listServices(parseFilters(query));
      const withStatus = queryBool(query, 'status');
      sendJSON(
        res,
        200,
        withStatus ? list.map((s) => ({ ...s, ServiceStatus: serviceStatus(ctx.store.view, s) })) : list,
      );
    },
  },
  {
    method: 'GET',
    pattern: /^\/services\/([^/]+)$/,
    handle: ({ ctx, res, params, query }) =>
      sendJSON(res, 200, ctx.control.getService(params[0]!, { insertDefaults: queryBool(query, 'insertDefaults') })),
  },
  {
    method: 'POST',
    pattern: /^\/services\/([^/]+)\/update$/,
    handle: async ({ ctx, req, res, params, query }) => {
      const version = queryVersion(query, 'service');
      const rollback = rollbackFlag(query);
      const spec = (await readJSON(req)) as ServiceSpec;
      await ctx.control.updateService(params[0]!, version, spec, { rollback });
      sendJSON(res, 200, { Warnings: [] });
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/services\/([^/]+)$/,
    handle: async ({ ctx, res, params }) => {
      await ctx.control.removeService(params[0]!);
      sendEmpty(res);
    },
  },
];
