// The console's JSON API bodies and the form → ServiceSpec mapping, shared by
// the browser (to build the request) and the server (to validate it).

import { MAX_REPLICAS_SETTING, replicaLimitProblem, settingValue } from './cluster-settings';
import { parseConstraint } from './constraint';
import { rpcError, SwarmError } from './errors';
import {
  createServiceFormSchema,
  parseConsoleBody,
  updateServiceFormSchema,
  type MountEntry,
  type PortEntry,
} from './schemas/console-bodies';
import { parseServiceSpec } from './schemas/service-spec';
import { shellWords } from './shell-words';
import type {
  ConfigReference,
  Labels,
  Mount,
  NodeAvailability,
  PortConfig,
  RestartPolicy,
  SecretReference,
  ServiceSpec,
  ServiceVersion,
  UpdateConfig,
  UpdateStatus,
} from './types';

export interface CreateServiceForm {
  name: string;
  image: string;
  mode: 'replicated' | 'global';
  /** replicated only; default 1 */
  replicas?: number;
  /** `--entrypoint`, shell words: becomes ContainerSpec.Command */
  entrypoint?: string;
  /** `IMAGE [COMMAND] [ARG...]`, shell words: becomes ContainerSpec.Args (the CLI's mapping) */
  command?: string;
  /** KEY=value, one per entry */
  env?: string[];
  /** `--label key=value`: the service's own labels */
  labels?: string[];
  /** `--publish target=…,published=…,protocol=…,mode=…` */
  ports?: PortEntry[];
  /** `--network NAME`: swarm-scoped networks by name (the control API resolves them) */
  networks?: string[];
  /** `--mount type=…,source=…,target=…,readonly` */
  mounts?: MountEntry[];
  /** `--secret NAME` / `--config NAME`: existing objects by name */
  secrets?: string[];
  configs?: string[];
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
/** POST /api/swarm/settings: Swarmdeck's cluster settings; an omitted one is left as it is. */
export interface SwarmSettingsBody {
  maxReplicas?: number;
  specHistoryLimit?: number;
}

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

/** The IDs of the swarm's secrets and configs by name, as the CLI looks them up (`docker secret ls`). */
export interface PayloadLookup {
  secret(name: string): string | undefined;
  config(name: string): string | undefined;
}

/** One `--publish` as the CLI's PortOpt fills it: tcp and ingress unless given; no published port, the swarm picks. */
function portConfig(p: PortEntry): PortConfig {
  return {
    Protocol: p.protocol ?? 'tcp',
    TargetPort: p.target,
    ...(p.published !== undefined ? { PublishedPort: p.published } : {}),
    PublishMode: p.mode ?? 'ingress',
  };
}

/** One `--mount` as the CLI's MountOpt fills it: ReadOnly only when set, no source for tmpfs. */
function mountConfig(m: MountEntry): Mount {
  const source = (m.source ?? '').trim();
  return {
    Type: m.type,
    ...(source ? { Source: source } : {}),
    Target: m.target.trim(),
    ...(m.readonly ? { ReadOnly: true } : {}),
  };
}

/** The CLI's `--secret NAME` / `--config NAME` short form: a file named for it, root-owned, mode 0444. */
const fileTarget = (name: string) => ({ Name: name, UID: '0', GID: '0', Mode: 0o444 });

function words(field: string, text: string | undefined): string[] {
  const w = shellWords(text ?? '');
  if (!w) throw rpcError('InvalidArgument', `${field}: unterminated quote in ${JSON.stringify(text)}`);
  return w;
}

function names(field: string, list: string[] | undefined): string[] {
  const out = (list ?? []).map((n) => n.trim()).filter(Boolean);
  const dup = out.find((n, i) => out.indexOf(n) !== i);
  if (dup) throw rpcError('InvalidArgument', `${field}: ${dup} is listed twice`);
  return out;
}

/**
 * Validate a create form and build the spec the docker CLI would send for the
 * same flags (`--replicas`, `--env`, `--constraint`, `--reserve-cpu`, ...).
 * Units follow the Engine API: NanoCPUs, bytes, nanoseconds. Throws
 * InvalidArgument naming the field. Secrets and configs are named; `lookup`
 * gives their IDs as the CLI's does (without it, the browser's check, a name
 * stands for its ID).
 */
export function formToServiceSpec(input: CreateServiceForm, lookup?: PayloadLookup): ServiceSpec {
  const form = parseConsoleBody(createServiceFormSchema, input);
  const bad = (msg: string) => rpcError('InvalidArgument', msg);
  const image = (form.image ?? '').trim();
  if (!image) throw bad('ContainerSpec: image reference must be provided');
  const replicas = form.replicas ?? 1;
  const env = (form.env ?? []).map((e) => e.trim()).filter(Boolean);
  for (const e of env) if (e.startsWith('=')) throw bad(`invalid environment variable: ${e}`);
  const constraints = (form.constraints ?? []).map((c) => c.trim()).filter(Boolean);
  for (const c of constraints) {
    const parsed = parseConstraint(c);
    if (typeof parsed === 'string') throw bad(`invalid constraint "${c}": ${parsed}`);
  }

  const command = words('entrypoint', form.entrypoint);
  const args = words('command', form.command);
  const labels: Labels = {};
  for (const text of form.labels ?? []) {
    if (!text.trim()) continue;
    const { key, value } = parseLabel(text);
    labels[key] = value;
  }
  const networks = names('networks', form.networks);
  const secrets: SecretReference[] = names('secrets', form.secrets).map((name) => {
    const id = lookup ? lookup.secret(name) : name;
    if (id === undefined) throw new SwarmError('InvalidArgument', `secrets: secret not found: ${name}`);
    return { File: fileTarget(name), SecretID: id, SecretName: name };
  });
  const configs: ConfigReference[] = names('configs', form.configs).map((name) => {
    const id = lookup ? lookup.config(name) : name;
    if (id === undefined) throw new SwarmError('InvalidArgument', `configs: config not found: ${name}`);
    return { File: fileTarget(name), ConfigID: id, ConfigName: name };
  });
  const mounts = (form.mounts ?? []).map(mountConfig);
  const ports = (form.ports ?? []).map(portConfig);

  const spec: ServiceSpec = {
    Name: (form.name ?? '').trim(),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: image,
        ...(command.length ? { Command: command } : {}),
        ...(args.length ? { Args: args } : {}),
        ...(env.length ? { Env: env } : {}),
        ...(mounts.length ? { Mounts: mounts } : {}),
        ...(secrets.length ? { Secrets: secrets } : {}),
        ...(configs.length ? { Configs: configs } : {}),
      },
      ForceUpdate: 0,
    },
    Mode: form.mode === 'global' ? { Global: {} } : { Replicated: { Replicas: replicas } },
    // the CLI always sends the endpoint (--endpoint-mode defaults to vip)
    EndpointSpec: { Mode: 'vip', ...(ports.length ? { Ports: ports } : {}) },
  };
  if (constraints.length) spec.TaskTemplate.Placement = { Constraints: constraints };
  if (networks.length) spec.TaskTemplate.Networks = networks.map((Target) => ({ Target }));

  const reservations: { NanoCPUs?: number; MemoryBytes?: number } = {};
  if (form.reserveCpus) reservations.NanoCPUs = Math.round(form.reserveCpus * 1e9);
  if (form.reserveMemoryMiB) reservations.MemoryBytes = Math.round(form.reserveMemoryMiB * 1024 * 1024);
  if (Object.keys(reservations).length) spec.TaskTemplate.Resources = { Reservations: reservations };

  const restart: RestartPolicy = {};
  if (form.restartCondition !== undefined) restart.Condition = form.restartCondition;
  if (form.restartDelaySeconds !== undefined) restart.Delay = Math.round(form.restartDelaySeconds * 1e9);
  if (form.restartMaxAttempts !== undefined) restart.MaxAttempts = form.restartMaxAttempts;
  if (Object.keys(restart).length) spec.TaskTemplate.RestartPolicy = restart;
  return spec;
}

