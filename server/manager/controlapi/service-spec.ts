// Service spec validation and normalisation: what moby's converter and
// swarmkit's validateServiceSpec do to a spec on create and update. The
// stored spec is the normalised one, and GET returns it as stored, so a spec
// the CLI reads, edits and posts back comes in exactly as it went out.

import { SwarmError, rpcError } from '../../api/errors';
import type {
  EndpointSpec,
  HealthConfig,
  PortConfig,
  ResourceSpec,
  RestartPolicy,
  ServiceMode,
  ServiceSpec,
  TaskSpec,
  UpdateConfig,
} from '../../api/types';
import { parseConstraints } from '../scheduler/constraint';
import { randomName } from './random-name';

type Json = Record<string, unknown>;

const NAME_RE = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
const MIN_NANO_CPUS = 1e6;
const MIN_MEMORY = 4 * 1024 * 1024;

const invalid = (desc: string): SwarmError => rpcError('InvalidArgument', desc);
/** moby's converter errors: plain text, 400. */
const badParam = (msg: string): SwarmError => new SwarmError('InvalidArgument', msg);

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep copy without null/undefined members: Go decodes `null` as the zero
 * value and omits it on output, so they never survive a round trip there.
 */
export function stripNulls<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => stripNulls(x)) as T;
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = stripNulls(x);
  return out as T;
}

export type ModeKind = 'replicated' | 'global' | 'replicated-job' | 'global-job';

export function modeKind(mode: ServiceMode): ModeKind {
  if (mode.Global) return 'global';
  if (mode.ReplicatedJob) return 'replicated-job';
  if (mode.GlobalJob) return 'global-job';
  return 'replicated';
}

export function isJob(mode: ServiceMode): boolean {
  return mode.ReplicatedJob !== undefined || mode.GlobalJob !== undefined;
}

export function validateServiceName(name: string): void {
  if (!NAME_RE.test(name)) throw invalid('name must be valid as a DNS name component');
  if (name.length > 63) throw invalid('name must be 63 characters or fewer');
}

/** Validate and normalise a spec as the docker CLI (or the console) sends it. Throws SwarmError. */
export function normaliseServiceSpec(input: unknown): ServiceSpec {
  if (!isObject(input)) throw invalid('invalid argument');
  const spec = stripNulls(input);
  const Name = typeof spec.Name === 'string' && spec.Name !== '' ? spec.Name : randomName();
  validateServiceName(Name);
  const TaskTemplate = normaliseTaskSpec(spec.TaskTemplate);
  // swarmkit validateJob, ahead of our own refusal of job modes below
  if (spec.UpdateConfig !== undefined && isJob(isObject(spec.Mode) ? spec.Mode : {}))
    throw invalid('Jobs may not have an update config');
  const out: ServiceSpec = {
    ...spec,
    Name,
    Labels: stringMap(spec.Labels, 'Labels'),
    TaskTemplate,
    Mode: normaliseMode(spec.Mode),
    EndpointSpec: normaliseEndpointSpec(spec.EndpointSpec),
  };
  if (spec.UpdateConfig !== undefined) out.UpdateConfig = normaliseUpdateConfig(spec.UpdateConfig, 'UpdateConfig');
  if (spec.RollbackConfig !== undefined)
    out.RollbackConfig = normaliseUpdateConfig(spec.RollbackConfig, 'RollbackConfig');
  return out;
}

function stringMap(v: unknown, field: string): Record<string, string> {
  if (v === undefined) return {};
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string'))
    throw badParam(`${field} must be a map of strings`);
  return v as Record<string, string>;
}

function num(v: unknown, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badParam(`invalid JSON: ${field} must be a number`);
  return v;
}

function normaliseTaskSpec(v: unknown): TaskSpec {
  const t: Json = isObject(v) ? { ...v } : {};
  const cs = isObject(t.ContainerSpec) ? { ...t.ContainerSpec } : undefined;
  if (!cs || typeof cs.Image !== 'string' || cs.Image === '')
    throw invalid('ContainerSpec: image reference must be provided');
  if (!validImageRef(cs.Image)) throw invalid(`ContainerSpec: "${cs.Image}" is not a valid repository/tag`);
  if (cs.Isolation === undefined || cs.Isolation === '') cs.Isolation = 'default';
  if (cs.Healthcheck !== undefined) validateHealthCheck(cs.Healthcheck);
  const out = { ...t, ContainerSpec: cs, ForceUpdate: num(t.ForceUpdate, 'ForceUpdate') ?? 0 } as TaskSpec;
  if (out.ForceUpdate < 0 || !Number.isInteger(out.ForceUpdate)) throw badParam('ForceUpdate must be a counter');
  if (out.Runtime === undefined || out.Runtime === '') out.Runtime = 'container';
  if (out.Resources !== undefined) {
    validateResources(out.Resources.Limits);
    validateResources(out.Resources.Reservations);
  }
  if (out.RestartPolicy !== undefined) out.RestartPolicy = normaliseRestartPolicy(out.RestartPolicy);
  if (out.Placement?.Constraints !== undefined) parseConstraints(out.Placement.Constraints);
  return out;
}

