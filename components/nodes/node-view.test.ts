import { describe, expect, it } from 'vitest';
import type { Node, Task, TaskState } from '@/server/api/types';
import { fixtureService, fixtureTask } from '../cluster/test-fixtures';
import {
  actionErrorText,
  executorKind,
  executorLabel,
  networkMode,
  networkModeLabel,
  healthOf,
  joinCommands,
  maskToken,
  nodeTasks,
  sortedLabels,
  taskName,
} from './node-view';

const web = fixtureService({ ID: 'svc-web' });
const agent = fixtureService({ ID: 'svc-agent', Spec: { ...web.Spec, Name: 'agent', Mode: { Global: {} } } });
const services = new Map([
  [web.ID, web],
  [agent.ID, agent],
]);

const task = (id: string, over: Partial<Task> & { state?: TaskState; at?: string } = {}) => {
  const { state = 'running', at = '2026-01-01T00:00:00.000Z', ...rest } = over;
  return fixtureTask(web, {
    ID: id,
    NodeID: 'n1',
    Status: { Timestamp: at, State: state, Message: '' },
    ...rest,
  });
};

describe('healthOf', () => {
  const withHealth = (h: 'starting' | 'healthy' | 'unhealthy' | undefined, state: TaskState) =>
    task('t', { state, Status: { Timestamp: '', State: state, Message: '', ContainerStatus: { Health: h } } });

  it('shows the verdict the agent reported', () => {
    expect(healthOf(withHealth('starting', 'starting'))).toBe('starting');
    expect(healthOf(withHealth('healthy', 'running'))).toBe('healthy');
    expect(healthOf(withHealth('unhealthy', 'running'))).toBe('unhealthy');
    expect(healthOf(task('t'))).toBeUndefined();
  });

  it('drops "starting" once the task has finished, keeps the last verdict', () => {
    expect(healthOf(withHealth('starting', 'failed'))).toBeUndefined();
    expect(healthOf(withHealth('unhealthy', 'failed'))).toBe('unhealthy');
    expect(healthOf(withHealth('healthy', 'shutdown'))).toBe('healthy');
  });
});

describe('nodeTasks', () => {
  it("splits a node's tasks into active (by name) and finished (newest first)", () => {
    const all = [
      task('a10', { Slot: 10 }),
      task('a2', { Slot: 2, state: 'starting' }),
      task('g', { ServiceID: agent.ID, Slot: 0 }),
      task('old1', { Slot: 2, state: 'failed', at: '2026-01-01T00:00:01.000Z' }),
      task('old2', { Slot: 3, state: 'shutdown', at: '2026-01-01T00:00:05.000Z' }),
      task('elsewhere', { NodeID: 'n2', Slot: 1 }),
    ];
    const { active, finished } = nodeTasks(all, services, 'n1');
    expect(active.map((r) => r.name)).toEqual(['agent.n1', 'web.2', 'web.10']);
    expect(finished.map((r) => r.task.ID)).toEqual(['old2', 'old1']);
  });

  it('names a task of an unknown service by its service ID', () => {
    const t = task('x', { ServiceID: 'abcdefabcdef1234', Slot: 4 });
    expect(taskName(t, undefined)).toBe('abcdefabcdef.4');
  });
});

describe('node facts', () => {
  const node = (labels?: Record<string, string>) =>
    ({ Description: { Engine: { EngineVersion: 'x', Labels: labels } } }) as unknown as Node;

  it('reads the executor from the engine label', () => {
    expect(executorKind(node({ 'com.swarmdeck.executor': 'process' }))).toBe('process');
    // nodes stored by an older version carry the label's old name
    expect(executorKind(node({ 'swarmdeck.executor': 'sim' }))).toBe('sim');
    expect(executorKind(node({}))).toBeUndefined();
    expect(executorKind(node(undefined))).toBeUndefined();
    expect(executorLabel('sim')).toBe('Simulated');
    expect(executorLabel('process')).toBe('Process');
    expect(executorLabel(undefined)).toBe('unknown');
  });

  it('reads the task network mode from the engine label', () => {
    expect(networkMode(node({ 'com.swarmdeck.network.mode': 'netns' }))).toBe('netns');
    expect(networkMode(node({}))).toBeUndefined();
    expect(networkModeLabel('netns')).toBe('Own namespace per task');
    expect(networkModeLabel('host')).toBe("Host's network");
    expect(networkModeLabel(undefined)).toBe('—');
  });

  it('sorts labels naturally', () => {
    expect(sortedLabels({ z10: '', z2: 'b', a: 'c' })).toEqual([
      ['a', 'c'],
      ['z2', 'b'],
      ['z10', ''],
    ]);
    expect(sortedLabels(undefined)).toEqual([]);
  });
});

describe('join commands', () => {
  const token = 'SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx';

  it('builds the swarmdeck and docker commands for each role', () => {
    expect(joinCommands('worker', '10.0.0.1:2377', token)).toEqual({
      swarmdeck: `SWARMDECK_AGENT_TOKEN=${token} swarmdeck agent --join 10.0.0.1:2377`,
      docker: `docker swarm join --token ${token} 10.0.0.1:2377`,
    });
    expect(joinCommands('manager', '10.0.0.1:2377', 'T').swarmdeck).toBe(
      'SWARMDECK_TOKEN=T swarmdeck --join 10.0.0.1:2377',
    );
  });

  it('masks everything after the prefix, keeping the length', () => {
    const masked = maskToken(token);
    expect(masked.startsWith('SWMTKN-1-')).toBe(true);
    expect(masked).toHaveLength(token.length);
    expect(masked.slice(9)).toMatch(/^•+$/);
    expect(maskToken('abc')).toBe('•••');
  });
});

describe('actionErrorText', () => {
  it('passes server text through and explains an unsettled version race', () => {
    expect(actionErrorText('node x is not down')).toBe('node x is not down');
    expect(actionErrorText('rpc error: code = Unknown desc = update out of sequence')).toMatch(
      /^rpc error: code = Unknown desc = update out of sequence: the node kept changing/,
    );
  });
});
