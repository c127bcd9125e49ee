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

/** POST /api/services: `docker service create` as a form. */
export const createServiceFormSchema = z.object({
  name: field(isString, invalid('name must be a string')).optional(),
  image: field(isString, invalid('ContainerSpec: image reference must be provided')).optional(),
  mode: field(oneOf(['replicated', 'global'] as const), (v) => invalid(`invalid mode ${JSON.stringify(v)}`)),
  replicas: field(isWhole, invalid('replicas must be a non-negative integer')).optional(),
  env: field(isStrings, invalid('env must be a list of KEY=value strings')).optional(),
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
