import { describe, expect, it } from 'vitest';
import type { Service, Task, TaskState } from '../../../api/types';
import { makeService, makeServiceSpec, makeTask } from '../../../store/test-support';
import { planReplicatedJob } from './replicated-job';

function job(maxConcurrent: number, total: number, iteration = 0): Service {
  return makeService({
    Spec: makeServiceSpec({ Mode: { ReplicatedJob: { MaxConcurrent: maxConcurrent, TotalCompletions: total } } }),
    JobStatus: { JobIteration: { Index: iteration } },
  });
}

let clock = 0;
function task(s: Service, slot: number, state: TaskState, desired: TaskState = 'complete', iteration = 0): Task {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString();
  return makeTask(s, {
    Slot: slot,
    DesiredState: desired,
    JobIteration: { Index: iteration },
    Status: { State: state, Message: state, Timestamp: at, AppliedAt: at },
  });
}

const always = () => true;
const never = () => false;

describe('planReplicatedJob', () => {
  it('starts MaxConcurrent tasks in the lowest slots from 0', () => {
    expect(planReplicatedJob(job(2, 6), [], always)).toEqual({ create: [0, 1], remove: [] });
    // fewer slots than the concurrency allows
    expect(planReplicatedJob(job(5, 3), [], always).create).toEqual([0, 1, 2]);
  });

  it('runs in waves: a new task only when one of the running ones ended, never past TotalCompletions', () => {
    const s = job(2, 6);
    const wave1 = [task(s, 0, 'running'), task(s, 1, 'pending')];
    expect(planReplicatedJob(s, wave1, always).create).toEqual([]);
    const oneDone = [task(s, 0, 'complete'), task(s, 1, 'running')];
    expect(planReplicatedJob(s, oneDone, always).create).toEqual([2]);
    const fiveDone = [0, 1, 2, 3, 4].map((i) => task(s, i, 'complete'));
    expect(planReplicatedJob(s, fiveDone, always).create).toEqual([5]);
    const allDone = [0, 1, 2, 3, 4, 5].map((i) => task(s, i, 'complete'));
    expect(planReplicatedJob(s, allDone, always).create).toEqual([]);
  });

  it('leaves a failed slot to the restart supervisor: its staged replacement holds the place', () => {
    const s = job(2, 4);
    const failed = task(s, 0, 'failed', 'shutdown');
    const replacement = task(s, 0, 'new', 'ready');
    const plan = planReplicatedJob(s, [failed, replacement, task(s, 1, 'running')], always);
    expect(plan.create).toEqual([]);
    // a failed task not yet handled (desired still COMPLETE) holds its place too
    expect(planReplicatedJob(s, [task(s, 0, 'failed'), task(s, 1, 'running')], always).create).toEqual([]);
  });

  it('gives a slot up when the restart policy allows no more attempts, and goes on with the others', () => {
    const s = job(2, 3);
    const tasks = [task(s, 0, 'failed', 'shutdown'), task(s, 0, 'failed', 'shutdown'), task(s, 1, 'running')];
    // policy says no: slot 0 stays given up, slot 2 starts in its place
    expect(planReplicatedJob(s, tasks, never).create).toEqual([2]);
    // policy says yes but the replacement is missing: slot 0 is open again
    expect(planReplicatedJob(s, tasks, always).create).toEqual([0]);
  });

  it('removes the unfinished tasks of an earlier iteration and starts the new one; finished ones stay', () => {
    const s = job(2, 2, 1);
    const oldRunning = task(s, 0, 'running', 'complete', 0);
    const oldDone = task(s, 1, 'complete', 'complete', 0);
    const oldRemoved = task(s, 1, 'running', 'remove', 0);
    const plan = planReplicatedJob(s, [oldRunning, oldDone, oldRemoved], always);
    expect(plan.remove.map((t) => t.ID)).toEqual([oldRunning.ID]);
    expect(plan.create).toEqual([0, 1]);
  });

  it('ignores tasks without a JobIteration and refuses unusable counts by name', () => {
    const s = job(1, 1);
    const stray = makeTask(s, { Slot: 0, Status: { State: 'complete', Message: '', Timestamp: '' } });
    expect(planReplicatedJob(s, [stray], always).create).toEqual([0]);
    const bad = makeService({ Spec: makeServiceSpec({ Mode: { ReplicatedJob: { MaxConcurrent: -1 } } }) });
    expect(() => planReplicatedJob(bad, [], always)).toThrow(/Mode\.ReplicatedJob\.MaxConcurrent: -1/);
  });
});
