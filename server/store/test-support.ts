import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster, Node, Service, ServiceSpec, Task } from '../api/types';
import { newID } from '../api/ids';
import { openStore, type OpenedStore } from './open';

/** A real store on a real SQLite file in a temp dir, removed on close. */
export async function openTempStore(opts: { clock?: () => number } = {}): Promise<OpenedStore & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'swarmdeck-test-'));
  // writes on this thread: a writer thread per store doubled these tests' time (sqlite-storage.test.ts,
  // open.test.ts and every test running a manager process cover the thread)
  const opened = await openStore(dir, { ...opts, writerThread: false });
  return {
    ...opened,
    dir,
    async close() {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const T0 = '2026-01-01T00:00:00.000Z';

export function makeNode(over: Partial<Node> & { hostname?: string } = {}): Node {
  const { hostname, ...rest } = over;
  return {
    ID: newID(),
    Version: { Index: 0 },
    CreatedAt: T0,
    UpdatedAt: T0,
    Spec: { Labels: {}, Role: 'worker', Availability: 'active' },
    Role: 'worker',
    Description: {
      Hostname: hostname ?? 'node-' + Math.random().toString(36).slice(2, 7),
      Platform: { Architecture: 'x86_64', OS: 'linux' },
      Resources: { NanoCPUs: 2e9, MemoryBytes: 4 * 1024 ** 3 },
      Engine: { EngineVersion: 'swarmdeck', Labels: {} },
    },
    Status: { State: 'ready', Addr: '127.0.0.1' },
    ...rest,
  };
}

export function makeServiceSpec(over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    Name: 'web',
    Labels: {},
    TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine' }, ForceUpdate: 0 },
    Mode: { Replicated: { Replicas: 1 } },
    ...over,
  };
}

export function makeService(over: Partial<Service> = {}): Service {
  return {
    ID: newID(),
    Version: { Index: 0 },
    CreatedAt: T0,
    UpdatedAt: T0,
    Spec: makeServiceSpec(),
    SpecVersion: { Index: 0 },
    Endpoint: { Spec: {} },
    ...over,
  };
}

export function makeTask(service: Service, over: Partial<Task> = {}): Task {
  return {
    ID: newID(),
    Version: { Index: 0 },
    CreatedAt: T0,
    UpdatedAt: T0,
    Labels: {},
    Spec: service.Spec.TaskTemplate,
    SpecVersion: service.SpecVersion,
    ServiceID: service.ID,
    Slot: 1,
    NodeID: '',
    Status: { Timestamp: T0, State: 'new', Message: 'created' },
    DesiredState: 'running',
    ServiceAnnotations: { Name: service.Spec.Name, Labels: service.Spec.Labels },
    ...over,
  };
}

/** The swarm's cluster object as `swarm init` writes it (default spec, placeholder join tokens). */
export function makeCluster(over: Partial<Cluster> = {}): Cluster {
  return {
    ID: 'c1',
    Version: { Index: 0 },
    CreatedAt: T0,
    UpdatedAt: T0,
    Spec: {
      Name: 'default',
      Labels: {},
      Orchestration: {},
      Raft: {},
      Dispatcher: {},
      CAConfig: {},
      TaskDefaults: {},
      EncryptionConfig: { AutoLockManagers: false },
    },
    JoinTokens: { Worker: 'SWMTKN-1-worker', Manager: 'SWMTKN-1-manager' },
    DefaultAddrPool: [],
    SubnetSize: 24,
    DataPathPort: 4789,
    RootRotationInProgress: false,
    ...over,
  };
}
