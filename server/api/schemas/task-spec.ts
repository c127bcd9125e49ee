// TaskSpec (moby api/types/swarm/task.go): resources, restart policy,
// placement, networks, log driver and the runtime, with moby's converter
// checks and swarmkit's validateTaskSpec.

import { parseConstraint } from '../constraint';
import type { Placement } from '../types';
import { containerSpecSchema, driverSchema } from './container-spec';
import { goBool, goEnum, goInt, goMap, goSlice, goString, goStruct } from './go-json';
import { rpcText, rules, type Refuse } from './issues';

const MIN_NANO_CPUS = 1e6;
const MIN_MEMORY = 4 * 1024 * 1024;

/** Go's %g for the small values swarmkit's cpu message shows (0.0005, 1e-06). */
function formatG(n: number): string {
  if (n !== 0 && Math.abs(n) < 1e-4) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

/** swarmkit validateResources: 0 means unset, anything else at least 0.001 CPU and 4 MiB. */
function checkResources(r: { NanoCPUs?: number; MemoryBytes?: number } | undefined, no: Refuse): void {
  if (!r) return;
  const cpus = r.NanoCPUs ?? 0;
  const mem = r.MemoryBytes ?? 0;
  if (cpus !== 0 && cpus < MIN_NANO_CPUS)
    no(rpcText(`invalid cpu value ${formatG(cpus / 1e9)}: Must be at least ${formatG(MIN_NANO_CPUS / 1e9)}`));
  if (mem !== 0 && mem < MIN_MEMORY) no(rpcText(`invalid memory value ${mem}: Must be at least 4MiB`));
}

const genericResource = goStruct('GenericResource', {
  NamedResourceSpec: goStruct('NamedGenericResource', {
    Kind: goString().optional(),
    Value: goString().optional(),
  }).optional(),
  DiscreteResourceSpec: goStruct('DiscreteGenericResource', {
    Kind: goString().optional(),
    Value: goInt('int64').optional(),
  }).optional(),
});

const resourceRequirements = goStruct('ResourceRequirements', {
  Limits: goStruct('Limit', {
    NanoCPUs: goInt('int64').optional(),
    MemoryBytes: goInt('int64').optional(),
    Pids: goInt('int64').optional(),
  }).optional(),
  Reservations: goStruct('Resources', {
    NanoCPUs: goInt('int64').optional(),
    MemoryBytes: goInt('int64').optional(),
    GenericResources: goSlice(genericResource).optional(),
  }).optional(),
}).transform(
  rules((r, no) => {
    checkResources(r.Limits, no);
    checkResources(r.Reservations, no);
    return r;
  }),
);

const restartPolicy = goStruct('RestartPolicy', {
  Condition: goEnum('swarm.RestartPolicyCondition', ['none', 'on-failure', 'any'], {
    empty: 'any',
    exactCase: true,
    refusal: (v) => `invalid RestartCondition: ${JSON.stringify(v)}`,
  }).optional(),
  Delay: goInt('time.Duration').optional(),
  MaxAttempts: goInt('uint64').optional(),
  Window: goInt('time.Duration').optional(),
}).transform(
  rules((rp, no) => {
    if ((rp.Delay ?? 0) < 0) no(rpcText('TaskSpec: restart-delay cannot be negative'));
    if ((rp.Window ?? 0) < 0) no(rpcText('TaskSpec: restart-window cannot be negative'));
    return { ...rp, Condition: rp.Condition ?? 'any' };
  }),
);

const SPREAD_PREFIXES = ['node.labels.', 'engine.labels.'];

/**
 * Spread is the only placement preference. swarmkit silently ignores a
 * descriptor that is not a node or engine label (so nothing is spread); that
 * typo is refused here instead.
 */
function spreadProblem(descriptor: string): string | undefined {
  const lower = descriptor.toLowerCase();
  if (SPREAD_PREFIXES.some((p) => lower.startsWith(p) && descriptor.length > p.length)) return undefined;
  return `invalid placement preference spread=${descriptor}: the descriptor must be node.labels.<name> or engine.labels.<name>`;
}

const placement = goStruct('Placement', {
  Constraints: goSlice(goString()).optional(),
  Preferences: goSlice(
    goStruct('PlacementPreference', {
      Spread: goStruct('SpreadOver', { SpreadDescriptor: goString().optional() }).optional(),
    }),
  ).optional(),
  MaxReplicas: goInt('uint64').optional(),
  Platforms: goSlice(
    goStruct('Platform', { Architecture: goString().optional(), OS: goString().optional() }),
  ).optional(),
}).transform(
  rules((p, no) => {
    // moby keeps only spread preferences
    const preferences: NonNullable<Placement['Preferences']> = [];
    for (const pref of p.Preferences ?? []) {
      if (!pref.Spread) continue;
      const descriptor = pref.Spread.SpreadDescriptor ?? '';
      const problem = spreadProblem(descriptor);
      if (problem) no(rpcText(problem));
      preferences.push({ Spread: { SpreadDescriptor: descriptor } });
    }
    for (const expr of p.Constraints ?? []) {
      const c = parseConstraint(expr);
      if (typeof c === 'string') no(rpcText(c));
    }
    const { Preferences: _all, ...rest } = p;
    const out: typeof rest & Pick<Placement, 'Preferences'> = rest;
    if (preferences.length > 0 || p.Preferences?.length === 0) out.Preferences = preferences;
    return out;
  }),
);

export const networkAttachmentConfigSchema = goStruct('NetworkAttachmentConfig', {
  Target: goString().optional(),
  Aliases: goSlice(goString()).optional(),
  DriverOpts: goMap(goString()).optional(),
}).transform((n) => ({ ...n, Target: n.Target ?? '' }));

const pluginSpec = goStruct(
  'PluginSpec',
  {
    name: goString().optional(),
    remote: goString().optional(),
    privileges: goSlice(
      goStruct(
        'PluginPrivilege',
        {
          name: goString().optional(),
          description: goString().optional(),
          value: goSlice(goString()).optional(),
        },
        { pkg: 'runtime' },
      ),
    ).optional(),
    disabled: goBool().optional(),
    env: goSlice(goString()).optional(),
  },
  { pkg: 'runtime' },
);

export const taskSpecSchema = goStruct('TaskSpec', {
  ContainerSpec: containerSpecSchema.optional(),
  PluginSpec: pluginSpec.optional(),
  NetworkAttachmentSpec: goStruct('NetworkAttachmentSpec', { ContainerID: goString().optional() }).optional(),
  Resources: resourceRequirements.optional(),
  RestartPolicy: restartPolicy.optional(),
  Placement: placement.optional(),
  Networks: goSlice(networkAttachmentConfigSchema).optional(),
  LogDriver: driverSchema.optional(),
  ForceUpdate: goInt('uint64').optional(),
  Runtime: goString('swarm.RuntimeType').optional(),
}).transform(
  rules((t, no) => {
    const { PluginSpec: plugin, NetworkAttachmentSpec: _attachment, ContainerSpec: container, ...rest } = t;
    const runtime = t.Runtime ?? '';
    // moby ServiceSpecToGRPC: only the container runtime runs here
    if (runtime === 'plugin') {
      if (!plugin) no('mismatched Runtime and *Spec fields');
      // a refused input is a 400 here, where dockerd would say Unimplemented (501) for what it cannot do
      no('TaskTemplate.Runtime "plugin": plugin services are not supported by Swarmdeck');
    }
    if (runtime !== '' && runtime !== 'container') no('unsupported runtime');
    if (!container) no('mismatched Runtime and *Spec fields');
    // the other runtimes' specs are not stored with a container runtime
    return { ...rest, ContainerSpec: container!, ForceUpdate: t.ForceUpdate ?? 0, Runtime: 'container' as string };
  }),
);
