import { describe, expect, it } from 'vitest';
import { MAX_REPLICAS_SETTING, replicaLimitProblem, settingProblem, settingValue } from './cluster-settings';

describe('cluster settings', () => {
  it('reads a label, falling back to the default when unset or out of range', () => {
    expect(settingValue(MAX_REPLICAS_SETTING, undefined)).toBe(10_000);
    expect(settingValue(MAX_REPLICAS_SETTING, { 'swarmdeck.max-replicas': '250' })).toBe(250);
    expect(settingValue(MAX_REPLICAS_SETTING, { 'swarmdeck.max-replicas': '0' })).toBe(10_000);
    expect(settingValue(MAX_REPLICAS_SETTING, { 'swarmdeck.max-replicas': '2e4' })).toBe(10_000);
    expect(settingProblem(MAX_REPLICAS_SETTING, '100000')).toBeUndefined();
    expect(settingProblem(MAX_REPLICAS_SETTING, '-1')).toMatch(/must be a whole number from 1 to 100000/);
  });

  it('limits replicated services and names the field, the limit and how to raise it', () => {
    expect(replicaLimitProblem({ Mode: { Replicated: { Replicas: 10_000 } } }, 10_000)).toBeUndefined();
    expect(replicaLimitProblem({ Mode: { Global: {} } }, 1)).toBeUndefined();
    expect(
      replicaLimitProblem({ Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 5 } } }, 5),
    ).toBeUndefined();
    expect(replicaLimitProblem({ Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 6 } } }, 5)).toMatch(
      /^Mode\.ReplicatedJob\.TotalCompletions: 6 replicas is more than this swarm's limit of 5 per service/,
    );
    expect(replicaLimitProblem({ Mode: { Replicated: { Replicas: 10_001 } } }, 10_000)).toBe(
      "Mode.Replicated.Replicas: 10001 replicas is more than this swarm's limit of 10000 per service; " +
        "raise the limit (up to 100000) in the console's Swarm settings, " +
        'or set the cluster label swarmdeck.max-replicas=<N> with POST /swarm/update',
    );
  });
});
