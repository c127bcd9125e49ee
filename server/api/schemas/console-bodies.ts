// The console's JSON API bodies and query (server/http/console/api.ts), one
// schema each. The browser parses with the same schemas before it sends, so
// the form shows the server's words without a round trip. Unknown fields are
// dropped; a field of the wrong type or out of range is refused with a
// message that names it.

import { z } from 'zod';
import { MAX_REPLICAS_SETTING, SPEC_HISTORY_SETTING, type ClusterSetting } from '../cluster-settings';
import { SwarmError } from '../errors';
import { rpcText } from './issues';

/** A field that must pass `test`; any other value is refused with `message`. */
function field<T>(test: (v: unknown) => v is T, message: string | ((v: unknown) => string)) {
  return z.custom<T>(test, { error: (iss) => (typeof message === 'string' ? message : message(iss.input)) });
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isWhole = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const oneOf =
  <T extends string>(values: readonly T[]) =>
  (v: unknown): v is T =>
    typeof v === 'string' && (values as readonly string[]).includes(v);

const invalid = (desc: string) => rpcText(desc);

const RESTART_CONDITIONS = ['none', 'on-failure', 'any'] as const;
const FAILURE_ACTIONS = ['pause', 'continue', 'rollback'] as const;
const ORDERS = ['stop-first', 'start-first'] as const;
const AVAILABILITIES = ['active', 'pause', 'drain'] as const;
const TOKEN_ROLES = ['worker', 'manager'] as const;

const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
const PUBLISH_MODES = ['ingress', 'host'] as const;
const MOUNT_TYPES = ['bind', 'volume', 'tmpfs'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= 65535;

/** The first problem of one `--publish` entry, naming it as `ports[i].field`. */
function portProblem(p: unknown, i: number): string | undefined {
  const at = `ports[${i}]`;
  if (!isRecord(p)) return `${at} must be an object {target, published?, protocol?, mode?}`;
  if (!isPort(p.target)) return `${at}.target must be a port number from 1 to 65535`;
  if (p.published !== undefined && !isPort(p.published))
    return `${at}.published must be a port number from 1 to 65535, or left out for one from the swarm's range`;
  if (p.protocol !== undefined && !oneOf(PROTOCOLS)(p.protocol))
    return `${at}.protocol ${JSON.stringify(p.protocol)} is not tcp, udp or sctp`;
  if (p.mode !== undefined && !oneOf(PUBLISH_MODES)(p.mode))
    return `${at}.mode ${JSON.stringify(p.mode)} is not ingress or host`;
  return undefined;
}

/** The first problem of one `--mount` entry (the CLI's and swarmkit validateMounts' checks), as `mounts[i].field`. */
function mountProblem(m: unknown, i: number): string | undefined {
  const at = `mounts[${i}]`;
  if (!isRecord(m)) return `${at} must be an object {type, source?, target, readonly?}`;
  if (!oneOf(MOUNT_TYPES)(m.type)) return `${at}.type ${JSON.stringify(m.type)} is not bind, volume or tmpfs`;
  if (!isString(m.target) || m.target.trim() === '') return `${at}.target is required`;
  if (!m.target.trim().startsWith('/'))
    return `${at}.target: invalid mount target, must be an absolute path: ${m.target}`;
  if (m.source !== undefined && !isString(m.source)) return `${at}.source must be a string`;
  const source = (m.source ?? '').trim();
  if (m.type === 'bind' && !source.startsWith('/'))
    return `${at}.source: invalid bind mount source, must be an absolute path: ${source}`;
  if (m.type === 'tmpfs' && source !== '') return `${at}.source: invalid tmpfs source, source must be empty`;
  if (m.readonly !== undefined && !isBool(m.readonly)) return `${at}.readonly must be true or false`;
  return undefined;
}

/** A list whose entries pass `problem`; the message names the first bad entry. */
const entries = (name: string, problem: (v: unknown, i: number) => string | undefined) =>
  field(
    (v): v is unknown[] => Array.isArray(v) && v.every((e, i) => problem(e, i) === undefined),
    (v) =>
      invalid(Array.isArray(v) ? (v.map(problem).find(Boolean) ?? `${name} is invalid`) : `${name} must be a list`),
  );

export interface PortEntry {
  target: number;
  published?: number;
  protocol?: (typeof PROTOCOLS)[number];
  mode?: (typeof PUBLISH_MODES)[number];
}
export interface MountEntry {
  type: (typeof MOUNT_TYPES)[number];
  source?: string;
  target: string;
  readonly?: boolean;
}

/** POST /api/services: `docker service create` as a form. */
export const createServiceFormSchema = z.object({
  name: field(isString, invalid('name must be a string')).optional(),
  image: field(isString, invalid('ContainerSpec: image reference must be provided')).optional(),
  mode: field(oneOf(['replicated', 'global'] as const), (v) => invalid(`invalid mode ${JSON.stringify(v)}`)),
  replicas: field(isWhole, invalid('replicas must be a non-negative integer')).optional(),
  entrypoint: field(isString, invalid('entrypoint must be a string')).optional(),
  command: field(isString, invalid('command must be a string')).optional(),
  env: field(isStrings, invalid('env must be a list of KEY=value strings')).optional(),
  labels: field(isStrings, invalid('labels must be a list of key=value strings')).optional(),
  ports: entries('ports', portProblem).optional() as z.ZodOptional<z.ZodType<PortEntry[]>>,
  networks: field(isStrings, invalid('networks must be a list of network names')).optional(),
  mounts: entries('mounts', mountProblem).optional() as z.ZodOptional<z.ZodType<MountEntry[]>>,
  secrets: field(isStrings, invalid('secrets must be a list of secret names')).optional(),
  configs: field(isStrings, invalid('configs must be a list of config names')).optional(),
  constraints: field(isStrings, invalid('constraints must be a list of strings')).optional(),
  reserveCpus: field(isAmount, invalid('CPU reservation must be a non-negative number')).optional(),
  reserveMemoryMiB: field(isAmount, invalid('memory reservation must be a non-negative number')).optional(),
  restartCondition: field(oneOf(RESTART_CONDITIONS), (v) =>
    invalid(`invalid restart condition ${JSON.stringify(v)}`),
  ).optional(),
  restartDelaySeconds: field(isAmount, invalid('restart delay must be a non-negative number')).optional(),
  restartMaxAttempts: field(isWhole, invalid('restart max attempts must be a non-negative integer')).optional(),
});

/** POST /api/services/:id/update: `docker service update --image … --update-*`; durations in seconds. */
export const updateServiceFormSchema = z.object({
  image: field(isString, invalid('ContainerSpec: image reference must be provided')).optional(),
  parallelism: field(isWhole, invalid('parallelism must be a non-negative integer')).optional(),
  delaySeconds: field(isAmount, invalid('TaskSpec: update-delay cannot be negative')).optional(),
  failureAction: field(oneOf(FAILURE_ACTIONS), (v) =>
    invalid(`invalid failure action ${JSON.stringify(v)}: pause, continue or rollback`),
  ).optional(),
  monitorSeconds: field(isAmount, invalid('TaskSpec: update-monitor cannot be negative')).optional(),
  maxFailureRatio: field(
    (v): v is number => isAmount(v) && v <= 1,
    invalid('TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1'),
  ).optional(),
  order: field(oneOf(ORDERS), (v) =>
    invalid(`invalid update order ${JSON.stringify(v)}: stop-first or start-first`),
  ).optional(),
  force: field(isBool, invalid('force must be true or false')).optional(),
});

/** POST /api/services/:id/scale */
export const scaleBodySchema = z.object({
  replicas: field(isWhole, 'replicas must be a non-negative integer'),
});

/** POST /api/services/:id/image */
export const imageBodySchema = z.object({
  image: field((v): v is string => isString(v) && v.trim() !== '', 'image must be a non-empty string'),
});

/** POST /api/services/:id/restore */
export const restoreBodySchema = z.object({
  versionID: field((v): v is string => isString(v) && v !== '', 'versionID must be a non-empty string'),
});

/** POST /api/nodes/:id/availability */
export const availabilityBodySchema = z.object({
  availability: field(
    oneOf(AVAILABILITIES),
    (v) => `invalid availability ${JSON.stringify(v)}: active, pause or drain`,
  ),
});

/** POST /api/nodes/:id/labels (the key's own rules are the CLI's, checked by parseLabel's labelKeyProblem). */
export const labelBodySchema = z.object({
  key: field(isString, 'expected {"key": string, "value": string}'),
  value: field(isString, 'expected {"key": string, "value": string}').optional(),
});

/** POST /api/swarm/join-tokens/rotate */
export const rotateTokenBodySchema = z.object({
  role: field(oneOf(TOKEN_ROLES), (v) => `invalid role ${JSON.stringify(v)}: worker or manager`),
});

const settingField = (s: ClusterSetting, name: string) =>
  field(
    (v): v is number => isWhole(v) && v >= s.min && v <= s.max,
    `${name} must be a whole number from ${s.min} to ${s.max} (cluster label ${s.label})`,
  ).optional();

/** POST /api/swarm/settings: Swarmdeck's cluster settings (kept as cluster labels). */
export const swarmSettingsBodySchema = z.object({
  maxReplicas: settingField(MAX_REPLICAS_SETTING, 'maxReplicas'),
  specHistoryLimit: settingField(SPEC_HISTORY_SETTING, 'specHistoryLimit'),
});

/** GET /api/logs?service=<id>|task=<id>[&tail=N|all][&follow=0|1][&since=ms] */
export const consoleLogsQuerySchema = z.object({
  service: z.string().optional(),
  task: z.string().optional(),
  tail: field(
    (v): v is string => isString(v) && (v === 'all' || /^\d+$/.test(v)),
    'tail must be a non-negative integer or "all"',
  ).optional(),
  follow: z.string().optional(),
  since: field((v): v is string => isString(v) && /^\d*$/.test(v), 'since must be a non-negative integer').optional(),
});

/** The first problem of a console body as a 400; `undefined` or null stands for an empty body. */
export function parseConsoleBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (!issue || issue.path.length === 0) throw new SwarmError('InvalidArgument', 'expected a JSON object');
  throw new SwarmError('InvalidArgument', issue.message);
}
