// The `insertDefaults=true` view (`docker service inspect`): swarmkit's
// defaults.InterpolateService. Only fills what is missing; stored specs are
// never changed by it.

import type { ServiceSpec, UpdateConfig } from '../../api/types';

const SECOND = 1_000_000_000;

const DEFAULT_UPDATE: Required<Omit<UpdateConfig, 'Delay'>> = {
  Parallelism: 1,
  FailureAction: 'pause',
  Monitor: 5 * SECOND,
  MaxFailureRatio: 0,
  Order: 'stop-first',
};

function withUpdateDefaults(uc: UpdateConfig | undefined): UpdateConfig {
  if (!uc) return { ...DEFAULT_UPDATE };
  return uc.Monitor ? uc : { ...uc, Monitor: DEFAULT_UPDATE.Monitor };
}

export function interpolateServiceSpec(spec: ServiceSpec): ServiceSpec {
  const tt = spec.TaskTemplate;
  const cs = tt.ContainerSpec;
  const rp = tt.RestartPolicy;
  return {
    ...spec,
    TaskTemplate: {
      ...tt,
      ContainerSpec: {
        ...cs,
        StopGracePeriod: cs.StopGracePeriod ?? 10 * SECOND,
        DNSConfig: cs.DNSConfig ?? {},
      },
      Resources: tt.Resources ?? {},
      RestartPolicy: rp
        ? { ...rp, Condition: rp.Condition ?? 'any', Delay: rp.Delay ?? 5 * SECOND }
        : { Condition: 'any', Delay: 5 * SECOND, MaxAttempts: 0 },
      Placement: tt.Placement ?? {},
    },
    UpdateConfig: withUpdateDefaults(spec.UpdateConfig),
    RollbackConfig: withUpdateDefaults(spec.RollbackConfig),
  };
}
