import { deepEqual } from '../../util/deep-equal';
import { serviceMeshErrors } from '../../api/mesh-errors';
import { forgetVersions, recordSpecVersion } from '../spec-history';
import { MAX_REPLICAS_SETTING, replicaLimitProblem, settingValue } from '../../api/cluster-settings';
import { SequenceConflict, SwarmError, notFound, rpcError } from '../../api/errors';
import { rpcText } from '../../api/schemas/issues';
import { newID } from '../../api/ids';
import { stateValue, type PortConfig, type Service, type ServiceSpec, type Task } from '../../api/types';
import type { MemoryStore } from '../../store/memory-store';
import type { Tx } from '../../store/tx';
import { MAX_PROPOSAL_BYTES, wireBytes } from '../../store/split-batch';
import type { ControlDeps } from './context';
import { portInUseHost, portInUseIngress } from '../network-allocator/errors';
import { interpolateServiceSpec } from './defaults';
import { checkFilterKeys, labelFilter, matchesLabels, matchesPrefix, values } from './filters';
import { resolveRef } from './lookup';
import { isIngressNetwork, lookupNetwork } from './networks';
import { isPredefinedNetwork } from '../../api/schemas/network-create';
import type { Filters } from './types';
import { isJobMode, modeKind, normaliseServiceSpec, presentSpec } from './service-spec';

export function lookupService(view: MemoryStore, ref: string): Service {
  return resolveRef('service', ref, {
    byID: (id) => view.get('service', id),
    byName: (name) => {
      const s = view.serviceByName(name);
      return s ? [s] : [];
    },
    all: () => view.list('service'),
  });
}

/** The object as the API returns it (never the stored object itself). */
export function presentService(s: Service, insertDefaults = false): Service {
  const spec = presentSpec(s.Spec);
  const out: Service = { ...s, Spec: insertDefaults ? interpolateServiceSpec(spec) : spec };
  if (s.PreviousSpec) out.PreviousSpec = presentSpec(s.PreviousSpec);
  return out;
}

/** Swarmdeck-only: the ports nodes cannot bind for this service (mesh-errors.ts), when there are any. */
function withMeshErrors(view: MemoryStore, s: Service): Service {
  const errors = serviceMeshErrors(s.ID, view.list('node'));
  return errors.length ? { ...s, MeshErrors: errors } : s;
}

/**
 * Network references may be names (stack deploy sends them); store IDs, as
 * moby's populateNetworkID does: full ID, exact name or unique ID prefix
 * (ambiguous: 400, none: 404). A daemon's own networks (bridge, host, none)
 * are not swarm networks here, and attaching to the ingress network is
 * refused (swarmkit validateNetworks).
 */
function resolveNetworks(view: MemoryStore, spec: ServiceSpec): ServiceSpec {
  const nets = spec.TaskTemplate.Networks;
  if (!nets || nets.length === 0) return spec;
  const resolved = nets.map((n) => {
    let net;
    try {
      net = lookupNetwork(view, n.Target);
    } catch (err) {
      if (err instanceof SwarmError && err.code === 'NotFound' && isPredefinedNetwork(n.Target))
        throw new SwarmError(
          'PermissionDenied',
          `The network ${n.Target} cannot be used with services. Only networks scoped to the swarm can be used, such as those created with the overlay driver.`,
        );
      throw err;
    }
    if (isIngressNetwork(net))
      throw rpcError(
        'InvalidArgument',
        `Service cannot be explicitly attached to the ingress network "${net.Spec.Name}"`,
      );
    return { ...n, Target: net.ID };
  });
  return { ...spec, TaskTemplate: { ...spec.TaskTemplate, Networks: resolved } };
}

/**
 * swarmkit checkPortConflicts: a published port belongs to one service. Both the other services'
 * specs and what the allocator gave them (Endpoint.Ports, with their dynamic ports) count; host-mode
 * ports may be shared (the scheduler keeps them apart). The allocator applies the same rules to the
 * ports it picks, with the same texts.
 */
