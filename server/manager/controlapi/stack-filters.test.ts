// What `docker stack` asks of the control API: every object of a stack carries the label
// com.docker.stack.namespace=<stack>, and the CLI finds them with that label filter alone. The
// value must match exactly, so stack `app` never takes `app2`'s objects (swarmkit filterMatchLabels).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Labels, ServiceSpec } from '../../api/types';
import { makeNode, makeTask, openTempStore } from '../../store/test-support';
import { ManualClock } from '../../util/clock';
import { initCluster } from '../bootstrap';
import { createControlApi, type ControlApi } from './index';

const SELF = 'selfmanager00000000000001';
const NS = 'com.docker.stack.namespace';
const STACKS = ['app', 'app2', 'ap'];

let opened: Awaited<ReturnType<typeof openTempStore>>;
let api: ControlApi;

const stack = (name: string): Labels => ({ [NS]: name });
const service = (name: string, labels: Labels): ServiceSpec => ({
  Name: name,
  Labels: labels,
  TaskTemplate: { ContainerSpec: { Image: 'nginx:alpine', Labels: labels }, ForceUpdate: 0 },
  Mode: { Replicated: { Replicas: 1 } },
});

beforeEach(async () => {
  opened = await openTempStore();
  await initCluster(opened.store, {
    nodeID: SELF,
    description: makeNode({ hostname: 'manager1' }).Description,
    addr: '127.0.0.1',
  });
  api = createControlApi(opened.store, {
    selfNodeID: SELF,
    managerAddr: '127.0.0.1:2377',
    isLeader: () => true,
    clock: new ManualClock(),
  });
  const data = Buffer.from('x').toString('base64');
  for (const s of STACKS) {
    const net = await api.createNetwork({
      Name: `${s}_default`,
      Labels: stack(s),
      DriverConfiguration: { Name: 'overlay' },
    });
    const svc = await api.createService({
      ...service(`${s}_web`, { ...stack(s), 'com.docker.stack.image': 'nginx:alpine' }),
      TaskTemplate: { ...service('', stack(s)).TaskTemplate, Networks: [{ Target: net.ID, Aliases: ['web'] }] },
    });
    await opened.store.update((tx) => tx.create('task', makeTask(svc)));
    await api.createSecret({ Name: `${s}_token`, Labels: stack(s), Data: data });
    await api.createConfig({ Name: `${s}_site`, Labels: stack(s), Data: data });
  }
  // not a stack's: a service, network, secret and config without the label
  await api.createService(service('loose', {}));
  await api.createNetwork({ Name: 'loose', Labels: {}, DriverConfiguration: { Name: 'overlay' } });
  await api.createSecret({ Name: 'loose', Labels: {}, Data: data });
  await api.createConfig({ Name: 'loose', Labels: {}, Data: data });
});
afterEach(async () => {
  await opened.close();
});

describe("the stack's label filter", () => {
  const names = (list: { Spec: { Name: string } }[]) => list.map((o) => o.Spec.Name).sort();

  it("finds exactly one stack's services, networks, secrets and configs (`label=<ns>=<stack>`)", () => {
    const f = { label: [`${NS}=app`] };
    expect(names(api.listServices(f))).toEqual(['app_web']);
    expect(names(api.listNetworks(f))).toEqual(['app_default']);
    expect(names(api.listSecrets(f))).toEqual(['app_token']);
    expect(names(api.listConfigs(f))).toEqual(['app_site']);
  });

  it("finds a stack's tasks by their service's labels, not the task's own (stack ps)", () => {
    const tasks = api.listTasks({ label: [`${NS}=app2`] });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.ServiceAnnotations?.Name).toBe('app2_web');
    expect(tasks[0]!.Labels).toEqual({});
  });

  it('combines with the other filters the CLI passes (stack services --filter, stack ps --filter)', () => {
    expect(names(api.listServices({ label: [`${NS}=ap`, 'com.docker.stack.image=nginx:alpine'] }))).toEqual(['ap_web']);
    expect(names(api.listServices({ label: [`${NS}=ap`, 'com.docker.stack.image=redis'] }))).toEqual([]);
    expect(names(api.listServices({ label: [`${NS}=ap`], name: ['app'] }))).toEqual([]);
    expect(api.listTasks({ label: [`${NS}=ap`], 'desired-state': ['running'] })).toHaveLength(1);
  });

  it('with the key alone finds every stack and nothing else (stack ls)', () => {
    const f = { label: [NS] };
    expect(names(api.listServices(f))).toEqual(['ap_web', 'app2_web', 'app_web']);
    expect(names(api.listNetworks(f))).toEqual(['ap_default', 'app2_default', 'app_default']);
    expect(names(api.listSecrets(f))).toEqual(['ap_token', 'app2_token', 'app_token']);
    expect(names(api.listConfigs(f))).toEqual(['ap_site', 'app2_site', 'app_site']);
    expect(api.listTasks(f)).toHaveLength(3);
  });

  it('finds nothing for a stack that does not exist, or a value that is only a prefix', () => {
    for (const value of ['nosuch', 'a', 'app ', 'APP']) {
      const f = { label: [`${NS}=${value}`] };
      expect([
        api.listServices(f),
        api.listNetworks(f),
        api.listSecrets(f),
        api.listConfigs(f),
        api.listTasks(f),
      ]).toEqual([[], [], [], [], []]);
    }
  });
});
