// Minimal objects for the UI's unit tests (UI code may not import server test support).
import type { Service, Task } from '@/server/api/types';

const T0 = '2026-01-01T00:00:00.000Z';

export function fixtureService(over: Partial<Service> = {}): Service {
  return {
    ID: 'svc',
    Version: { Index: 1 },
    CreatedAt: T0,
    UpdatedAt: T0,
    Spec: {
      Name: 'web',
      Labels: {},
      TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' }, ForceUpdate: 0 },
      Mode: { Replicated: { Replicas: 1 } },
    },
    SpecVersion: { Index: 1 },
    Endpoint: { Spec: {} },
    ...over,
  };
}

export function fixtureTask(service: Service, over: Partial<Task> = {}): Task {
  return {
    ID: 't',
    Version: { Index: 1 },
    CreatedAt: T0,
    UpdatedAt: T0,
    Labels: {},
    Spec: service.Spec.TaskTemplate,
    ServiceID: service.ID,
    Slot: 1,
    NodeID: '',
    Status: { Timestamp: T0, State: 'new', Message: 'created' },
    DesiredState: 'running',
    ServiceAnnotations: { Name: service.Spec.Name, Labels: {} },
    ...over,
  };
}
