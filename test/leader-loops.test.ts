// The leader-side loops stop on losing leadership and start again on
// winning it (raft will do both). After a stop/start cycle every loop must
// work: orchestrators, allocator, scheduler, dispatcher, restart supervisor.
import { afterEach, describe, expect, it } from 'vitest';
import { newID } from '../server/api/ids';
import type { ServiceSpec } from '../server/api/types';
import { Agent } from '../server/agent/agent';
import { SimExecutor } from '../server/agent/executor/sim';
import { ensureSimWorkers, initCluster, simWorkerDescription } from '../server/manager/bootstrap';
import { createControlApi } from '../server/manager/controlapi';
import { LeaderLoops } from '../server/manager/manager';
import { openTempStore } from '../server/store/test-support';
import { systemClock } from '../server/util/clock';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('leader loops', () => {
  it('work again after stop and start (a step-down followed by a re-election)', async () => {
    const opened = await openTempStore();
    cleanups.push(() => opened.close());
    const { store } = opened;
    const self = newID();
    await initCluster(store, { nodeID: self, description: simWorkerDescription(0), addr: '127.0.0.1' });
    const sims = await ensureSimWorkers(store, 2);
    const loops = new LeaderLoops(store, systemClock, self);
    loops.start();
    cleanups.push(() => loops.stop());
    const agents = [{ id: self, description: simWorkerDescription(0) }, ...sims].map(
      (s) =>
        new Agent({
          nodeID: s.id,
          dispatcher: loops.dispatcher,
          executor: new SimExecutor({ speed: 0 }),
          description: s.description,
          addr: '127.0.0.1',
        }),
    );
    await Promise.all(agents.map((a) => a.start()));
    cleanups.push(() => Promise.all(agents.map((a) => a.stop())).then(() => undefined));
    const control = createControlApi(store, {
      selfNodeID: self,
      managerAddr: 'x',
      isLeader: () => true,
      clock: systemClock,
    });
    const spec = (name: string, replicas: number, env: string[] = []): ServiceSpec => ({
      Name: name,
      Labels: {},
      TaskTemplate: {
        ContainerSpec: { Image: 'nginx', Env: env },
        RestartPolicy: { Condition: 'on-failure', Delay: 0 },
        ForceUpdate: 0,
      },
      Mode: { Replicated: { Replicas: replicas } },
    });
    const running = (id: string) =>
      store.view.tasksByService(id).filter((t) => t.DesiredState === 'running' && t.Status.State === 'running').length;

    const web = await control.createService(spec('web', 3));
    await until('3 running', () => running(web.ID) === 3);

    await loops.stop();
    loops.start();

    const cur = control.getService('web');
    await control.updateService('web', cur.Version.Index, { ...cur.Spec, Mode: { Replicated: { Replicas: 5 } } });
    await until('5 running after the restart of the loops', () => running(web.ID) === 5);

    // the restart supervisor works too: a failing task is replaced in its slot
    const flaky = await control.createService(
      spec('flaky', 1, ['SWARMDECK_SIM_EXIT_CODE=1', 'SWARMDECK_SIM_EXIT_AFTER=50ms']),
    );
    await until(
      'a failed task and its replacement',
      () =>
        store.view.tasksByService(flaky.ID).some((t) => t.Status.State === 'failed') &&
        store.view.tasksByService(flaky.ID).length >= 2,
    );
    expect(new Set(store.view.tasksByService(flaky.ID).map((t) => t.Slot))).toEqual(new Set([1]));
  });
});