function checkPortConflicts(view: MemoryStore, spec: ServiceSpec, selfID: string): void {
  const mine = (spec.EndpointSpec?.Ports ?? []).filter((p) => p.PublishedPort);
  if (mine.length === 0) return;
  const key = (p: PortConfig) => `${p.PublishedPort}/${p.Protocol ?? 'tcp'}`;
  const ingress = new Set(mine.filter((p) => p.PublishMode !== 'host').map(key));
  const host = new Set(mine.filter((p) => p.PublishMode === 'host').map(key));
  for (const s of view.list('service')) {
    if (s.ID === selfID) continue;
    for (const p of [...(s.Spec.EndpointSpec?.Ports ?? []), ...(s.Endpoint?.Ports ?? [])]) {
      if (!p.PublishedPort) continue;
      const k = key(p);
      if (p.PublishMode === 'host') {
        if (ingress.has(k)) throw rpcError('InvalidArgument', portInUseHost(p.PublishedPort, s.Spec.Name, s.ID));
      } else if (ingress.has(k) || host.has(k)) {
        throw rpcError('InvalidArgument', portInUseIngress(p.PublishedPort, s.Spec.Name, s.ID));
      }
    }
  }
}

/** swarmkit checkSecretExistence / checkConfigExistence: every reference names an existing object by ID and name. */
function checkReferencesExist(view: MemoryStore, spec: ServiceSpec): void {
  const cs = spec.TaskTemplate.ContainerSpec;
  const missing = (kind: 'secret' | 'config', refs: { id?: string; name?: string }[]) => {
    const failed = refs.filter((r) => view.get(kind, r.id ?? '')?.Spec.Name !== r.name).map((r) => r.name ?? '');
    if (failed.length > 0)
      throw rpcError('InvalidArgument', `${kind}${failed.length === 1 ? '' : 's'} not found: ${failed.join(', ')}`);
  };
  missing(
    'secret',
    (cs.Secrets ?? []).map((r) => ({ id: r.SecretID, name: r.SecretName })),
  );
  missing(
    'config',
    (cs.Configs ?? []).map((r) => ({ id: r.ConfigID, name: r.ConfigName })),
  );
}

/** The cluster's replica limit (label swarmdeck.max-replicas) for this spec. */
function checkReplicaLimit(view: MemoryStore, spec: ServiceSpec): void {
  const limit = settingValue(MAX_REPLICAS_SETTING, view.list('cluster')[0]?.Spec.Labels);
  const problem = replicaLimitProblem(spec, limit);
  if (problem) throw rpcError('InvalidArgument', problem);
}

/**
 * Largest service spec, in bytes as a raft entry carries it. An update's one entry holds the
 * spec up to four times (Spec, PreviousSpec, the endpoint's copy of its EndpointSpec, the spec
 * history's record) next to the old one, so a spec of a quarter of the proposal limit (less room
 * for the rest) can always be updated and rolled back; a larger one could be created but never
 * changed again.
 */
export const MAX_SERVICE_SPEC_BYTES = Math.floor((MAX_PROPOSAL_BYTES - 64 * 1024) / 4);

function checkSpecSize(spec: ServiceSpec): void {
  const bytes = wireBytes(spec);
  if (bytes > MAX_SERVICE_SPEC_BYTES)
    throw rpcError(
      'InvalidArgument',
      `service spec is too large: ${bytes} bytes encoded, the limit is ${MAX_SERVICE_SPEC_BYTES} (an update must fit the old and the new spec in one raft entry)`,
    );
}

function prepareSpec(d: ControlDeps, input: ServiceSpec, selfID: string): ServiceSpec {
  const spec = resolveNetworks(d.store.view, normaliseServiceSpec(input));
  checkSpecSize(spec);
  checkReplicaLimit(d.store.view, spec);
  checkReferencesExist(d.store.view, spec);
  checkPortConflicts(d.store.view, spec, selfID);
  return spec;
}

