import { describe, expect, it } from 'vitest';
import { rpcError } from '../api/errors';
import type { Task, TaskState } from '../api/types';
import type {
  AssignmentsMessage,
  DispatcherApi,
  RegisterRequest,
  RegisterResponse,
  TaskStatusUpdate,
} from '../manager/dispatcher/api';
import { ManualClock } from '../util/clock';
import { Agent } from './agent';
import { SimExecutor } from './executor/sim';

/** A scripted dispatcher: the agent's side of the contract without a manager behind it. */
class ScriptedDispatcher implements DispatcherApi {
  failRegistrations = 0;
  registrations = 0;
  heartbeats = 0;
  sessions = new Set<string>();
  calls: TaskStatusUpdate[][] = [];
  listener?: (m: AssignmentsMessage) => void;

  async register(_req: RegisterRequest): Promise<RegisterResponse> {
    this.registrations++;
    if (this.failRegistrations > 0) {
      this.failRegistrations--;
      throw rpcError('Unavailable', 'dispatcher is stopped');
    }
    const sessionID = `s${this.registrations}`;
    this.sessions.add(sessionID);
    return { sessionID, heartbeatPeriodMs: 1000 };
  }
  async heartbeat(sessionID: string): Promise<{ periodMs: number }> {
    if (!this.sessions.has(sessionID)) throw rpcError('NotFound', 'node not registered');
    this.heartbeats++;
    return { periodMs: 1000 };
  }
  assignments(_sessionID: string, onMessage: (m: AssignmentsMessage) => void): () => void {
    this.listener = onMessage;
    return () => (this.listener = undefined);
  }
  async updateTaskStatus(_sessionID: string, updates: TaskStatusUpdate[]): Promise<void> {
    this.calls.push(updates);
  }
  async leave(sessionID: string): Promise<void> {
    this.sessions.delete(sessionID);
  }
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

function setup() {
  const clock = new ManualClock();
  const dispatcher = new ScriptedDispatcher();
  const executor = new SimExecutor({ clock, speed: 0 });
  const agent = new Agent({
    nodeID: 'n1',
    dispatcher,
    executor,
    clock,
    addr: '10.0.0.2',
    description: {
      Hostname: 'n1',
      Platform: { Architecture: 'x86_64', OS: 'linux' },
      Resources: { NanoCPUs: 1e9, MemoryBytes: 1e9 },
      Engine: { EngineVersion: 'swarmdeck' },
    },
  });
  return { clock, dispatcher, executor, agent };
}

function assigned(id: string, desired: TaskState = 'running'): Task {
  return {
    ID: id,
    NodeID: 'n1',
    DesiredState: desired,
    Spec: { ContainerSpec: { Image: 'nginx' }, ForceUpdate: 0 },
    Status: { State: 'assigned', Message: 'scheduler assigned task to node', Timestamp: '' },
  } as unknown as Task;
}

describe('Agent', () => {
  it('retries registration with backoff until the dispatcher answers', async () => {
    const { clock, dispatcher, agent } = setup();
    dispatcher.failRegistrations = 2;
    let started = false;
    void agent.start().then(() => (started = true));
    await settle();
    expect(dispatcher.registrations).toBe(1);
    clock.advance(100);
    await settle();
    expect(dispatcher.registrations).toBe(2);
    clock.advance(199);
    await settle();
    expect(dispatcher.registrations).toBe(2);
    clock.advance(1);
    await settle();
    expect(dispatcher.registrations).toBe(3);
    expect(started).toBe(true);
    await agent.stop();
  });

  it('heartbeats at the returned period and registers again when the session is lost', async () => {
    const { clock, dispatcher, agent } = setup();
    await agent.start();
    clock.advance(1000);
    await settle();
    clock.advance(1000);
    await settle();
    expect(dispatcher.heartbeats).toBe(2);
    dispatcher.sessions.clear(); // the manager forgot us
    clock.advance(1000);
    await settle();
    expect(dispatcher.registrations).toBe(2);
    expect(agent.connected).toBe(true);
    await agent.stop();
  });

  it('reports every state in order in one batched call, and forgets a removed assignment silently', async () => {
    const { clock, dispatcher, executor, agent } = setup();
    await agent.start();
    dispatcher.listener!({ type: 'complete', changes: [{ action: 'update', task: assigned('t1') }] });
    await settle();
    expect(dispatcher.calls).toHaveLength(0);
    clock.advance(50);
    await settle();
    expect(dispatcher.calls).toHaveLength(1);
    expect(dispatcher.calls[0]!.map((u) => [u.status.State, u.status.Message])).toEqual([
      ['accepted', 'accepted'],
      ['preparing', 'preparing'],
      ['ready', 'prepared'],
      ['starting', 'starting'],
      ['running', 'started'],
    ]);
    expect(executor.runningCount).toBe(1);

    dispatcher.listener!({ type: 'incremental', changes: [{ action: 'remove', task: assigned('t1') }] });
    await settle();
    clock.advance(100);
    await settle();
    expect(executor.runningCount).toBe(0);
    expect(dispatcher.calls).toHaveLength(1);
    await agent.stop();
  });

  it('a complete set without a task forgets it; a re-sent assignment never starts it twice', async () => {
    const { clock, dispatcher, executor, agent } = setup();
    await agent.start();
    const t = assigned('t1');
    dispatcher.listener!({ type: 'complete', changes: [{ action: 'update', task: t }] });
    await settle();
    // the manager's copy still says ASSIGNED (reports not flushed yet): nothing is redone
    dispatcher.listener!({ type: 'incremental', changes: [{ action: 'update', task: t }] });
    await settle();
    clock.advance(50);
    await settle();
    expect(dispatcher.calls.flat().map((u) => u.status.State)).toEqual([
      'accepted',
      'preparing',
      'ready',
      'starting',
      'running',
    ]);
    dispatcher.listener!({ type: 'complete', changes: [] });
    await settle();
    expect(executor.runningCount).toBe(0);
    await agent.stop();
  });

  it('tells a new session where every task stands, so a report the old leader lost is heard again', async () => {
    const { clock, dispatcher, agent } = setup();
    await agent.start();
    dispatcher.listener!({ type: 'complete', changes: [{ action: 'update', task: assigned('t1') }] });
    await settle();
    clock.advance(50);
    await settle();
    expect(dispatcher.calls.flat().at(-1)!.status.State).toBe('running');
    // the leader acknowledged that batch and lost it before committing it; then the session ends
    dispatcher.sessions.clear();
    clock.advance(1000);
    await settle();
    expect(dispatcher.registrations).toBe(2);
    clock.advance(0);
    await settle();
    const again = dispatcher.calls.at(-1)!;
    expect(again.map((u) => [u.taskID, u.status.State])).toEqual([['t1', 'running']]);
    await agent.stop();
  });
});
