import { SwarmError } from '../../../api/errors';
import { listQuery, networkInspectQuery, parseQuery } from '../../../api/schemas/engine-query';
import { parseNetworkConnect, parseNetworkDisconnect } from '../../../api/schemas/network-connect';
import { networkSpecFromCreate, parseNetworkCreate } from '../../../api/schemas/network-create';
import type { ManagerContext } from '../../../manager/context';
import { PREDEFINED_LABEL } from '../../../manager/controlapi/networks';
import type { Filters } from '../../../manager/controlapi/types';
import { labelFilter, matchesLabels } from '../../../manager/controlapi/filters';
import { inspectSwarmNetwork, networkAttachments } from '../network-inspect';
import {
  filterNetworks,
  findDaemonNetwork,
  findNetwork,
  findUniqueNetwork,
  ownNetworks,
  swarmNetworks,
} from '../network-lookup';
import { readJSON } from '../request';
import { sendEmpty, sendJSON } from '../respond';
import type { Route } from '../router';

/** moby's text for a container reference the daemon cannot find; Swarmdeck runs no containers. */
const noSuchContainer = (ref: string) => new SwarmError('NotFound', `No such container: ${ref}`);
const invalidIdentifier = (ref: string) =>
  new SwarmError('InvalidArgument', `invalid name or ID supplied: ${JSON.stringify(ref)}`);

/** One prune at a time per manager, as dockerd's pruneRunning. */
const pruning = new WeakSet<ManagerContext>();

const PRUNE_FILTERS = ['label', 'label!', 'until'];

const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };

/** timetypes.GetTimestamp for `until`: a Go duration back from now, Unix seconds, or a date/time. */
function untilMs(v: string, now: number): number {
  if (v !== '0' && DURATION.test(v)) {
    let ms = 0;
    for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    return now - ms;
  }
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new SwarmError('InvalidArgument', `failed to parse value as time or duration: "${v}"`);
  return t;
}

function pruneCandidates(ctx: ManagerContext, filters: Filters): { id: string; name: string }[] {
  for (const key of Object.keys(filters))
    if (!PRUNE_FILTERS.includes(key)) throw new SwarmError('InvalidArgument', `invalid filter '${key}'`);
  const until = filters['until'] ?? [];
  if (until.length > 1) throw new SwarmError('InvalidArgument', 'more than one until filter specified');
  const before = until.length === 1 ? untilMs(until[0]!, ctx.clock.now()) : undefined;
  const want = labelFilter(filters['label'] ?? []);
  const unwanted = filters['label!'] ?? [];
  const out: { id: string; name: string }[] = [];
  for (const n of ctx.control.listNetworks()) {
    // the routing mesh is removed only when asked for by name (dockerd)
    if (n.Spec.Ingress || n.Spec.Labels?.[PREDEFINED_LABEL] === 'true') continue;
    if (before !== undefined && Date.parse(n.CreatedAt) > before) continue;
    if (!matchesLabels(n.Spec.Labels, want)) continue;
    if (unwanted.length > 0 && matchesLabels(n.Spec.Labels, labelFilter(unwanted))) continue;
    out.push({ id: n.ID, name: n.Spec.Name });
  }
  return out;
}

export const networkRoutes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/networks\/create$/,
    handle: async ({ ctx, req, res }) => {
      const create = parseNetworkCreate(await readJSON(req));
      // dockerd asks the manager for the name first (libnetwork NetworkNameError, a 409)
      const name = create.Name ?? '';
      if (ctx.control.listNetworks().some((n) => n.Spec.Name === name))
        throw new SwarmError('AlreadyExists', `network with name ${name} already exists`);
      const n = await ctx.control.createNetwork(networkSpecFromCreate(create));
      sendJSON(res, 201, { Id: n.ID, Warning: '' });
    },
  },
  {
    method: 'POST',
    pattern: /^\/networks\/prune$/,
    handle: async ({ ctx, res, query }) => {
      const { filters } = parseQuery(listQuery, query);
      const candidates = pruneCandidates(ctx, filters);
      if (pruning.has(ctx)) throw new SwarmError('AlreadyExists', 'a prune operation is already running');
      pruning.add(ctx);
      const deleted: string[] = [];
      try {
        for (const c of candidates) {
          try {
            await ctx.control.removeNetwork(c.id);
            deleted.push(c.name);
          } catch (err) {
            // in use (or gone meanwhile): kept, as dockerd skips it
            if (!(err instanceof SwarmError)) throw err;
          }
        }
      } finally {
        pruning.delete(ctx);
      }
      sendJSON(res, 200, { NetworksDeleted: deleted.length > 0 ? deleted : null });
    },
  },
  {
    method: 'GET',
    pattern: /^\/networks$/,
    handle: ({ ctx, res, query }) => {
      const { filters } = parseQuery(listQuery, query);
      sendJSON(res, 200, filterNetworks(ctx, [...swarmNetworks(ctx), ...ownNetworks(ctx)], filters));
    },
  },
  {
    method: 'GET',
    pattern: /^\/networks\/([^/]+)$/,
    handle: ({ ctx, res, params, query }) => {
      const { verbose, scope } = parseQuery(networkInspectQuery, query);
      const found = findNetwork(ctx, params[0]!, scope ?? '');
      const stored = found.Scope === 'swarm' ? ctx.store.view.get('network', found.Id) : undefined;
      sendJSON(
        res,
        200,
        verbose && stored ? { ...inspectSwarmNetwork(stored), ...networkAttachments(ctx.store.view, stored) } : found,
      );
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/networks\/([^/]+)$/,
    handle: async ({ ctx, res, params }) => {
      const n = findUniqueNetwork(ctx, params[0]!);
      if (n.Scope !== 'swarm')
        throw new SwarmError('PermissionDenied', `${n.Name} is a pre-defined network and cannot be removed`);
      await ctx.control.removeNetwork(n.Id);
      sendEmpty(res, 204);
    },
  },
  {
    // dockerd looks the container up before the network: with no containers, every connect ends there
    method: 'POST',
    pattern: /^\/networks\/([^/]+)\/connect$/,
    handle: async ({ req }) => {
      const { Container } = parseNetworkConnect(await readJSON(req));
      if (Container === '') throw invalidIdentifier(Container);
      throw noSuchContainer(Container);
    },
  },
  {
    // with --force dockerd deletes the endpoint by name instead: the network must exist, the endpoint never does
    method: 'POST',
    pattern: /^\/networks\/([^/]+)\/disconnect$/,
    handle: async ({ ctx, req, params }) => {
      const { Container, Force } = parseNetworkDisconnect(await readJSON(req));
      if (!Force) throw Container === '' ? invalidIdentifier(Container) : noSuchContainer(Container);
      findDaemonNetwork(ctx, params[0]!);
      if (Container === '') throw new SwarmError('InvalidArgument', 'invalid name: name is empty');
      throw new SwarmError('NotFound', `endpoint ${Container} not found`);
    },
  },
];