const refused = (message: string): SwarmError => new SwarmError('InvalidArgument', message);

function nameConflict(name: string): SwarmError {
  return rpcError('AlreadyExists', `name conflicts with an existing object: service ${name} already exists`);
}

export async function createService(d: ControlDeps, input: ServiceSpec): Promise<Service> {
  const spec = prepareSpec(d, input, '');
  const id = newID();
  await d.store.update((tx) => {
    if (d.store.view.serviceByName(spec.Name)) throw nameConflict(spec.Name);
    tx.create('service', {
      ID: id,
      Version: { Index: 0 },
      CreatedAt: tx.now,
      UpdatedAt: tx.now,
      Spec: spec,
      // swarmkit: an empty version at create; each update stamps the Meta.Version it replaced
      SpecVersion: { Index: 0 },
      Endpoint: { Spec: spec.EndpointSpec ?? { Mode: 'vip' } },
      // a job's first run is iteration 0 (swarmkit CreateService)
      ...(isJobMode(spec.Mode) ? { JobStatus: { JobIteration: { Index: 0 }, LastExecution: tx.now } } : {}),
    });
    recordSpecVersion(tx, d.store.view, tx.get('service', id)!, 'create');
  });
  const created = d.store.view.get('service', id);
  if (!created) throw notFound('service', id);
  return presentService(created);
}

export function getService(d: ControlDeps, ref: string, opts: { insertDefaults?: boolean } = {}): Service {
  return withMeshErrors(d.store.view, presentService(lookupService(d.store.view, ref), opts.insertDefaults));
}

export function listServices(d: ControlDeps, filters?: Filters): Service[] {
  checkFilterKeys(filters, ['id', 'name', 'label', 'mode', 'runtime']);
  const ids = values(filters, 'id');
  const names = values(filters, 'name');
  const labels = labelFilter(values(filters, 'label'));
  // dockerd matches the mode exactly and refuses no value: an unknown mode lists nothing
  const modes = values(filters, 'mode');
  const runtimes = values(filters, 'runtime');
  const out: Service[] = [];
  for (const s of d.store.view.list('service')) {
    if (!matchesPrefix(s.ID, ids) || !matchesPrefix(s.Spec.Name, names)) continue;
    if (!matchesLabels(s.Spec.Labels, labels)) continue;
    if (modes.length > 0 && !modes.includes(modeKind(s.Spec.Mode ?? {}))) continue;
    if (runtimes.length > 0 && !runtimes.includes(s.Spec.TaskTemplate?.Runtime || 'container')) continue;
    out.push(withMeshErrors(d.store.view, presentService(s)));
  }
  return out;
}

function sameModeKind(a: ServiceSpec, b: ServiceSpec): boolean {
  return modeKind(a.Mode ?? {}) === modeKind(b.Mode ?? {});
}

/**
 * swarmkit UpdateService. A normal update keeps the old spec as
 * PreviousSpec, stamps SpecVersion with the Meta.Version it replaces and
 * clears UpdateStatus (a stale "completed" would end the CLI's progress loop
 * at once). A rollback swaps Spec and PreviousSpec and ignores the body.
 */
