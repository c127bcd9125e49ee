// How dockerd finds a network for each `/networks` route, over this
// manager's local stand-ins and the swarm's networks (moby
// api/server/router/network/network_routes.go getNetwork and
// findUniqueNetwork, daemon FindNetwork), with their ambiguity texts, and
// its list filters (network.ValidateFilters, daemon/network FilterNetworks).

import { SwarmError } from '../../api/errors';
import { isPredefinedNetwork } from '../../api/schemas/network-create';
import type { ManagerContext } from '../../manager/context';
import { labelFilter, matchesLabels } from '../../manager/controlapi/filters';
import { networkInUse } from '../../manager/controlapi/networks';
import type { Filters } from '../../manager/controlapi/types';
import { inspectSwarmNetwork, localNetworks, type NetworkInspect } from './network-inspect';

export function swarmNetworks(ctx: ManagerContext): NetworkInspect[] {
  return ctx.control.listNetworks().map(inspectSwarmNetwork);
}

/** This manager's own networks (its node's creation time, as a daemon's are as old as the daemon). */
export function ownNetworks(ctx: ManagerContext): NetworkInspect[] {
  const created = ctx.store.view.get('node', ctx.selfNodeID)?.CreatedAt ?? new Date(ctx.startedAt).toISOString();
  return localNetworks(ctx.selfNodeID, created);
}

const notFound = (term: string) => new SwarmError('NotFound', `network ${term} not found`);

/**
 * `GET /networks/{id}?scope=`: local first (a full ID wins at once), then the
 * swarm's by the manager's own lookup (taken when the term is an ID prefix or
 * scope=swarm), then exact names, then ID prefixes across both.
 */
export function findNetwork(ctx: ManagerContext, term: string, scope: string): NetworkInspect {
  const byName = new Map<string, NetworkInspect>();
  const byPrefix = new Map<string, NetworkInspect>();
  const collect = (list: NetworkInspect[]) => {
    for (const n of list) {
      if (scope && n.Scope !== scope) continue;
      if (n.Id === term) return n;
      if (n.Name === term && !byName.has(n.Id)) byName.set(n.Id, n);
      if (n.Id.startsWith(term) && !byPrefix.has(n.Id)) byPrefix.set(n.Id, n);
    }
    return undefined;
  };
  const local = collect(ownNetworks(ctx));
  if (local) return local;
  try {
    const n = inspectSwarmNetwork(ctx.control.getNetwork(term));
    if (n.Id.startsWith(term) || scope === 'swarm') return n;
  } catch {
    // not found or ambiguous in the swarm: the name and prefix rules below decide
  }
  const swarm = collect(swarmNetworks(ctx));
  if (swarm) return swarm;
  if (byName.size === 1) return [...byName.values()][0]!;
  if (byName.size > 1)
    throw new SwarmError('InvalidArgument', `${byName.size} matches found based on name: network ${term} is ambiguous`);
  if (byPrefix.size === 1) return [...byPrefix.values()][0]!;
  if (byPrefix.size > 1)
    throw new SwarmError(
      'InvalidArgument',
      `${byPrefix.size} matches found based on ID prefix: network ${term} is ambiguous`,
    );
  throw notFound(term);
}

/** `DELETE /networks/{id}`: findUniqueNetwork (local names skip ingress; texts in its own word order). */
export function findUniqueNetwork(ctx: ManagerContext, term: string): NetworkInspect {
  return findAcross(ctx, term, (n) => `network ${term} is ambiguous (${n} matches found based on name)`);
}

/** daemon FindNetwork (disconnect --force): its words for an ambiguous name. */
export function findDaemonNetwork(ctx: ManagerContext, term: string): NetworkInspect {
  return findAcross(ctx, term, (n) => `network ${term} is ambiguous (${n} matches found on name)`);
}