/** A loose check of the reference grammar: lower-case repository path, optional tag and digest. */
function validImageRef(ref: string): boolean {
  const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
  const domain = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9-]+)*(?::[0-9]+)?/)?';
  const re = new RegExp(
    `^${domain}${component}(?:/${component})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
  );
  return re.test(ref);
}

/** Go's %g for the small values this message shows (0.0005, 1e-05). */
function formatG(n: number): string {
  if (n !== 0 && Math.abs(n) < 1e-4) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

function validateResources(r: ResourceSpec | undefined): void {
  if (!r) return;
  const cpus = num(r.NanoCPUs, 'NanoCPUs') ?? 0;
  const mem = num(r.MemoryBytes, 'MemoryBytes') ?? 0;
  if (cpus !== 0 && cpus < MIN_NANO_CPUS)
    throw invalid(`invalid cpu value ${formatG(cpus / 1e9)}: Must be at least ${formatG(MIN_NANO_CPUS / 1e9)}`);
  if (mem !== 0 && mem < MIN_MEMORY) throw invalid(`invalid memory value ${mem}: Must be at least 4MiB`);
}

/** swarmkit validateHealthCheck: each duration 0 (the default) or at least 1 ms; Retries not negative. */
function validateHealthCheck(v: unknown): void {
  if (!isObject(v)) throw badParam('invalid JSON: Healthcheck must be an object');
  const hc = v as HealthConfig;
  if (hc.Test !== undefined && (!Array.isArray(hc.Test) || hc.Test.some((x) => typeof x !== 'string')))
    throw badParam('invalid JSON: Healthcheck.Test must be a list of strings');
  for (const field of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval'] as const) {
    const ns = num(hc[field], `Healthcheck.${field}`) ?? 0;
    if (ns !== 0 && ns < 1e6) throw invalid(`ContainerSpec: ${field} in HealthConfig cannot be less than 1ms`);
  }
  if ((num(hc.Retries, 'Healthcheck.Retries') ?? 0) < 0)
    throw invalid('ContainerSpec: Retries in HealthConfig cannot be negative');
}

const RESTART_CONDITIONS = ['none', 'on-failure', 'any'];

function normaliseRestartPolicy(rp: RestartPolicy): RestartPolicy {
  const out = { ...rp };
  if (!out.Condition) out.Condition = 'any';
  if (!RESTART_CONDITIONS.includes(out.Condition)) throw badParam(`invalid RestartCondition: "${out.Condition}"`);
  if ((num(out.Delay, 'RestartPolicy.Delay') ?? 0) < 0) throw invalid('TaskSpec: restart-delay cannot be negative');
  if ((num(out.Window, 'RestartPolicy.Window') ?? 0) < 0) throw invalid('TaskSpec: restart-window cannot be negative');
  if ((num(out.MaxAttempts, 'RestartPolicy.MaxAttempts') ?? 0) < 0)
    throw badParam('invalid JSON: RestartPolicy.MaxAttempts must not be negative');
  return out;
}

function normaliseMode(v: unknown): ServiceMode {
  const m: Json = isObject(v) ? v : {};
  const kinds = (['Replicated', 'Global', 'ReplicatedJob', 'GlobalJob'] as const).filter((k) => m[k] !== undefined);
  if (kinds.length > 1) throw badParam('cannot specify more than one service mode');
  // No jobs orchestrator yet: refuse plainly rather than accept a service that never runs.
  if (kinds[0] === 'ReplicatedJob' || kinds[0] === 'GlobalJob')
    throw rpcError('Unimplemented', 'job services (replicated-job, global-job) are not supported yet');
  const sub = (k: string): Json => (isObject(m[k]) ? (m[k] as Json) : {});
  switch (kinds[0]) {
    case 'Global':
      return { Global: {} };
    default: {
      // `{"Replicated":{}}` (no --replicas) and an empty Mode both mean one replica
      const Replicas = num(sub('Replicated').Replicas, 'Replicas') ?? 1;
      if (Replicas < 0 || !Number.isInteger(Replicas)) throw invalid('Number of replicas must be non-negative');
      return { Replicated: { Replicas } };
    }
  }
}

const FAILURE_ACTIONS = ['pause', 'continue', 'rollback'];
const ORDERS = ['stop-first', 'start-first'];

/** What Go's decoder says when a JSON number does not fit the field (moby prefixes "invalid JSON: "). */
function goDecodeError(v: number, field: string, type: string): SwarmError {
  return badParam(`invalid JSON: json: cannot unmarshal number ${v} into Go struct field ${field} of type ${type}`);
}

/**
 * moby's updateConfigToGRPC (enum defaults, "unrecognized …" errors) and
 * swarmkit's validateUpdate. swarmkit checks only Spec.Update; the rollback
 * config gets the same bounds here (worded for it), so a rollback can never
 * run with a negative delay or monitor or a ratio outside [0,1].
 */
function normaliseUpdateConfig(v: unknown, field: 'UpdateConfig' | 'RollbackConfig'): UpdateConfig {
  const out: Json = isObject(v) ? { ...v } : {};
  const uc = out as UpdateConfig;
  const goField = (name: string) => `UpdateConfig.${field}.${name}`;
  if (!uc.FailureAction) uc.FailureAction = 'pause';
  if (!FAILURE_ACTIONS.includes(uc.FailureAction))
    throw badParam(`unrecognized update failure action ${uc.FailureAction}`);
  if (!uc.Order) uc.Order = 'stop-first';
  if (!ORDERS.includes(uc.Order)) throw badParam(`unrecognized update order ${uc.Order}`);
  uc.Parallelism = num(uc.Parallelism, 'Parallelism') ?? 0;
  // Parallelism is a uint64: Go's decoder refuses a negative or fractional value
  if (uc.Parallelism < 0 || !Number.isInteger(uc.Parallelism))
    throw goDecodeError(uc.Parallelism, goField('Parallelism'), 'uint64');
  uc.MaxFailureRatio = num(uc.MaxFailureRatio, 'MaxFailureRatio') ?? 0;
  const delay = num(uc.Delay, 'Delay') ?? 0;
  const monitor = num(uc.Monitor, 'Monitor') ?? 0;
  for (const [name, ns] of [
    ['Delay', delay],
    ['Monitor', monitor],
  ] as const)
    if (!Number.isInteger(ns)) throw goDecodeError(ns, goField(name), 'time.Duration');
  const what = field === 'UpdateConfig' ? 'update' : 'rollback';
  if (delay < 0) throw invalid(`TaskSpec: ${what}-delay cannot be negative`);
  if (monitor < 0) throw invalid(`TaskSpec: ${what}-monitor cannot be negative`);
  if (uc.MaxFailureRatio < 0 || uc.MaxFailureRatio > 1)
    throw invalid(`TaskSpec: ${what}-maxfailureratio cannot be less than 0 or bigger than 1`);
  // zero durations are omitted on output (omitempty); Monitor 0 then reads as the 5 s default
  if (delay === 0) delete uc.Delay;
  if (monitor === 0) delete uc.Monitor;
  return uc;
}

function normaliseEndpointSpec(v: unknown): EndpointSpec {
  const e: Json = isObject(v) ? { ...v } : {};
  const out = e as EndpointSpec;
  if (!out.Mode) out.Mode = 'vip';
  if (out.Mode !== 'vip' && out.Mode !== 'dnsrr') throw badParam(`invalid resolution mode: ${String(out.Mode)}`);
  if (out.Ports !== undefined) {
    if (!Array.isArray(out.Ports)) throw badParam('invalid JSON: EndpointSpec.Ports must be a list');
    out.Ports = out.Ports.map(normalisePort);
    const seen = new Set<string>();
    for (const p of out.Ports) {
      if (out.Mode === 'dnsrr' && p.PublishMode === 'ingress')
        throw invalid("EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
      if (!p.PublishedPort) continue;
      const key = `${p.PublishedPort}/${p.Protocol}`;
      if (seen.has(key)) throw invalid('EndpointSpec: duplicate published ports provided');
      seen.add(key);
    }
  }
  return out;
}

function normalisePort(v: unknown): PortConfig {
  const p = (isObject(v) ? { ...v } : {}) as PortConfig;
  if (!p.Protocol) p.Protocol = 'tcp';
  if (!['tcp', 'udp', 'sctp'].includes(p.Protocol)) throw badParam(`invalid protocol: ${p.Protocol}`);
  if (!p.PublishMode) p.PublishMode = 'ingress';
  if (p.PublishMode !== 'ingress' && p.PublishMode !== 'host')
    throw badParam(`invalid publish mode: ${String(p.PublishMode)}`);
  p.TargetPort = num(p.TargetPort, 'TargetPort') ?? 0;
  p.PublishedPort = num(p.PublishedPort, 'PublishedPort') ?? 0;
  for (const n of [p.TargetPort, p.PublishedPort])
    if (n < 0 || n > 65535 || !Number.isInteger(n)) throw badParam(`invalid port: ${n}`);
  return p;
}

/**
 * Output form of a spec read from the store: the additions GET always has,
 * also for specs written by other paths (console seeds, tests).
 */
export function presentSpec(spec: ServiceSpec): ServiceSpec {
  const tt = spec.TaskTemplate ?? ({} as TaskSpec);
  const cs = tt.ContainerSpec ?? { Image: '' };
  const mode: ServiceMode =
    spec.Mode && Object.keys(spec.Mode).length > 0
      ? spec.Mode.Replicated
        ? { ...spec.Mode, Replicated: { Replicas: spec.Mode.Replicated.Replicas ?? 1 } }
        : spec.Mode
      : { Replicated: { Replicas: 1 } };
  return {
    ...spec,
    Labels: spec.Labels ?? {},
    TaskTemplate: {
      ...tt,
      ContainerSpec: cs.Isolation ? cs : { ...cs, Isolation: 'default' },
      ForceUpdate: tt.ForceUpdate ?? 0,
      Runtime: tt.Runtime || 'container',
    },
    Mode: mode,
    EndpointSpec: spec.EndpointSpec?.Mode ? spec.EndpointSpec : { ...spec.EndpointSpec, Mode: 'vip' },
  };
}
