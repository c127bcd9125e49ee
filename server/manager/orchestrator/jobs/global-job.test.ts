import { describe, expect, it } from 'vitest';
import type { Node, Service, Task, TaskState } from '../../../api/types';
import { makeNode, makeService, makeServiceSpec, makeTask } from '../../../store/test-support';
import { planGlobalJob } from './global-job';

function job(iteration = 0, constraints?: string[]): Service {
  return makeService({
    Spec: makeServiceSpec({
      Mode: { GlobalJob: {} },
      TaskTemplate: { ContainerSpec: { Image: 'alpine' }, ForceUpdate: 0, Placement: { Constraints: constraints } },
    }),
    JobStatus: { JobIteration: { Index: iteration } },
  });
}

let clock = 0;
function task(s: Service, node: Node, state: TaskState, desired: TaskState = 'complete', iteration = 0): Task {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString();
  return makeTask(s, {
    Slot: 0,
    NodeID: node.ID,
    DesiredState: desired,
    JobIteration: { Index: iteration },
    Status: { State: state, Message: state, Timestamp: at, AppliedAt: at },
  });
}

const always = () => true;

describe('planGlobalJob', () => {
  it('gives every ready, active node that matches the constraints one task', () => {
    const a = makeNode({ hostname: 'a' });
    const b = makeNode({ hostname: 'b' });
    const drained = makeNode({ Spec: { Labels: {}, Role: 'worker', Availability: 'drain' } });
    const paused = makeNode({ Spec: { Labels: {}, Role: 'worker', Availability: 'pause' } });
    const down = makeNode();
    down.Status = { ...down.Status, State: 'down' };
    const plan = planGlobalJob(job(0, ['node.hostname!=b']), [], [a, b, drained, paused, down], always);
    expect(plan.create).toEqual([a.ID]);
  });

  it('gives nothing new to a node that completed, runs, or gave up; a failed node with attempts left is open', () => {
    const [a, b, c, d] = [makeNode(), makeNode(), makeNode(), makeNode()];
    const s = job();
    const tasks = [
      task(s, a, 'complete'),
      task(s, b, 'running'),
      task(s, c, 'failed', 'shutdown'),
      task(s, d, 'failed', 'shutdown'),
    ];
    const plan = planGlobalJob(s, tasks, [a, b, c, d], (t) => t.NodeID === d.ID);
    expect(plan.create).toEqual([d.ID]);
  });

  it('shuts down the unfinished task of a node that went down; a finished one is left', () => {
    const a = makeNode();
    a.Status = { ...a.Status, State: 'down' };
    const s = job();
    const running = task(s, a, 'running');
    const done = task(s, a, 'complete');
    expect(planGlobalJob(s, [running, done], [a], always).shutdown).toEqual([running]);
  });

  it('removes the unfinished tasks of an earlier iteration and runs the new one everywhere', () => {
    const a = makeNode();
    const s = job(3);
    const old = task(s, a, 'running', 'complete', 2);
    const oldDone = task(s, a, 'complete', 'complete', 2);
    const plan = planGlobalJob(s, [old, oldDone], [a], always);
    expect(plan.remove).toEqual([old]);
    expect(plan.create).toEqual([a.ID]);
  });
});
