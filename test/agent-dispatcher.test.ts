// Agent + simulated executor against the real dispatcher and a real store:
// the node side of the task lifecycle end to end (no scheduler involved; tasks
// are written already ASSIGNED).
import { afterEach, describe, expect, it } from 'vitest';
import type { Node, Service, Task, TaskState } from '../server/api/types';
import { TASK_STATE_VALUE } from '../server/api/types';
import { Agent } from '../server/agent/agent';
import { SimExecutor } from '../server/agent/executor/sim';
import type { DispatcherApi, TaskStatusUpdate } from '../server/manager/dispatcher/api';
import { Dispatcher } from '../server/manager/dispatcher/dispatcher';
import { makeNode, makeService, makeTask, openTempStore } from '../server/store/test-support';
import { systemClock } from '../server/util/clock';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cluster() {
  const s = await openTempStore();
  const node: Node = makeNode({ Status: { State: 'down', Addr: '' } });
  const svc: Service = makeService();
  await s.store.update((tx) => {
    tx.create('node', node);
    tx.create('service', svc);
  });
  const dispatcher = new Dispatcher(s.store, systemClock, { selfNodeID: 'mgr' });
  dispatcher.start();
  // every report the agent sends, in order
  const reports: TaskStatusUpdate[] = [];
  const spy: DispatcherApi = {
    register: (req) => dispatcher.register(req),
    heartbeat: (sid) => dispatcher.heartbeat(sid),
    assignments: (sid, cb) => dispatcher.assignments(sid, cb),
    leave: (sid) => dispatcher.leave(sid),
    updateTaskStatus: (sid, updates) => {
      reports.push(...updates);
      return dispatcher.updateTaskStatus(sid, updates);
    },
  };
  const executor = new SimExecutor({ prepareMs: [5, 20], startMs: [5, 20], stopMs: [5, 10], seed: 1 });
  const agent = new Agent({
    nodeID: node.ID,
    dispatcher: spy,
    executor,
    addr: '10.0.0.5',
    description: { ...node.Description, Hostname: 'sim-1' },
  });
  cleanup.push(() => s.close());
  cleanup.push(() => dispatcher.stop());
  cleanup.push(() => agent.stop());
  await agent.start();

  const view = s.store.view;
  const task = (id: string) => view.get('task', id)!;
  async function assign(over: Partial<Task> = {}, env?: string[]): Promise<Task> {
    const spec = env
      ? { ...svc.Spec.TaskTemplate, ContainerSpec: { ...svc.Spec.TaskTemplate.ContainerSpec, Env: env } }
      : undefined;
    const t = makeTask(svc, {
      NodeID: node.ID,
      Status: { State: 'assigned', Message: 'scheduler assigned task to node', Timestamp: new Date().toISOString() },
      ...(spec ? { Spec: spec } : {}),
      ...over,
    });
    await s.store.update((tx) => tx.create('task', t));
    return t;
  }
  async function setDesired(id: string, desired: TaskState): Promise<void> {
    await s.store.update(
      (tx) => {
        const cur = tx.get('task', id)!;
        tx.update('task', { ...cur, DesiredState: desired });
      },
      { retry: true },
    );
  }
  const reported = (id: string) => reports.filter((r) => r.taskID === id).map((r) => r.status.State);
  return { ...s, node, svc, dispatcher, agent, executor, task, assign, setDesired, reported };
}