/**
 * The whole check the server makes of a create form, for the browser to run
 * before it sends: the form, the spec it becomes (the Engine API's schema)
 * and the cluster's replica limit. Returns the refusal message, or undefined.
 */
export function createFormProblem(form: CreateServiceForm, clusterLabels: Labels | undefined): string | undefined {
  try {
    const spec = parseServiceSpec(formToServiceSpec(form));
    const problem = replicaLimitProblem(spec, settingValue(MAX_REPLICAS_SETTING, clusterLabels));
    return problem ? rpcError('InvalidArgument', problem).message : undefined;
  } catch (err) {
    if (err instanceof SwarmError) return err.message;
    throw err;
  }
}

/** The replica limit's refusal for a scale to `replicas`, for the browser to show before it sends. */
export function scaleProblem(replicas: number, clusterLabels: Labels | undefined): string | undefined {
  if (!Number.isSafeInteger(replicas) || replicas < 0) return 'replicas must be a non-negative integer';
  const problem = replicaLimitProblem(
    { Mode: { Replicated: { Replicas: replicas } } },
    settingValue(MAX_REPLICAS_SETTING, clusterLabels),
  );
  return problem ? rpcError('InvalidArgument', problem).message : undefined;
}

// ---------- rolling updates and spec history ----------

/**
 * A rollout as the history list shows it: its last status plus counts, without
 * the event log (GET /api/services/:id/versions/:versionID has the events).
 */
