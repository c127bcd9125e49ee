// The console's JSON API bodies and the form → ServiceSpec mapping, shared by
// the browser (to build the request) and the server (to validate it).

import { rpcError, SwarmError } from './errors';
import type { NodeAvailability, RestartPolicy, ServiceSpec } from './types';

export interface CreateServiceForm {
  name: string;
  image: string;
  mode: 'replicated' | 'global';
  /** replicated only; default 1 */
  replicas?: number;
  /** KEY=value, one per entry */
  env?: string[];
  /** e.g. node.role==worker, one per entry */
  constraints?: string[];
  /** CPUs, e.g. 0.5 */
  reserveCpus?: number;
  /** MiB */
  reserveMemoryMiB?: number;
  restartCondition?: NonNullable<RestartPolicy['Condition']>;
  restartDelaySeconds?: number;
  restartMaxAttempts?: number;
}

export interface ScaleBody {
  replicas: number;
}
export interface ImageBody {
  image: string;
}
export interface AvailabilityBody {
  availability: NodeAvailability;
}
export interface ApiErrorBody {
  message: string;
}
/** Add or replace one node label (`docker node update --label-add key=value`). */
export interface LabelBody {
  key: string;
  value: string;
}
export type TokenRole = 'worker' | 'manager';
export interface RotateTokenBody {
  role: TokenRole;
}
/** GET /api/swarm/join-tokens: never pushed over the socket, fetched on demand. */
export interface JoinTokensBody {
  /** The manager's cluster address, as `docker swarm join-token` prints it. */
  ClusterAddr: string;
  JoinTokens: { Worker: string; Manager: string };
}
export interface CreatedBody {
  ID: string;
}

const isNonNegInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
const isNonNeg = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;

/** The docker CLI's label checks (opts.ValidateLabel), on an already split key. */
export function labelKeyProblem(key: string, text = key): string | undefined {
  if (key === '') return `invalid label '${text}': empty name`;
  if (/\s/.test(key)) return `label '${key}' contains whitespaces`;
  return undefined;
}

/** `key=value` (or a bare `key`, value "") as `--label-add` takes it; throws InvalidArgument. */
export function parseLabel(text: string): LabelBody {
  const t = text.trim();
  const at = t.indexOf('=');
  const key = at < 0 ? t : t.slice(0, at);
  const value = at < 0 ? '' : t.slice(at + 1);
  const problem = labelKeyProblem(key, t);
  if (problem) throw new SwarmError('InvalidArgument', problem);
  return { key, value };
}

/** Split a textarea into trimmed non-empty lines. */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/**
 * Validate a create form and build the spec the docker CLI would send for the
 * same flags (`--replicas`, `--env`, `--constraint`, `--reserve-cpu`, ...).
 * Units follow the Engine API: NanoCPUs, bytes, nanoseconds.
 */
export function formToServiceSpec(form: CreateServiceForm): ServiceSpec {
  const bad = (msg: string) => rpcError('InvalidArgument', msg);
  if (!form || typeof form !== 'object') throw bad('expected a JSON object');
  const image = typeof form.image === 'string' ? form.image.trim() : '';
  if (!image) throw bad('ContainerSpec: image reference must be provided');
  const name = typeof form.name === 'string' ? form.name.trim() : '';
  if (form.mode !== 'replicated' && form.mode !== 'global') throw bad(`invalid mode ${String(form.mode)}`);
  const replicas = form.replicas ?? 1;
  if (form.mode === 'replicated' && !isNonNegInt(replicas)) throw bad('replicas must be a non-negative integer');

  const env = (form.env ?? []).map((e) => e.trim()).filter(Boolean);
  for (const e of env) if (e.startsWith('=')) throw bad(`invalid environment variable: ${e}`);
  const constraints = (form.constraints ?? []).map((c) => c.trim()).filter(Boolean);
  for (const c of constraints)
    if (!/^[^=!]+(==|!=)[^=!]+$/.test(c)) throw bad(`invalid constraint "${c}": expected key==value or key!=value`);

  const spec: ServiceSpec = {
    Name: name,
    Labels: {},
    TaskTemplate: { ContainerSpec: { Image: image, ...(env.length ? { Env: env } : {}) }, ForceUpdate: 0 },
    Mode: form.mode === 'global' ? { Global: {} } : { Replicated: { Replicas: replicas } },
  };
  if (constraints.length) spec.TaskTemplate.Placement = { Constraints: constraints };

  const reservations: { NanoCPUs?: number; MemoryBytes?: number } = {};
  if (form.reserveCpus !== undefined) {
    if (!isNonNeg(form.reserveCpus)) throw bad('CPU reservation must be a non-negative number');
    if (form.reserveCpus > 0) reservations.NanoCPUs = Math.round(form.reserveCpus * 1e9);
  }
  if (form.reserveMemoryMiB !== undefined) {
    if (!isNonNeg(form.reserveMemoryMiB)) throw bad('memory reservation must be a non-negative number');
    if (form.reserveMemoryMiB > 0) reservations.MemoryBytes = Math.round(form.reserveMemoryMiB * 1024 * 1024);
  }
  if (Object.keys(reservations).length) spec.TaskTemplate.Resources = { Reservations: reservations };

  const restart: RestartPolicy = {};
  if (form.restartCondition !== undefined) {
    if (!['none', 'on-failure', 'any'].includes(form.restartCondition))
      throw bad(`invalid restart condition ${String(form.restartCondition)}`);
    restart.Condition = form.restartCondition;
  }
  if (form.restartDelaySeconds !== undefined) {
    if (!isNonNeg(form.restartDelaySeconds)) throw bad('restart delay must be a non-negative number');
    restart.Delay = Math.round(form.restartDelaySeconds * 1e9);
  }
  if (form.restartMaxAttempts !== undefined) {
    if (!isNonNegInt(form.restartMaxAttempts)) throw bad('restart max attempts must be a non-negative integer');
    restart.MaxAttempts = form.restartMaxAttempts;
  }
  if (Object.keys(restart).length) spec.TaskTemplate.RestartPolicy = restart;
  return spec;
}
