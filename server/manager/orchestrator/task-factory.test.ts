import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../api/types';
import { makeNode, makeService } from '../../store/test-support';
import { isTaskDirty, newTask } from './task-factory';

describe('newTask', () => {
  it('copies the spec, SpecVersion and service annotations; status new/created', () => {
    const svc = makeService({ SpecVersion: { Index: 4 } });
    const t = newTask(svc, { slot: 3 }, 'running', '2026-01-01T00:00:00.000Z');
    expect(t).toMatchObject({
      Slot: 3,
      NodeID: '',
      ServiceID: svc.ID,
      SpecVersion: { Index: 4 },
      DesiredState: 'running',
      Status: { State: 'new', Message: 'created', Timestamp: '2026-01-01T00:00:00.000Z' },
      ServiceAnnotations: { Name: 'web', Labels: {} },
      Labels: {},
    });
    expect(t.ID).toHaveLength(25);
    expect(newTask(svc, { nodeID: 'n1' }, 'ready', t.CreatedAt)).toMatchObject({ Slot: 0, NodeID: 'n1' });
  });
});

describe('isTaskDirty', () => {
  const base = makeService({ SpecVersion: { Index: 1 } });
  const task = newTask(base, { slot: 1 }, 'running', '2026-01-01T00:00:00.000Z');
  const next = (spec: ServiceSpec) => ({ ...base, Spec: spec, SpecVersion: { Index: 9 } });

  it('compares content, not SpecVersion: a restored spec is clean', () => {
    expect(isTaskDirty(next(base.Spec), task)).toBe(false);
    const img = next({ ...base.Spec, TaskTemplate: { ...base.Spec.TaskTemplate, ContainerSpec: { Image: 'b' } } });
    expect(isTaskDirty(img, task)).toBe(true);
  });

  it('ForceUpdate and endpoint changes are dirty; labels and replicas are not', () => {
    expect(isTaskDirty(next({ ...base.Spec, TaskTemplate: { ...base.Spec.TaskTemplate, ForceUpdate: 1 } }), task)).toBe(
      true,
    );
    expect(isTaskDirty(next({ ...base.Spec, EndpointSpec: { Ports: [{ TargetPort: 80 }] } }), task)).toBe(true);
    expect(isTaskDirty(next({ ...base.Spec, Labels: { x: 'y' }, Mode: { Replicated: { Replicas: 9 } } }), task)).toBe(
      false,
    );
  });

  it('a placement-only change keeps tasks whose node still matches', () => {
    const n = makeNode({ Spec: { Labels: { zone: 'a' }, Role: 'worker', Availability: 'active' } });
    const placed = { ...task, NodeID: n.ID };
    const spec = (c: string) =>
      next({ ...base.Spec, TaskTemplate: { ...base.Spec.TaskTemplate, Placement: { Constraints: [c] } } });
    expect(isTaskDirty(spec('node.labels.zone==a'), placed, n)).toBe(false);
    expect(isTaskDirty(spec('node.labels.zone==b'), placed, n)).toBe(true);
    expect(isTaskDirty(spec('node.labels.zone==a'), placed, undefined)).toBe(true);
  });
});
