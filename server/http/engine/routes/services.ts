import { SwarmError } from '../../../api/errors';
import {
  parseQuery,
  serviceInspectQuery,
  serviceListQuery,
  serviceUpdateFlagsQuery,
  serviceUpdateQuery,
} from '../../../api/schemas/engine-query';
import { parseServiceSpec } from '../../../api/schemas/service-spec';
import type { Service } from '../../../api/types';
import type { MemoryStore } from '../../../store/memory-store';
import { readJSON } from '../request';
import { sendEmpty, sendJSON } from '../respond';
import type { Route } from '../router';

export interface ServiceStatus {
  RunningTasks: number;
  DesiredTasks: number;
  CompletedTasks: number;
}

/**
 * swarmkit ListServiceStatuses, which `service ls` shows as REPLICAS. For a
 * job only the current iteration's tasks count: DesiredTasks is MaxConcurrent
 * (replicated job) or the tasks still to complete (global job), and
 * CompletedTasks the ones that completed (`2/2 (3/6 completed)`).
 */
export function serviceStatus(view: MemoryStore, s: Service): ServiceStatus {
  const tasks = view.tasksByService(s.ID);
  const mode = s.Spec.Mode ?? {};
  const global = !mode.Replicated && !mode.ReplicatedJob;
  const iteration = s.JobStatus?.JobIteration.Index;
  let desired = mode.Replicated ? (mode.Replicated.Replicas ?? 1) : (mode.ReplicatedJob?.MaxConcurrent ?? 0);
  let running = 0;
  let completed = 0;
  for (const t of tasks) {
    if (iteration !== undefined) {
      if (t.JobIteration?.Index !== iteration) continue;
      if (t.Status.State === 'complete') completed++;
    }
    if (t.Status.State === 'running') running++;
    if (global && t.DesiredState === 'running') desired++;
    if (global && t.DesiredState === 'complete' && t.Status.State !== 'complete') desired++;
  }
  return { RunningTasks: running, DesiredTasks: desired, CompletedTasks: completed };
}

export const serviceRoutes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/services\/create$/,
    handle: async ({ ctx, req, res }) => {
      const spec = parseServiceSpec(await readJSON(req));
      const s = await ctx.control.createService(spec);
      sendJSON(res, 201, { ID: s.ID, Warnings: [] });
    },
  },
  {
    method: 'GET',
    pattern: /^\/services$/,
    handle: ({ ctx, res, query }) => {
      const { filters, status: withStatus } = parseQuery(serviceListQuery, query);
      const list = ctx.control.listServices(filters);
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
      sendJSON(res, 200, ctx.control.getService(params[0]!, parseQuery(serviceInspectQuery, query))),
  },
  {
    method: 'POST',
    pattern: /^\/services\/([^/]+)\/update$/,
    handle: async ({ ctx, req, res, params, query }) => {
      const body = await readJSON(req);
      const { version } = parseQuery(serviceUpdateQuery, query);
      // moby's order: the service must exist (404), then the other query values
      const current = ctx.control.getService(params[0]!);
      const { registryAuthFrom, rollback } = parseQuery(serviceUpdateFlagsQuery, query);
      // we hold no registry auth: only the value is checked
      if (registryAuthFrom === 'previous-spec' && !current.PreviousSpec)
        throw new SwarmError('InvalidArgument', 'service does not have a previous spec');
      // a rollback swaps in the previous spec and ignores the body
      const spec = rollback ? current.Spec : parseServiceSpec(body);
      await ctx.control.updateService(params[0]!, version, spec, { rollback });
      // moby returns null Warnings unless it had to pin an image for a pre-1.30 client; the CLI prints each one
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
