// swarmkit's controlapi for networks (manager/controlapi/network.go): create
// with validateNetworkSpec, lookup, list and remove with the in-use checks,
// each write through the one write path. Networks are stored with their Spec
// only; the leader's allocator fills IPAMOptions and DriverState afterwards.

import { SwarmError, notFound, rpcError } from '../../api/errors';
import { newID } from '../../api/ids';
import { rpcText } from '../../api/schemas/issues';
import { serviceNameProblem } from '../../api/schemas/service-spec';
import { isIngressNetwork, needsIngress, networkInUse as inUse, serviceNetworkTargets } from '../../api/network-refs';
import type { Network } from '../../api/types';
import type { MemoryStore } from '../../store/memory-store';
import { AllocError, INGRESS_NOT_ATTACHABLE, POOL_OVERLAP, ingressAlreadyPresent } from '../network-allocator/errors';
import { overlaps, parseCIDR } from '../network-allocator/ipv4';
import { validateNetworkSpec } from '../network-allocator/network-ipam';
import type { ControlDeps } from './context';
import { checkFilterKeys, labelFilter, matchesLabels, matchesPrefix, values } from './filters';
import { resolveRef } from './lookup';
import type { Filters } from './types';

export type NetworkSpec = Network['Spec'];

export { isIngressNetwork, needsIngress, serviceNetworkTargets };

/** swarmkit networkallocator.PredefinedLabel: swarm's own bridge/host stand-ins carry it. */
export const PREDEFINED_LABEL = 'com.docker.swarm.predefined';

/** The driver Swarmdeck's allocator and data plane implement. */
export const OVERLAY = 'overlay';

/** dockerd's cluster getNetwork: full ID, then exact name, then a unique ID prefix. */
export function lookupNetwork(view: MemoryStore, ref: string): Network {
  return resolveRef('network', ref, {
    byID: (id) => view.get('network', id),
    byName: (name) => view.list('network').filter((n) => n.Spec.Name === name),
    all: () => view.list('network'),
  });
}

/**
 * Why the network cannot be removed now (swarmkit removeNetwork's in-use
 * rules); the store checks the same when it applies the removal.
 */
export function networkInUse(view: MemoryStore, n: Network): SwarmError | undefined {
  return inUse(n, view.list('service'), view.list('task'));
}

const refused = (desc: string, code: 'InvalidArgument' | 'Unimplemented' = 'InvalidArgument') =>
  new SwarmError('InvalidArgument', rpcText(desc, code));

function checkDriver(spec: NetworkSpec): void {
  const driver = spec.DriverConfiguration;
  if (!driver) return;
  // swarmkit answers Unimplemented (501); a refused input is a 400 here
  if (spec.Ingress && driver.Name !== OVERLAY)
    throw refused('only overlay driver is currently supported for ingress network', 'Unimplemented');
  if (!driver.Name) throw refused('driver name: if driver is specified name is required');
  if (driver.Name !== OVERLAY)
    throw refused(`network driver ${driver.Name} is not supported: Swarmdeck's swarm networks use the overlay driver`);
}

function checkIPAM(view: MemoryStore, spec: NetworkSpec): void {
  const ipam = spec.IPAMOptions;
  if (!ipam) return;
  if (ipam.Driver) {
    if (!ipam.Driver.Name) throw refused('driver name: if driver is specified name is required');
    if (ipam.Driver.Name.toLowerCase() !== 'default') throw refused(`plugin ${ipam.Driver.Name} not supported`);
  }
  for (const c of ipam.Configs ?? []) {
    if (c.Subnet.includes(':'))
      throw refused(`ipam configuration: subnet ${c.Subnet} is IPv6; Swarmdeck's overlay networks are IPv4 only`);
  }
  try {
    // the IPAM texts only (ingress and attachable are checked above, in swarmkit's order)
    validateNetworkSpec({ ...spec, Ingress: false }, []);
  } catch (e) {
    if (e instanceof AllocError)
      throw new SwarmError(e.code === 'AlreadyExists' ? 'AlreadyExists' : 'InvalidArgument', rpcText(e.message));
    throw e;
  }
  checkOverlaps(view, spec);
}

/**
 * A subnet that overlaps another network's cannot be allocated (libnetwork's
 * pool overlap). swarmkit stores the network anyway and its allocator fails
 * later, leaving it unusable; refused at once here, naming the other network.
 */
