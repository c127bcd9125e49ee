import { afterEach, describe, expect, it } from 'vitest';
import type { Service, ServiceMode, Task } from '../../../api/types';
import { isTerminal } from '../../../api/types';
import { makeNode, makeService, makeServiceSpec, openTempStore } from '../../../store/test-support';
import { ManualClock } from '../../../util/clock';
import { Orchestrators } from '../index';
import { FakeAgents, report, settle, until } from '../testkit';

describe('JobOrchestrator', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  async function setup(mode: ServiceMode, restart: { MaxAttempts?: number } = {}, nodeCount = 2) {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00.000Z'));
    const s = await openTempStore({ clock: () => clock.now() });
    const nodes = Array.from({ length: nodeCount }, () => makeNode());
    await s.store.update((tx) => {
      for (const n of nodes) tx.create('node', n);
    });
    const orch = new Orchestrators(s.store, clock);
    let rr = 0;
    const fake = new FakeAgents(s.store, () => nodes[rr++ % nodes.length]!.ID);
    fake.start();
    orch.start();
    cleanup.push(async () => {
      fake.stop();
      await orch.stop();
      await s.close();
    });
    const svc = makeService({
      Spec: makeServiceSpec({
        Name: 'batch',
        Mode: mode,
        TaskTemplate: {
          ContainerSpec: { Image: 'alpine' },
          ForceUpdate: 0,
          RestartPolicy: { Condition: 'any', Delay: 0, ...restart },
        },
      }),
      JobStatus: { JobIteration: { Index: 0 } },
    });
    await s.store.update((tx) => tx.create('service', svc));
    const view = s.store.view;
    const tasks = () => view.tasksByService(svc.ID);
    const running = () => tasks().filter((t) => t.Status.State === 'running');
    return { clock, store: s.store, view, orch, svc, nodes, tasks, running };
  }

  it('runs a replicated job of 6 at most 2 at a time, in slots 0 … 5, and never restarts a completed task', async () => {
    const { store, tasks, running, orch } = await setup({ ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 6 } });
    const waves: number[][] = [];
    for (let wave = 0; wave < 3; wave++) {
      await until(() => running().length === 2);
      await orch.idle();
      expect(tasks().filter((t) => !isTerminal(t.Status.State))).toHaveLength(2);
      const now = running();
      waves.push(now.map((t) => t.Slot).sort());
      for (const t of now) await report(store, t.ID, 'complete');
    }
    expect(waves).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    await until(() => tasks().filter((t) => t.Status.State === 'complete').length === 6);
    await settle();
    await orch.idle();
    const all = tasks();
    expect(all).toHaveLength(6);
    expect(all.every((t) => t.DesiredState === 'complete' && t.JobIteration?.Index === 0)).toBe(true);
  });

  it('retries a failing slot per its restart policy: MaxAttempts 2 is 3 attempts, then that slot gives up', async () => {
    const { store, tasks, orch } = await setup(
      { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 2 } },
      { MaxAttempts: 2 },
    );
    const live = () => tasks().filter((t) => t.Status.State === 'running');
    for (let attempt = 0; attempt < 3; attempt++) {
      await until(() => live().length === 1 && live()[0]!.Slot === 0);
      await report(store, live()[0]!.ID, 'failed');
    }
    // slot 0 gave up; slot 1 runs in its place and completes
    await until(() => live().length === 1 && live()[0]!.Slot === 1);
    await report(store, live()[0]!.ID, 'complete');
    await settle();
    await orch.idle();
    const slot0 = tasks().filter((t) => t.Slot === 0);
    expect(slot0).toHaveLength(3);
    expect(slot0.every((t) => t.Status.State === 'failed' && t.DesiredState === 'shutdown')).toBe(true);
    expect(
      tasks()
        .filter((t) => t.Slot === 1)
        .map((t) => t.Status.State),
    ).toEqual(['complete']);
  });

  it('starts a new iteration on a spec update: unfinished tasks removed, the new run in every slot', async () => {
    const { store, view, svc, tasks, running } = await setup({
      ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 2 },
    });
    await until(() => running().length === 2);
    await report(store, running()[0]!.ID, 'complete');
    const unfinished = running()[0]!;
    await store.update((tx) => {
      const s = tx.get('service', svc.ID)!;
      const next: Service = {
        ...s,
        Spec: { ...s.Spec, TaskTemplate: { ...s.Spec.TaskTemplate, ForceUpdate: 1 } },
        SpecVersion: { Index: s.Version.Index },
        JobStatus: { JobIteration: { Index: 1 } },
      };
      tx.update('service', next);
    });
    await until(
      () => tasks().filter((t: Task) => t.JobIteration?.Index === 1 && t.Status.State === 'running').length === 2,
    );
    expect(view.get('task', unfinished.ID)?.DesiredState ?? 'remove').toBe('remove');
    // the finished task of iteration 0 stays as history
    expect(tasks().filter((t) => t.JobIteration?.Index === 0 && t.Status.State === 'complete')).toHaveLength(1);
  });

  it('runs a global job once per node and does not restart its completed tasks', async () => {
    const { store, tasks, running, nodes, orch } = await setup({ GlobalJob: {} }, {}, 3);
    await until(() => running().length === 3);
    expect(new Set(running().map((t) => t.NodeID))).toEqual(new Set(nodes.map((n) => n.ID)));
    for (const t of running()) await report(store, t.ID, 'complete');
    await settle();
    await orch.idle();
    expect(tasks()).toHaveLength(3);
    expect(tasks().every((t) => t.Status.State === 'complete')).toBe(true);
  });
});
