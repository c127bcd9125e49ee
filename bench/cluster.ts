// An in-process manager with N simulated nodes, wired exactly like
// server/main.ts (same store, log on SQLite, loops, dispatcher, agents) minus
// the HTTP listeners, so benchmarks measure the control plane itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newID } from '../server/api/ids';
import type { ServiceSpec, Task } from '../server/api/types';
import { openStore } from '../server/store/open';
import { ensureSimWorkers, initCluster, simWorkerDescription } from '../server/manager/bootstrap';
import { LeaderLoops } from '../server/manager/manager';
import { createControlApi } from '../server/manager/controlapi';
import { Agent } from '../server/agent/agent';
import { SimExecutor } from '../server/agent/executor/sim';
import { systemClock } from '../server/util/clock';

export async function startBenchCluster(nodes: number, opts: { speed: number }) {
  // the control loops' timers are unref'd (they must not hold a server open); hold the process here
  const keepAlive = setInterval(() => undefined, 1000);
  const dir = mkdtempSync(join(tmpdir(), 'swarmdeck-bench-'));
  const opened = await openStore(dir);
  const { store } = opened;
  const selfNodeID = newID();
  const selfDesc = { ...simWorkerDescription(0), Hostname: 'bench-manager' };
  await initCluster(store, { nodeID: selfNodeID, description: selfDesc, addr: '127.0.0.1' });
  const sims = await ensureSimWorkers(store, nodes - 1);
  const loops = new LeaderLoops(store, systemClock, selfNodeID);
  loops.start();
  const control = createControlApi(store, {
    selfNodeID,
    managerAddr: '127.0.0.1:2377',
    isLeader: () => true,
    clock: systemClock,
  });
  const agents = [{ id: selfNodeID, description: selfDesc }, ...sims].map(
    (s) =>
      new Agent({
        nodeID: s.id,
        dispatcher: loops.dispatcher,
        executor: new SimExecutor({ speed: opts.speed }),
        description: s.description,
        addr: '127.0.0.1',
      }),
  );
  await Promise.all(agents.map((a) => a.start()));
  await waitFor(() => store.view.list('node').every((n) => n.Status.State === 'ready'), 60_000);

  return {
    store,
    control,
    /** Create a service and time it to all-assigned and all-running. */
    async run(spec: ServiceSpec, replicas: number): Promise<{ assignedMs: number; runningMs: number }> {
      const t0 = performance.now();
      let assignedMs = -1;
      let runningMs = -1;
      let serviceID = '';
      const done = new Promise<void>((resolve) => {
        const check = () => {
          if (!serviceID) return;
          const tasks = store.view.tasksByService(serviceID).filter((t: Task) => t.DesiredState === 'running');
          if (tasks.length < replicas) return;
          if (
            assignedMs < 0 &&
            tasks.every((t) => t.NodeID && t.Status.State !== 'pending' && t.Status.State !== 'new')
          )
            assignedMs = performance.now() - t0;
          if (tasks.every((t) => t.Status.State === 'running')) {
            runningMs = performance.now() - t0;
            unwatch();
            resolve();
          }
        };
        const unwatch = store.view.watch(check);
        const svcP = control.createService(spec);
        void svcP.then((s) => {
          serviceID = s.ID;
          check();
        });
      });
      await withTimeout(done, 300_000, `service ${spec.Name} did not converge`);
      // clean up so the next run starts from an empty cluster
      await control.removeService(serviceID);
      await waitFor(() => store.view.tasksByService(serviceID).length === 0, 120_000);
      return { assignedMs, runningMs };
    },
    async stop() {
      clearInterval(keepAlive);
      await Promise.all(agents.map((a) => a.stop()));
      await loops.stop();
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref())]);
}
