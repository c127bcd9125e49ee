import { describe, expect, it } from 'vitest';
import { deepEqual, diffSpecs, formatValue } from './spec-diff';

describe('deepEqual', () => {
  it('ignores key order and undefined fields, not array order', () => {
    expect(deepEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1, d: undefined })).toBe(true);
    expect(deepEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
  });
});

describe('diffSpecs', () => {
  const before = {
    Name: 'web',
    TaskTemplate: {
      ContainerSpec: { Image: 'nginx:1.26', Env: ['A=1', 'B=2'] },
      ForceUpdate: 0,
      Placement: { Constraints: ['node.role==worker'] },
    },
    Mode: { Replicated: { Replicas: 3 } },
    UpdateConfig: { Parallelism: 1, Delay: 0 },
  };

  it('lists changed, added and removed paths in a stable order', () => {
    const after = {
      Name: 'web',
      TaskTemplate: {
        ContainerSpec: { Image: 'nginx:1.27', Env: ['A=1', 'B=3'], Healthcheck: { Test: ['CMD', 'true'] } },
        ForceUpdate: 0,
      },
      Mode: { Replicated: { Replicas: 5 } },
      UpdateConfig: { Parallelism: 2, Delay: 5e9 },
    };
    expect(diffSpecs(before, after)).toEqual([
      { path: 'Mode.Replicated.Replicas', kind: 'changed', before: 3, after: 5 },
      { path: 'TaskTemplate.ContainerSpec.Env[]', kind: 'removed', before: 'B=2' },
      { path: 'TaskTemplate.ContainerSpec.Env[]', kind: 'added', after: 'B=3' },
      { path: 'TaskTemplate.ContainerSpec.Healthcheck.Test', kind: 'added', after: ['CMD', 'true'] },
      { path: 'TaskTemplate.ContainerSpec.Image', kind: 'changed', before: 'nginx:1.26', after: 'nginx:1.27' },
      { path: 'TaskTemplate.Placement.Constraints', kind: 'removed', before: ['node.role==worker'] },
      { path: 'UpdateConfig.Delay', kind: 'changed', before: 0, after: 5e9 },
      { path: 'UpdateConfig.Parallelism', kind: 'changed', before: 1, after: 2 },
    ]);
  });

  it('is empty for equal specs and reports a reorder of a list as one change', () => {
    expect(diffSpecs(before, structuredClone(before))).toEqual([]);
    const reordered = structuredClone(before);
    reordered.TaskTemplate.ContainerSpec.Env = ['B=2', 'A=1'];
    expect(diffSpecs(before, reordered)).toEqual([
      { path: 'TaskTemplate.ContainerSpec.Env', kind: 'changed', before: ['A=1', 'B=2'], after: ['B=2', 'A=1'] },
    ]);
  });

  it('walks lists of objects by position', () => {
    const a = { Ports: [{ TargetPort: 80 }, { TargetPort: 443 }] };
    const b = { Ports: [{ TargetPort: 8080 }] };
    expect(diffSpecs(a, b)).toEqual([
      { path: 'Ports[0].TargetPort', kind: 'changed', before: 80, after: 8080 },
      { path: 'Ports[1].TargetPort', kind: 'removed', before: 443 },
    ]);
  });
});

describe('formatValue', () => {
  it('prints durations in seconds and strings quoted', () => {
    expect(formatValue('UpdateConfig.Delay', 5e9)).toBe('5s');
    expect(formatValue('UpdateConfig.Monitor', 1.5e9)).toBe('1.5s');
    expect(formatValue('Mode.Replicated.Replicas', 3)).toBe('3');
    expect(formatValue('TaskTemplate.ContainerSpec.Image', 'nginx')).toBe('"nginx"');
  });
});