function checkOverlaps(view: MemoryStore, spec: NetworkSpec): void {
  const taken: { prefix: NonNullable<ReturnType<typeof parseCIDR>>['prefix']; text: string; owner: string }[] = [];
  for (const n of view.list('network')) {
    for (const c of n.IPAMOptions?.Configs ?? n.Spec.IPAMOptions?.Configs ?? []) {
      const p = parseCIDR(c.Subnet);
      if (p) taken.push({ prefix: p.prefix, text: c.Subnet, owner: `network ${n.Spec.Name} (${n.ID})` });
    }
  }
  for (const c of spec.IPAMOptions?.Configs ?? []) {
    const p = parseCIDR(c.Subnet);
    if (!p) continue;
    const clash = taken.find((t) => overlaps(t.prefix, p.prefix));
    if (clash) throw refused(`${POOL_OVERLAP}: subnet ${c.Subnet} overlaps ${clash.text} of ${clash.owner}`);
    taken.push({ prefix: p.prefix, text: c.Subnet, owner: 'another subnet of this network' });
  }
}

/** swarmkit validateNetworkSpec, in its order, plus the overlay-only and IPv4-only rules of Swarmdeck. */
function checkNetworkSpec(view: MemoryStore, spec: NetworkSpec): void {
  if (spec.Attachable && spec.Ingress) throw refused(INGRESS_NOT_ATTACHABLE);
  if (!spec.Name) throw refused('meta: name must be provided');
  const nameProblem = serviceNameProblem(spec.Name);
  if (nameProblem) throw new SwarmError('InvalidArgument', nameProblem);
  if (Object.hasOwn(spec.Labels ?? {}, PREDEFINED_LABEL))
    throw new SwarmError(
      'PermissionDenied',
      rpcText(
        `label ${PREDEFINED_LABEL} is for internally created predefined networks and cannot be applied by users`,
        'PermissionDenied',
      ),
    );
  checkDriver(spec);
  checkIPAM(view, spec);
}

function nameConflict(name: string): SwarmError {
  return rpcError('AlreadyExists', `name conflicts with an existing object: network ${name} already exists`);
}

export async function createNetwork(d: ControlDeps, input: NetworkSpec): Promise<Network> {
  const spec: NetworkSpec = {
    ...input,
    Labels: input.Labels ?? {},
    DriverConfiguration: input.DriverConfiguration ?? { Name: OVERLAY },
  };
  checkNetworkSpec(d.store.view, spec);
  const id = newID();
  await d.store.update((tx) => {
    const view = d.store.view;
    if (spec.Ingress) {
      const ingress = view.list('network').find(isIngressNetwork);
      if (ingress) throw rpcError('AlreadyExists', ingressAlreadyPresent(ingress.ID));
    }
    if (view.networkByName(spec.Name)) throw nameConflict(spec.Name);
    tx.create('network', { ID: id, Version: { Index: 0 }, CreatedAt: tx.now, UpdatedAt: tx.now, Spec: spec });
  });
  const created = d.store.view.get('network', id);
  if (!created) throw notFound('network', id);
  return created;
}

export function getNetwork(d: ControlDeps, ref: string): Network {
  return lookupNetwork(d.store.view, ref);
}

/** swarmkit ListNetworks: `id` and `name` prefixes, `label`; an unknown key is a 400. */
export function listNetworks(d: ControlDeps, filters?: Filters): Network[] {
  checkFilterKeys(filters, ['id', 'name', 'label']);
  const ids = values(filters, 'id');
  const names = values(filters, 'name');
  const labels = labelFilter(values(filters, 'label'));
  return d.store.view
    .list('network')
    .filter(
      (n) => matchesPrefix(n.ID, ids) && matchesPrefix(n.Spec.Name, names) && matchesLabels(n.Spec.Labels, labels),
    );
}

/** swarmkit RemoveNetwork: predefined networks stay, a network in use stays (FailedPrecondition). */
export async function removeNetwork(d: ControlDeps, ref: string): Promise<void> {
  const id = lookupNetwork(d.store.view, ref).ID;
  // re-run when the allocator wrote the network meanwhile: the checks see its latest state
  await d.store.update(
    (tx) => {
      const n = tx.get('network', id);
      if (!n) throw new SwarmError('NotFound', `network ${id} not found`);
      if (n.Spec.Labels?.[PREDEFINED_LABEL] === 'true')
        throw rpcError(
          'FailedPrecondition',
          `network ${id} (${n.Spec.Name}) is a swarm predefined network and cannot be removed`,
        );
      const busy = networkInUse(d.store.view, n);
      if (busy) throw busy;
      tx.delete('network', id);
    },
    { retry: true },
  );
}