function findAcross(ctx: ManagerContext, term: string, ambiguousName: (n: number) => string): NetworkInspect {
  const byName = new Map<string, NetworkInspect>();
  const byPrefix = new Map<string, NetworkInspect>();
  for (const n of [...ownNetworks(ctx), ...swarmNetworks(ctx)]) {
    if (n.Id === term) return n;
    if (n.Name === term) byName.set(n.Id, n);
    if (n.Id.startsWith(term)) byPrefix.set(n.Id, n);
  }
  if (byName.size === 1) return [...byName.values()][0]!;
  if (byName.size > 1) throw new SwarmError('InvalidArgument', ambiguousName(byName.size));
  if (byPrefix.size === 1) return [...byPrefix.values()][0]!;
  if (byPrefix.size > 1)
    throw new SwarmError(
      'InvalidArgument',
      `network ${term} is ambiguous (${byPrefix.size} matches found based on ID prefix)`,
    );
  throw notFound(term);
}

const LIST_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];

/**
 * moby filters.Args.Match: the exact value, or the value as a regular
 * expression found in the source. Go's regexps (RE2) run in linear time; a
 * JS RegExp from a request could backtrack for seconds and stall the
 * manager's event loop (and its raft leadership), so only the forms people
 * use are taken: a literal part of the source, anchored with `^` and/or `$`.
 */
function matches(wanted: readonly string[], source: string): boolean {
  if (wanted.length === 0) return true;
  return wanted.some((w) => {
    if (w === source) return true;
    const start = w.startsWith('^');
    const end = w.endsWith('$') && w.length > (start ? 1 : 0);
    const literal = w.slice(start ? 1 : 0, end ? -1 : undefined);
    if (start && end) return source === literal;
    if (start) return source.startsWith(literal);
    if (end) return source.endsWith(literal);
    return source.includes(literal);
  });
}

const exact = (wanted: readonly string[], source: string) => wanted.length === 0 || wanted.includes(source);

/**
 * `GET /networks?filters=`: dockerd's FilterNetworks. `dangling=true` keeps
 * the networks nothing uses (no service attached, no task meant to run on
 * them: what `network prune` would remove, ingress aside); a daemon decides
 * from its local containers and services, the manager here from the store.
 */
export function filterNetworks(ctx: ManagerContext, list: NetworkInspect[], filters: Filters): NetworkInspect[] {
  for (const key of Object.keys(filters))
    if (!LIST_FILTERS.includes(key)) throw new SwarmError('InvalidArgument', `invalid filter '${key}'`);
  const get = (k: string) => filters[k] ?? [];
  const labels = labelFilter(get('label'));
  let out = list.filter(
    (n) =>
      exact(get('driver'), n.Driver) &&
      matches(get('name'), n.Name) &&
      matches(get('id'), n.Id) &&
      matchesLabels(n.Labels ?? {}, labels) &&
      exact(get('scope'), n.Scope),
  );
  const dangling = get('dangling');
  if (dangling.length > 1) throw new SwarmError('InvalidArgument', 'got more than one value for filter key "dangling"');
  if (dangling.length === 1) {
    const v = dangling[0]!;
    if (!['0', 'false', '1', 'true'].includes(v))
      throw new SwarmError(
        'InvalidArgument',
        `invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`,
      );
    const only = v === '1' || v === 'true';
    out = out.filter((n) => (only ? !used(ctx, n) : used(ctx, n)));
  }
  const types = get('type');
  if (types.length > 0) {
    const picked: NetworkInspect[] = [];
    for (const t of types) {
      if (t === 'builtin') picked.push(...out.filter((n) => isPredefinedNetwork(n.Name)));
      else if (t === 'custom') picked.push(...out.filter((n) => !isPredefinedNetwork(n.Name)));
      else throw new SwarmError('InvalidArgument', `invalid filter: 'type'='${t}'`);
    }
    out = picked;
  }
  return out;
}

function used(ctx: ManagerContext, n: NetworkInspect): boolean {
  if (isPredefinedNetwork(n.Name)) return true;
  if (n.Scope !== 'swarm') return false;
  const net = ctx.store.view.get('network', n.Id);
  return !!net && networkInUse(ctx.store.view, net) !== undefined;
}
