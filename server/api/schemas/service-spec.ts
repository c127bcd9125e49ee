// ServiceSpec (moby api/types/swarm/service.go) as dockerd takes it on
// `POST /services/create` and `/services/{id}/update`: Go's decoder, moby's
// converter (ServiceSpecToGRPC) and swarmkit's validateServiceSpec. The
// output is the normalised spec the store keeps, and what GET returns, so a
// spec the CLI reads, edits and posts back parses to itself.

import type { ServiceMode, ServiceSpec } from '../types';
import { taskSpecSchema, networkAttachmentConfigSchema } from './task-spec';
import { endpointSpecSchema } from './endpoint-spec';
import { goInt, goSlice, goString, goStruct } from './go-json';
import { parseOrThrow, rpcText, rules, type Refuse } from './issues';
import { goLabels } from './labels';
import { rollbackConfigSchema, updateConfigSchema } from './update-config';

/** swarmkit's isValidDNSName. */
const NAME_RE = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
const NAME_MAX = 63;

/** swarmkit validateAnnotations, for a name that is set (an empty one gets a generated name first). */
export function serviceNameProblem(name: string): string | undefined {
  if (!NAME_RE.test(name)) return rpcText('name must be valid as a DNS name component');
  if (name.length > NAME_MAX) return rpcText('name must be 63 characters or fewer');
  return undefined;
}

const uint64 = () => goInt('uint64').optional();

const serviceMode = goStruct('ServiceMode', {
  Replicated: goStruct('ReplicatedService', { Replicas: uint64() }).optional(),
  Global: goStruct('GlobalService', {}).optional(),
  ReplicatedJob: goStruct('ReplicatedJob', { MaxConcurrent: uint64(), TotalCompletions: uint64() }).optional(),
  GlobalJob: goStruct('GlobalJob', {}).optional(),
});

type DecodedMode = { [K in keyof ServiceMode]?: object };

function normaliseMode(m: DecodedMode & { Replicated?: { Replicas?: number } }, no: Refuse): ServiceMode {
  const kinds = (['Replicated', 'Global', 'ReplicatedJob', 'GlobalJob'] as const).filter((k) => m[k] !== undefined);
  if (kinds.length > 1) no('must specify only one service mode');
  if (kinds[0] === 'GlobalJob') return { GlobalJob: {} };
  if (kinds[0] === 'ReplicatedJob') return normaliseReplicatedJob(m.ReplicatedJob as ReplicatedJobIn, no);
  if (kinds[0] === 'Global') return { Global: {} };
  // `{"Replicated":{}}` (no --replicas) and an empty Mode both mean one replica
  const replicas = m.Replicated?.Replicas ?? 1;
  // swarmkit validateMode converts to int64
  if (replicas >= 2 ** 63) no(rpcText('Number of replicas must be non-negative'));
  return { Replicated: { Replicas: replicas } };
}

type ReplicatedJobIn = { MaxConcurrent?: number; TotalCompletions?: number };

/**
 * moby's converter fills the unset counts (MaxConcurrent 1, TotalCompletions
 * = MaxConcurrent); swarmkit validateMode converts both to int64. The stored
 * spec always has both, as the CLI's job progress and `service ls` read them.
 */
function normaliseReplicatedJob(j: ReplicatedJobIn, no: Refuse): ServiceMode {
  const MaxConcurrent = j.MaxConcurrent ?? 1;
  const TotalCompletions = j.TotalCompletions ?? MaxConcurrent;
  if (MaxConcurrent >= 2 ** 63) no(rpcText('Maximum concurrent jobs must not be negative'));
  if (TotalCompletions >= 2 ** 63) no(rpcText('Total completed jobs must not be negative'));
  return { ReplicatedJob: { MaxConcurrent, TotalCompletions } };
}

export const serviceSpecSchema = goStruct(
  'ServiceSpec',
  {
    Name: goString().optional(),
    Labels: goLabels('Labels').optional(),
    TaskTemplate: taskSpecSchema.optional(),
    Mode: serviceMode.optional(),
    UpdateConfig: updateConfigSchema.optional(),
    RollbackConfig: rollbackConfigSchema.optional(),
    Networks: goSlice(networkAttachmentConfigSchema).optional(),
    EndpointSpec: endpointSpecSchema.optional(),
  },
  { embedded: { Name: 'Annotations', Labels: 'Annotations' } },
).transform(
  rules((s, no) => {
    // moby's converter: the runtime needs its spec, then the mode
    if (!s.TaskTemplate) no('mismatched Runtime and *Spec fields');
    const mode = s.Mode ?? {};
    if ((mode.ReplicatedJob || mode.GlobalJob) && s.UpdateConfig) no(rpcText('Jobs may not have an update config'));
    const Mode = normaliseMode(mode, no);
    const name = s.Name ?? '';
    const problem = name === '' ? undefined : serviceNameProblem(name);
    if (problem) no(problem);
    const { UpdateConfig, RollbackConfig, Networks, ...rest } = s;
    return {
      ...rest,
      Name: name,
      Labels: s.Labels ?? {},
      TaskTemplate: s.TaskTemplate!,
      Mode,
      ...(UpdateConfig ? { UpdateConfig } : {}),
      ...(RollbackConfig ? { RollbackConfig } : {}),
      ...(Networks ? { Networks } : {}),
      EndpointSpec: s.EndpointSpec ?? { Mode: 'vip' as const },
    };
  }),
);

/**
 * A posted spec, decoded, checked and normalised; throws the SwarmError
 * dockerd would give. An empty name stays empty (the control API names it).
 */
export function parseServiceSpec(input: unknown): ServiceSpec {
  return parseOrThrow(serviceSpecSchema, input, 'swarm.ServiceSpec');
}
