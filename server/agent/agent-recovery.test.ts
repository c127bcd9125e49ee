import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Task, TaskState } from '../api/types';
import type {
  AssignmentsMessage,
  DispatcherApi,
  RegisterRequest,
  RegisterResponse,
  TaskStatusUpdate,
} from '../manager/dispatcher/api';
import { systemClock } from '../util/clock';
import { Agent } from './agent';
import { ProcessExecutor } from './executor/process';
import { taskDir } from './executor/process-state';

/** The agent's side of the dispatcher contract, driven by the test. */
class ScriptedDispatcher implements DispatcherApi {
  updates: TaskStatusUpdate[] = [];
  listener?: (m: AssignmentsMessage) => void;
  async register(_req: RegisterRequest): Promise<RegisterResponse> {
    return { sessionID: 's1', heartbeatPeriodMs: 60_000 };
  }
  async heartbeat(): Promise<{ periodMs: number }> {
    return { periodMs: 60_000 };
  }
  assignments(_sessionID: string, onMessage: (m: AssignmentsMessage) => void): () => void {
    this.listener = onMessage;
    return () => (this.listener = undefined);
  }
  async updateTaskStatus(_sessionID: string, updates: TaskStatusUpdate[]): Promise<void> {
    this.updates.push(...updates);
  }
  async leave(): Promise<void> {}
  complete(tasks: Task[]): void {
    this.listener!({ type: 'complete', changes: tasks.map((task) => ({ action: 'update', task })) });
  }
  last(taskID: string) {
    return this.updates.filter((u) => u.taskID === taskID).at(-1)?.status;
  }
  states(taskID: string): TaskState[] {
    return this.updates.filter((u) => u.taskID === taskID).map((u) => u.status.State);
  }
}

const node = { ID: 'n1', Description: { Hostname: 'n1', Platform: { OS: 'linux', Architecture: 'x86_64' } } };
let root: string;
let stateDir: string;
let seq = 0;
const agents: Agent[] = [];
const executors: ProcessExecutor[] = [];
const taskIDs: string[] = [];

function task(id: string, script: string, state: TaskState = 'assigned'): Task {
  const ID = `${id}${++seq}x${process.pid}`;
  taskIDs.push(ID);
  return {
    ID,
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Labels: {},
    Spec: { ContainerSpec: { Image: 'busybox', Args: ['/bin/sh', '-c', script] }, ForceUpdate: 0 },
    ServiceID: 'svc',
    Slot: seq,
    NodeID: 'n1',
    Status: { Timestamp: '', State: state, Message: '' },
    DesiredState: 'running',
    ServiceAnnotations: { Name: 'svc', Labels: {} },
  };
}

function start(executor: ProcessExecutor) {
  const dispatcher = new ScriptedDispatcher();
  const agent = new Agent({
    nodeID: 'n1',
    dispatcher,
    executor,
    clock: systemClock,
    reportBatchMs: 5,
    addr: '127.0.0.1',
    description: {
      Hostname: 'n1',
      Platform: { Architecture: 'x86_64', OS: 'linux' },
      Resources: { NanoCPUs: 1e9, MemoryBytes: 1e9 },
      Engine: { EngineVersion: 'swarmdeck' },
    },
  });
  agents.push(agent);
  return { dispatcher, agent };
}

function executor(): ProcessExecutor {
  const ex = new ProcessExecutor({ node, stateDir, ports: 'ephemeral' });
  executors.push(ex);
  return ex;
}

/** Live processes carrying the task's ID in their environment (leaders only: one per spawn). */
function leaders(taskID: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || Number(pgrp) !== Number(d)) continue;
      if (readFileSync(`/proc/${d}/environ`).includes(`SWARMDECK_TASK_ID=${taskID}\0`)) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

async function until<T>(fn: () => T | undefined | false, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'swarmdeck-agent-recovery-'));
  stateDir = join(root, 'state');
});

afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop({ keepTasks: true });
  for (const ex of executors.splice(0)) await ex.detach();
  for (const id of taskIDs.splice(0))
    for (const pid of leaders(id)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('Agent restart with a durable process executor', () => {
  it('keeps tasks running across a restart, adopts the assigned ones and drops the others', async () => {
    const go = join(root, 'go');
    const exits = task('exits', `while [ ! -e ${go} ]; do sleep 0.05; done; exit 3`);
    const unassigned = task('gone', 'sleep 30');
    const starting = task('starting', 'sleep 30');

    // First agent run: all three start.
    const ex1 = executor();
    await ex1.recover();
    const first = start(ex1);
    await first.agent.start();
    first.dispatcher.complete([exits, unassigned, starting]);
    for (const t of [exits, unassigned, starting])
      await until(() => first.dispatcher.last(t.ID)?.State === 'running', 5_000, `${t.ID} running`);
    const pid = (t: Task) => first.dispatcher.last(t.ID)!.ContainerStatus!.PID!;

    // The agent process exits (SIGTERM path): its tasks keep running.
    await first.agent.stop({ keepTasks: true });
    for (const t of [exits, unassigned, starting]) expect(leaders(t.ID)).toEqual([pid(t)]);

    // Second run: recover, then the manager's complete set — without `unassigned`, and with `starting`
    // still STARTING in its eyes (the RUNNING report was lost).
    const ex2 = executor();
    await ex2.recover();
    const second = start(ex2);
    await second.agent.start();
    second.dispatcher.complete([
      { ...exits, Status: { ...first.dispatcher.last(exits.ID)!, State: 'running', Message: 'started' } },
      { ...starting, Status: { Timestamp: '', State: 'starting', Message: 'starting' } },
    ]);

    await until(() => leaders(unassigned.ID).length === 0, 5_000, 'unassigned task stopped');
    await until(() => !existsSync(taskDir(stateDir, unassigned.ID)), 5_000, 'its state removed');
    expect(second.dispatcher.states(unassigned.ID)).toEqual([]);

    // STARTING → start is idempotent: RUNNING with the same process, no second spawn.
    await until(() => second.dispatcher.last(starting.ID)?.State === 'running', 5_000, 'starting → running');
    expect(second.dispatcher.last(starting.ID)!.ContainerStatus!.PID).toBe(pid(starting));
    expect(leaders(starting.ID)).toEqual([pid(starting)]);

    // RUNNING → the controller waits on the adopted process and reports its real exit.
    await writeFile(go, '');
    await until(() => second.dispatcher.last(exits.ID)?.State === 'failed', 5_000, 'exit reported');
    expect(second.dispatcher.last(exits.ID)).toMatchObject({
      State: 'failed',
      Err: 'task: non-zero exit (3)',
      ContainerStatus: { PID: pid(exits), ExitCode: 3 },
    });
    expect(second.dispatcher.states(exits.ID)).toEqual(['failed']);

    // The manager's own node (no keepTasks) still stops its tasks on exit.
    await second.agent.stop();
    expect(leaders(starting.ID)).toEqual([]);
  });
});
