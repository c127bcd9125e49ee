// Service specs at the control API: the schema (server/api/schemas) decodes,
// checks and normalises them as moby's converter and swarmkit's
// validateServiceSpec do; here an unnamed service gets its generated name.
// The stored spec is the normalised one, and GET returns it as stored, so a
// spec the CLI reads, edits and posts back comes in exactly as it went out.

import { parseServiceSpec } from '../../api/schemas/service-spec';
import type { ServiceMode, ServiceSpec, TaskSpec } from '../../api/types';
import { randomName } from './random-name';

export type ModeKind = 'replicated' | 'global' | 'replicated-job' | 'global-job';

export function modeKind(mode: ServiceMode): ModeKind {
  if (mode.Global) return 'global';
  if (mode.ReplicatedJob) return 'replicated-job';
  if (mode.GlobalJob) return 'global-job';
  return 'replicated';
}

/** A replicated or global job: its tasks run to completion, once per iteration. */
export function isJobMode(mode: ServiceMode | undefined): boolean {
  return !!(mode?.ReplicatedJob || mode?.GlobalJob);
}

/** Validate and normalise a spec as the docker CLI (or the console) sends it. Throws SwarmError. */
export function normaliseServiceSpec(input: unknown): ServiceSpec {
  const spec = parseServiceSpec(input);
  // moby names an unnamed service before swarmkit validates it
  return spec.Name === '' ? { ...spec, Name: randomName() } : spec;
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
