// The filter pipeline (swarmkit manager/scheduler/pipeline.go, filter.go):
// filters run in order, the first failure per node is counted against that
// filter, and the counts make the "no suitable node (...)" explanation.

import { genericDemand, hasEnoughGeneric } from '../../api/generic-resources';
import type { Placement, PortConfig, Task } from '../../api/types';
import type { Constraint } from './constraint';
import { matchesConstraints, tryParseConstraints } from './constraint';
import type { NodeInfo } from './node-info';
import { activeOfService, hostPortKeys } from './node-info';

/** What the filters need to know about the tasks of one scheduling group. */
export interface TaskRequest {
  serviceID: string;
  nanoCPUs: number;
  memoryBytes: number;
  /** Generic resources reserved per kind (`--generic-resource gpu=1`); empty: none. */
  generic: Map<string, number>;
  /** undefined: no constraints, or unparseable ones (the filter is then disabled, as in swarmkit) */
  constraints?: Constraint[];
  platforms: NonNullable<Placement['Platforms']>;
  /** `protocol/port` of host-mode published ports */
  hostPorts: string[];
  maxReplicas: number;
}

export function taskRequest(t: Task, ports?: readonly PortConfig[]): TaskRequest {
  const res = t.Spec.Resources?.Reservations;
  const placement = t.Spec.Placement;
  const constraints = placement?.Constraints?.length ? tryParseConstraints(placement.Constraints) : undefined;
  return {
    serviceID: t.ServiceID,
    nanoCPUs: res?.NanoCPUs ?? 0,
    memoryBytes: res?.MemoryBytes ?? 0,
    generic: genericDemand(res?.GenericResources),
    constraints: constraints?.length ? constraints : undefined,
    platforms: placement?.Platforms ?? [],
    hostPorts: hostPortKeys(ports),
    maxReplicas: placement?.MaxReplicas ?? 0,
  };
}

export type FilterName = 'Ready' | 'Resources' | 'Constraints' | 'Platform' | 'HostPort' | 'MaxReplicas';

export interface Filter {
  name: FilterName;
  /** swarmkit's SetTask: a filter that does not apply to the task is skipped */
  enabled(r: TaskRequest): boolean;
  check(r: TaskRequest, n: NodeInfo): boolean;
  explain(nodes: number): string;
}

const nodes = (n: number): string => (n === 1 ? '1 node' : `${n} nodes`);

const normArch = (a: string | undefined): string | undefined =>
  a === 'x86_64' ? 'amd64' : a === 'aarch64' ? 'arm64' : a;

export const readyFilter: Filter = {
  name: 'Ready',
  enabled: () => true,
  check: (_r, n) => n.node.Status?.State === 'ready' && n.node.Spec?.Availability === 'active',
  explain: (n) => `${nodes(n)} not available for new tasks`,
};

export const resourceFilter: Filter = {
  name: 'Resources',
  enabled: (r) => r.nanoCPUs > 0 || r.memoryBytes > 0 || r.generic.size > 0,
  check: (r, n) =>
    r.nanoCPUs <= n.availableNanoCPUs &&
    r.memoryBytes <= n.availableMemoryBytes &&
    hasEnoughGeneric(n.availableGeneric, r.generic),
  explain: (n) => `insufficient resources on ${nodes(n)}`,
};

export const constraintFilter: Filter = {
  name: 'Constraints',
  enabled: (r) => r.constraints !== undefined,
  check: (r, n) => matchesConstraints(r.constraints ?? [], n.node),
  explain: (n) => `scheduling constraints not satisfied on ${nodes(n)}`,
};

export const platformFilter: Filter = {
  name: 'Platform',
  enabled: (r) => r.platforms.length > 0,
  check: (r, n) => {
    const p = n.node.Description?.Platform;
    if (!p) return false;
    const arch = normArch(p.Architecture);
    // empty fields are wildcards; comparison is exact after arch normalisation
    return r.platforms.some(
      (want) => (!want.Architecture || normArch(want.Architecture) === arch) && (!want.OS || want.OS === p.OS),
    );
  },
  explain: (n) => `unsupported platform on ${nodes(n)}`,
};

export const hostPortFilter: Filter = {
  name: 'HostPort',
  enabled: (r) => r.hostPorts.length > 0,
  check: (r, n) => r.hostPorts.every((p) => !n.usedHostPorts.has(p)),
  explain: (n) => `host-mode port already in use on ${nodes(n)}`,
};

export const maxReplicasFilter: Filter = {
  name: 'MaxReplicas',
  enabled: (r) => r.maxReplicas > 0,
  check: (r, n) => activeOfService(n, r.serviceID) < r.maxReplicas,
  // swarmkit's text carries no count
  explain: () => 'max replicas per node limit exceed',
};

/** Pipeline order. (Plugin and CSI volume filters have nothing to check here yet.) */
export const FILTERS: readonly Filter[] = [
  readyFilter,
  resourceFilter,
  constraintFilter,
  platformFilter,
  hostPortFilter,
  maxReplicasFilter,
];

export interface FilterFailure {
  Name: FilterName;
  Nodes: number;
  Text: string;
}

/** The filters enabled for one request, with their failure counters. */
export class Pipeline {
  private readonly active: Filter[];
  private readonly counts: number[];
  /** Nodes a filter threw on (their data, e.g. a label that is not a string): rejected, and why. */
  readonly nodeErrors = new Map<string, string>();

  constructor(
    readonly request: TaskRequest,
    filters: readonly Filter[] = FILTERS,
  ) {
    this.active = filters.filter((f) => f.enabled(request));
    this.counts = this.active.map(() => 0);
  }

  /**
   * True when the node passes every filter; otherwise counts the first failing
   * one. A filter that throws on a node rejects that node (counted under the
   * filter) rather than the whole group: one bad node does not stop placement.
   */
  process(n: NodeInfo): boolean {
    for (let i = 0; i < this.active.length; i++) {
      let ok: boolean;
      try {
        ok = this.active[i]!.check(this.request, n);
      } catch (err) {
        ok = false;
        if (!this.nodeErrors.has(n.node.ID))
          this.nodeErrors.set(n.node.ID, `${this.active[i]!.name} filter: ${text(err)}`);
      }
      if (!ok) {
        this.counts[i]!++;
        return false;
      }
    }
    return true;
  }

  /** Filters that rejected at least one node, in pipeline order. */
  failures(): FilterFailure[] {
    const out: FilterFailure[] = [];
    this.active.forEach((f, i) => {
      const n = this.counts[i]!;
      if (n > 0) out.push({ Name: f.name, Nodes: n, Text: f.explain(n) });
    });
    return out;
  }

  /** swarmkit's Explain(): failing filters by descending count (pipeline order among ties), joined with `; `. */
  explain(): string {
    return explainFailures(this.failures());
  }
}

export function explainFailures(failures: readonly FilterFailure[]): string {
  return [...failures]
    .sort((a, b) => b.Nodes - a.Nodes)
    .map((f) => f.Text)
    .join('; ');
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
