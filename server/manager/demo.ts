import { EXECUTOR_LABEL } from '../api/node-labels';
import type { ServiceSpec, TaskSpec } from '../api/types';
import { runAs } from '../store/audit-context';
import type { ControlApi } from './controlapi/types';

const SECOND = 1e9;

function service(name: string, image: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    Name: name,
    Labels: { 'swarmdeck.demo': 'true' },
    TaskTemplate: { ContainerSpec: { Image: image }, ForceUpdate: 0 },
    Mode: { Replicated: { Replicas: 1 } },
    ...over,
  };
}

/**
 * The demo's images and failure injection mean something only to the simulated executor,
 * so its services stay on the simulated workers; the manager's own node runs real
 * processes and is left to the user's services.
 */
export const ON_SIMULATED_NODES = `engine.labels.${EXECUTOR_LABEL}==sim`;

function onSimulatedNodes(spec: ServiceSpec): ServiceSpec {
  const template: TaskSpec = spec.TaskTemplate;
  const constraints = [...(template.Placement?.Constraints ?? []), ON_SIMULATED_NODES];
  return { ...spec, TaskTemplate: { ...template, Placement: { ...template.Placement, Constraints: constraints } } };
}

/**
 * What `--demo` creates on a brand-new swarm: a few services with simulated
 * tasks, one of which crashes now and then, so the console shows replicas,
 * placement, a global service and per-slot history at first sight.
 */
export const DEMO_SERVICES: ServiceSpec[] = [
  service('web', 'nginx:alpine', { Mode: { Replicated: { Replicas: 6 } } }),
  service('api', 'ghcr.io/example/api:1.4', {
    Mode: { Replicated: { Replicas: 3 } },
    TaskTemplate: {
      ContainerSpec: { Image: 'ghcr.io/example/api:1.4', Env: ['LOG_LEVEL=info'] },
      Placement: { Constraints: ['node.role==worker'] },
      Resources: { Reservations: { NanoCPUs: 0.5e9, MemoryBytes: 256 * 1024 ** 2 } },
      ForceUpdate: 0,
    },
  }),
  service('node-exporter', 'prom/node-exporter:v1.8.2', { Mode: { Global: {} } }),
  service('flaky-worker', 'busybox:1.36', {
    Mode: { Replicated: { Replicas: 2 } },
    TaskTemplate: {
      ContainerSpec: {
        Image: 'busybox:1.36',
        // the simulated executor's failure injection (server/agent/executor/SIM.md)
        Env: ['SWARMDECK_SIM_EXIT_CODE=1', 'SWARMDECK_SIM_EXIT_AFTER=45s'],
      },
      RestartPolicy: { Condition: 'on-failure', Delay: 10 * SECOND },
      ForceUpdate: 0,
    },
  }),
].map(onSimulatedNodes);

export async function createDemoServices(control: ControlApi): Promise<void> {
  for (const spec of DEMO_SERVICES) {
    if (control.listServices({ name: [spec.Name] }).some((s) => s.Spec.Name === spec.Name)) continue;
    await runAs({ actor: { kind: 'system', name: 'demo' }, action: `create demo service ${spec.Name}` }, () =>
      control.createService(spec),
    );
  }
}
