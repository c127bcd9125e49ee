import { afterEach, describe, expect, it } from 'vitest';
import { openTempStore } from '../store/test-support';
import { systemClock } from '../util/clock';
import { createControlApi } from './controlapi';
import { createDemoServices, DEMO_SERVICES } from './demo';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('demo services', () => {
  it('are valid specs, created once even when asked twice', async () => {
    const s = await openTempStore();
    cleanups.push(() => s.close());
    const control = createControlApi(s.store, {
      selfNodeID: 'x',
      managerAddr: '127.0.0.1:2377',
      isLeader: () => true,
      clock: systemClock,
    });
    await createDemoServices(control);
    await createDemoServices(control);
    const names = control.listServices().map((svc) => svc.Spec.Name);
    expect(names.sort()).toEqual(DEMO_SERVICES.map((d) => d.Name).sort());
    expect(control.getService('node-exporter').Spec.Mode).toEqual({ Global: {} });
    // the manager's own node runs real processes: the demo's simulated services stay off it
    for (const svc of control.listServices())
      expect(svc.Spec.TaskTemplate.Placement?.Constraints).toContain('engine.labels.com.swarmdeck.executor==sim');
    expect(control.getService('api').Spec.TaskTemplate.Placement?.Constraints).toContain('node.role==worker');
  });
});