export type RolloutSummary = UpdateStatus & { EventCount: number; Failures: number };

/** A spec version without its event log. */
export type ServiceVersionSummary = Omit<ServiceVersion, 'Update'> & { Update?: RolloutSummary };

/** GET /api/services/:id/versions: the service's versions, oldest first. */
export interface ServiceVersionsBody {
  ServiceID: string;
  /** The record the service runs now (newest with the service's SpecVersion), if any. */
  CurrentID?: string;
  Versions: ServiceVersionSummary[];
}

/**
 * GET /api/configs/:id/data: a config's data (base64), for its page. The
 * socket carries configs without it, so a snapshot stays small however large
 * the configs are (1000 KiB each at most).
 */
export interface ConfigDataBody {
  ID: string;
  /** The config's Version.Index this data belongs to. */
  Version: number;
  Data: string;
}

/** POST /api/services/:id/restore: make this recorded version's spec current again. */
export interface RestoreBody {
  versionID: string;
}

/**
 * POST /api/services/:id/update: `docker service update --image … --update-*`.
 * Omitted fields keep their value. Durations in seconds.
 */
export interface UpdateServiceForm {
  image?: string;
  parallelism?: number;
  delaySeconds?: number;
  failureAction?: NonNullable<UpdateConfig['FailureAction']>;
  monitorSeconds?: number;
  maxFailureRatio?: number;
  order?: NonNullable<UpdateConfig['Order']>;
  /** `--force`: bump TaskTemplate.ForceUpdate so every task is replaced. */
  force?: boolean;
}

export function summarizeVersion(v: ServiceVersion): ServiceVersionSummary {
  const { Update, ...rest } = v;
  if (!Update) return rest;
  const { Events, ...status } = Update;
  return {
    ...rest,
    Update: { ...status, EventCount: Events.length, Failures: Events.filter((e) => e.Kind === 'task-failed').length },
  };
}

/**
 * Apply an update form to a spec, with the docker CLI's checks (InvalidArgument
 * texts as the control API words them). Returns a new spec; `spec` is not touched.
 */
export function applyUpdateForm(spec: ServiceSpec, input: UpdateServiceForm): ServiceSpec {
  const form = parseConsoleBody(updateServiceFormSchema, input);
  const job = !!(spec.Mode.ReplicatedJob || spec.Mode.GlobalJob);
  const rollout = [form.parallelism, form.delaySeconds, form.monitorSeconds, form.maxFailureRatio];
  // a job has no rolling update (swarmkit refuses its UpdateConfig): the CLI's words for the flags
  if (job && (rollout.some((v) => v !== undefined) || form.failureAction || form.order))
    throw rpcError('InvalidArgument', 'update and rollback configuration is not supported for jobs');
  const cfg: UpdateConfig = { ...(spec.UpdateConfig ?? {}) };
  if (form.parallelism !== undefined) cfg.Parallelism = form.parallelism;
  if (form.delaySeconds !== undefined) cfg.Delay = Math.round(form.delaySeconds * 1e9);
  if (form.monitorSeconds !== undefined) cfg.Monitor = Math.round(form.monitorSeconds * 1e9);
  if (form.maxFailureRatio !== undefined) cfg.MaxFailureRatio = form.maxFailureRatio;
  if (form.failureAction !== undefined) cfg.FailureAction = form.failureAction;
  if (form.order !== undefined) cfg.Order = form.order;
  const tt = spec.TaskTemplate;
  let image = tt.ContainerSpec.Image;
  if (form.image !== undefined) {
    if (!form.image.trim()) throw rpcError('InvalidArgument', 'ContainerSpec: image reference must be provided');
    image = form.image.trim();
  }
  return {
    ...spec,
    ...(job ? {} : { UpdateConfig: cfg }),
    TaskTemplate: {
      ...tt,
      ContainerSpec: { ...tt.ContainerSpec, Image: image },
      ForceUpdate: form.force ? (tt.ForceUpdate ?? 0) + 1 : tt.ForceUpdate,
    },
  };
}
