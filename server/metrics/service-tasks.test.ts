import { afterEach, describe, expect, it } from 'vitest';
import type { Service, TaskState } from '../api/types';
import { makeService, makeServiceSpec, makeTask, openTempStore } from '../store/test-support';
import { serviceTaskCounts } from './service-tasks';

describe('service task counts (running against desired)', () => {
  let opened: Awaited<ReturnType<typeof openTempStore>> | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  const task = (s: Service, state: TaskState, desired: 'running' | 'shutdown' | 'complete' = 'running') =>
    makeTask(s, { DesiredState: desired, Status: { Timestamp: new Date(0).toISOString(), State: state, Message: '' } });

  it('counts replicas as desired even when no task could be placed, and caps running at desired', async () => {
    opened = await openTempStore();
    const short = makeService({ Spec: makeServiceSpec({ Name: 'short', Mode: { Replicated: { Replicas: 3 } } }) });
    const rolling = makeService({ Spec: makeServiceSpec({ Name: 'rolling', Mode: { Replicated: { Replicas: 1 } } }) });
    const global = makeService({ Spec: makeServiceSpec({ Name: 'everywhere', Mode: { Global: {} } }) });
    const job = makeService({
      Spec: makeServiceSpec({ Name: 'batch', Mode: { ReplicatedJob: { TotalCompletions: 4 } } }),
    });
    await opened.store.update((tx) => {
      for (const s of [short, rolling, global, job]) tx.create('service', s);
      tx.create('task', task(short, 'running'));
      tx.create('task', task(short, 'pending'));
      tx.create('task', task(short, 'shutdown', 'shutdown')); // an old one: neither
      // start-first: the new task runs beside the old one for a moment
      tx.create('task', task(rolling, 'running'));
      tx.create('task', task(rolling, 'running'));
      tx.create('task', task(global, 'running'));
      tx.create('task', task(global, 'running'));
      tx.create('task', task(global, 'rejected', 'shutdown'));
      tx.create('task', task(job, 'running', 'complete'));
    });
    // short 1/3, rolling 1/1 (2 running, capped), global 2/2, the job left out
    expect(serviceTaskCounts(opened.store.view)).toEqual({ running: 4, desired: 6 });
  });
});