describe('agent + sim executor + dispatcher', () => {
  it('registers the node ready and walks an assigned task to running, reporting each state in order', async () => {
    const c = await cluster();
    expect(c.store.view.get('node', c.node.ID)!.Status).toEqual({ State: 'ready', Addr: '10.0.0.5' });
    expect(c.store.view.get('node', c.node.ID)!.Description.Hostname).toBe('sim-1');

    const t = await c.assign();
    await waitFor(() => c.task(t.ID).Status.State === 'running');
    expect(c.reported(t.ID)).toEqual(['accepted', 'preparing', 'ready', 'starting', 'running']);
    const st = c.task(t.ID).Status;
    expect(st.Message).toBe('started');
    expect(st.ContainerStatus?.ContainerID).toMatch(/^[0-9a-f]{64}$/);
    expect(st.ContainerStatus?.PID).toBeGreaterThan(0);
    expect(st.AppliedBy).toBe('mgr');
    expect(st.AppliedAt).toBeTruthy();
    expect(c.executor.runningCount).toBe(1);
  });

  it('parks a task with desired READY at ready and starts it once desired becomes RUNNING', async () => {
    const c = await cluster();
    const t = await c.assign({ DesiredState: 'ready' });
    await waitFor(() => c.task(t.ID).Status.State === 'ready');
    expect(c.task(t.ID).Status.Message).toBe('prepared');
    await sleep(300);
    expect(c.task(t.ID).Status.State).toBe('ready');
    expect(c.executor.runningCount).toBe(0);

    await c.setDesired(t.ID, 'running');
    await waitFor(() => c.task(t.ID).Status.State === 'running');
    expect(c.reported(t.ID)).toEqual(['accepted', 'preparing', 'ready', 'starting', 'running']);
  });

  it('stops a running task whose desired state becomes SHUTDOWN and reports shutdown', async () => {
    const c = await cluster();
    const t = await c.assign();
    await waitFor(() => c.task(t.ID).Status.State === 'running');
    await c.setDesired(t.ID, 'shutdown');
    await waitFor(() => c.task(t.ID).Status.State === 'shutdown');
    expect(c.task(t.ID).Status.Message).toBe('shutdown');
    expect(c.executor.runningCount).toBe(0);
    await sleep(200);
    expect(c.reported(t.ID).at(-1)).toBe('shutdown');
    expect(c.reported(t.ID).filter((s) => s === 'shutdown')).toHaveLength(1);
  });

  it('reports a non-zero exit injected through env as failed with the exit code', async () => {
    const c = await cluster();
    const t = await c.assign({}, ['SWARMDECK_SIM_EXIT_CODE=3', 'SWARMDECK_SIM_EXIT_AFTER=50ms']);
    await waitFor(() => TASK_STATE_VALUE[c.task(t.ID).Status.State] > TASK_STATE_VALUE.running);
    const st = c.task(t.ID).Status;
    expect(st.State).toBe('failed');
    expect(st.Err).toBe('task: non-zero exit (3)');
    expect(st.Message).toBe('started');
    expect(st.ContainerStatus?.ExitCode).toBe(3);
    expect(c.reported(t.ID)).toEqual(['accepted', 'preparing', 'ready', 'starting', 'running', 'failed']);
  });

  it('reports exit 0 as complete ("finished")', async () => {
    const c = await cluster();
    const t = await c.assign({}, ['SWARMDECK_SIM_EXIT_AFTER=50ms']);
    await waitFor(() => c.task(t.ID).Status.State === 'complete');
    expect(c.task(t.ID).Status).toMatchObject({ Message: 'finished', ContainerStatus: { ExitCode: 0 } });
    expect(c.task(t.ID).Status.Err).toBeUndefined();
  });

  it('rejects a task whose prepare fails and fails one whose start fails', async () => {
    const c = await cluster();
    const a = await c.assign({}, ['SWARMDECK_SIM_FAIL=prepare']);
    const b = await c.assign({ Slot: 2 }, ['SWARMDECK_SIM_FAIL=start']);
    await waitFor(() => c.task(a.ID).Status.State === 'rejected' && c.task(b.ID).Status.State === 'failed');
    expect(c.task(a.ID).Status).toMatchObject({ Message: 'preparing', Err: 'sim: injected prepare failure' });
    expect(c.task(b.ID).Status).toMatchObject({ Message: 'starting', Err: 'sim: injected start failure' });
  });

  it('stops and forgets a task that is deleted from the store', async () => {
    const c = await cluster();
    const t = await c.assign();
    await waitFor(() => c.task(t.ID).Status.State === 'running');
    await c.store.update((tx) => tx.delete('task', t.ID));
    await waitFor(() => c.executor.runningCount === 0);
  });
});