export async function updateService(
  d: ControlDeps,
  ref: string,
  version: number,
  input: ServiceSpec,
  opts: {
    rollback?: boolean;
    /** A console restore of an older version is recorded as such (default: update). */
    cause?: 'update' | 'restore';
    restoredFrom?: number;
  } = {},
): Promise<Service> {
  const id = lookupService(d.store.view, ref).ID;
  const spec = opts.rollback ? undefined : prepareSpec(d, input, id);
  await d.store.update((tx) => {
    const cur = tx.get('service', id);
    if (!cur) throw notFound('service', id);
    if (cur.Version.Index !== version) throw new SequenceConflict();
    const { UpdateStatus: _old, ...rest } = cur;
    let next: Service;
    if (!spec) {
      if (!cur.PreviousSpec) throw rpcError('FailedPrecondition', `service ${cur.ID} does not have a previous spec`);
      next = {
        ...rest,
        Spec: cur.PreviousSpec,
        SpecVersion: cur.PreviousSpecVersion ?? { Index: 0 },
        PreviousSpec: cur.Spec,
        PreviousSpecVersion: cur.SpecVersion,
        UpdateStatus: { State: 'rollback_started', Message: 'manually requested rollback', StartedAt: tx.now },
      };
    } else {
      // swarmkit's words; a refused input is a 400 here where dockerd answers 501
      if (!sameModeKind(cur.Spec, spec)) throw refused(rpcText('service mode change is not allowed', 'Unimplemented'));
      if (cur.Spec.Name !== spec.Name) throw refused(rpcText('renaming services is not supported', 'Unimplemented'));
      next = {
        ...rest,
        Spec: spec,
        SpecVersion: { Index: cur.Version.Index },
        PreviousSpec: cur.Spec,
        PreviousSpecVersion: cur.SpecVersion,
      };
    }
    // every update of a job, a rollback or a bare --force included, runs it again (swarmkit UpdateService)
    if (cur.JobStatus)
      next.JobStatus = { JobIteration: { Index: cur.JobStatus.JobIteration.Index + 1 }, LastExecution: tx.now };
    // keep what the allocator assigned; it reconciles Ports/VIPs against the new spec
    next.Endpoint = { ...cur.Endpoint, Spec: next.Spec.EndpointSpec ?? { Mode: 'vip' } };
    tx.update('service', next);
    // re-applying the same spec (how a paused update is resumed) is recorded as such, not as a change
    const cause = !spec ? 'rollback' : (opts.cause ?? (deepEqual(spec, cur.Spec) ? 'reapply' : 'update'));
    recordSpecVersion(tx, d.store.view, next, cause, opts.restoredFrom);
  });
  const updated = d.store.view.get('service', id);
  if (!updated) throw notFound('service', id);
  return presentService(updated);
}

/** Room left in a removal's proposal for its task writes (the rest of the entry is small). */
const REMOVE_TASKS_BYTES = MAX_PROPOSAL_BYTES - 64 * 1024;

/**
 * Sets desired REMOVE (swarmkit TaskStateRemove) on the listed tasks still below it, as far as
 * `bytes` of task writes go; returns the IDs it had no room for.
 */
function markTasksRemoved(tx: Tx, ids: readonly string[], bytes: number): string[] {
  let left = bytes;
  for (let i = 0; i < ids.length; i++) {
    const cur = tx.get('task', ids[i]!);
    if (!cur || stateValue(cur.DesiredState) >= stateValue('remove')) continue;
    const next: Task = { ...cur, DesiredState: 'remove' };
    const size = wireBytes(next) + 64;
    if (size > left && left < bytes) return ids.slice(i);
    tx.update('task', next);
    left -= size;
  }
  return [];
}

/**
 * Deletes the service and, in the same write, sets its tasks to desired REMOVE, so a network
 * removal right after (`docker stack rm`) never finds a live task of a service that is gone.
 * A service with more tasks than one proposal holds has the rest marked in further writes
 * before the call returns; the orchestrator does the same for tasks created in a race.
 */
export async function removeService(d: ControlDeps, ref: string): Promise<void> {
  const id = lookupService(d.store.view, ref).ID;
  let rest: string[] = [];
  // task writes go stale as agents report: re-run on a lost race rather than fail the removal
  await d.store.update(
    (tx) => {
      if (!tx.get('service', id)) throw notFound('service', ref);
      tx.delete('service', id);
      forgetVersions(tx, d.store.view, id);
      const taskIDs = d.store.view.tasksByService(id).map((t) => t.ID);
      rest = markTasksRemoved(tx, taskIDs, REMOVE_TASKS_BYTES);
    },
    { retry: true },
  );
  while (rest.length > 0) {
    await d.store.update((tx) => (rest = markTasksRemoved(tx, rest, REMOVE_TASKS_BYTES)), { retry: true });
  }
}
