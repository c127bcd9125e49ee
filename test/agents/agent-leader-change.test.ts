// An agent process and three managers: the agent learns the manager list from
// its session, and when the leader is killed it finds the new leader, registers
// there and keeps its task running — the same task, not a replacement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Task } from '../../server/api/types';
import { newManager, until, type ManagerProc } from '../cluster-harness';
import { tempDir } from '../integration/harness';
import { killTaskProcesses, startAgent, taskGroups, type RunningAgent } from './agent-harness';

describe('an agent across a leader change', () => {
  const data = tempDir('swarmdeck-agent-leader-');
  const ms: ManagerProc[] = [];
  let agent: RunningAgent | undefined;

  const leader = async () => {
    for (const m of ms.filter((x) => x.running)) {
      const h = await m.health();
      if (h?.role === 'leader' && h.leaderReady) return m;
    }
    return undefined;
  };

  beforeAll(async () => {
    // a short heartbeat, so the agent's session is checked often
    const m1 = await newManager('m1', `${data.path}/m1`, ['--sim-workers', '0', '--dispatcher-heartbeat', '500ms']);
    ms.push(m1);
    await m1.start();
    const swarm = (await m1.api('GET', '/swarm')).json as { JoinTokens: { Manager: string; Worker: string } };
    const m2 = await newManager('m2', `${data.path}/m2`, ['--sim-workers', '0']);
    const m3 = await newManager('m3', `${data.path}/m3`, ['--sim-workers', '0']);
    ms.push(m2, m3);
    await Promise.all([
      m2.start(['--join', m1.clusterAddr, '--token', swarm.JoinTokens.Manager]),
      m3.start(['--join', m1.clusterAddr, '--token', swarm.JoinTokens.Manager]),
    ]);
    await until('three voters', async () => (await m1.health())?.voters.length === 3, 60_000);
    // the agent joins through a follower: it is told where the leader is
    agent = await startAgent({
      join: m2.clusterAddr,
      token: swarm.JoinTokens.Worker,
      dataDir: `${data.path}/agent`,
      hostname: 'roamer',
    });
  }, 180_000);

  afterAll(async () => {
    await agent?.stop(3_000);
    if (agent) killTaskProcesses([agent.nodeID()]);
    await Promise.all(ms.map((m) => m.kill9()));
    data.remove();
  });

  it('follows the new leader after the old one is killed, without restarting its task', async () => {
    const first = (await leader())!;
    expect(first).toBe(ms[0]);
    const created = await first.api('POST', '/services/create', {
      Name: 'pinned',
      TaskTemplate: {
        ContainerSpec: { Image: 'alpine', Command: ['sh', '-c', 'while true; do sleep 1; done'] },
        Placement: { Constraints: ['node.hostname==roamer'] },
      },
      Mode: { Replicated: { Replicas: 1 } },
    });
    expect(created.status).toBe(201);
    const tasks = async (m: ManagerProc) =>
      ((await m.api('GET', '/tasks?filters=' + encodeURIComponent('{"service":["pinned"]}'))).json as Task[]) ?? [];
    const task = await until('the pinned task running', async () =>
      (await tasks(first)).find((t) => t.Status.State === 'running'),
    );
    const groups = taskGroups(agent!.nodeID()).get(task.ID);
    expect(groups?.size).toBe(1);

    await first.kill9();
    const next = await until('a new leader', leader, 30_000);
    expect(next).not.toBe(first);
    // the agent opens a session with the new leader…
    await until(
      'a session with the new leader',
      () => agent!.output().includes(`session opened with leader ${next.nodeID}`),
      30_000,
    );
    // …which then holds the node READY
    await until(
      'the agent ready under the new leader',
      async () => {
        const nodes = (await next.api('GET', '/nodes')).json as Node[];
        return nodes.find((n) => n.Description.Hostname === 'roamer')?.Status.State === 'ready';
      },
      30_000,
    );
    expect(agent!.output()).not.toMatch(/swarmdeck agent failed/);
    // still the one task, still the same process group
    const after = await tasks(next);
    expect(after.map((t) => t.ID)).toEqual([task.ID]);
    expect(after[0]!.Status.State).toBe('running');
    expect(taskGroups(agent!.nodeID()).get(task.ID)).toEqual(groups);
  }, 90_000);
});
