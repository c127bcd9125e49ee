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

/**
 * moby's Cluster.UpdateService checks these two query values with plain
 * errors (500), not InvalidParameter; the CLI only ever sends valid ones
 * (`registryAuthFrom=spec`, and `rollback=previous` for a rollback).
 */
function rollbackFlag(query: URLSearchParams): boolean {
  const v = query.get('rollback') ?? '';
  if (v === '' || v === 'none') return false;
  if (v === 'previous') return true;
  throw new SwarmError('Unknown', `unrecognized rollback option ${v}`);
}

/** `registryAuthFrom`: whose PullOptions to keep (we hold no registry auth; only the value is checked). */
function checkRegistryAuthFrom(query: URLSearchParams, current: Service): void {
  const v = query.get('registryAuthFrom') ?? '';
  if (v === '' || v === 'spec') return;
  if (v !== 'previous-spec') throw new SwarmError('Unknown', 'unsupported registryAuthFrom value');
  if (!current.PreviousSpec) throw new SwarmError('Unknown', 'service does not have a previous spec');
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
      const spec = (await readJSON(req)) as ServiceSpec;
      // moby's order: the service must exist (404), then the query values
      checkRegistryAuthFrom(query, ctx.control.getService(params[0]!));
      const rollback = rollbackFlag(query);
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
