// `docker swarm join --token <worker token>` against a swarmdeck process that
// is not in a swarm yet: it becomes a worker node (an agent in that process),
// its Engine API answers as a Docker worker does, and it stays a worker across
// a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../server/api/types';
import { newManager, until, type ManagerProc } from '../cluster-harness';
import { dockerBinary, dockerCli, tempDir } from '../integration/harness';
import { killTaskProcesses } from './agent-harness';

if (!dockerBinary()) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

describe('docker swarm join with the worker token', () => {
  const data = tempDir('swarmdeck-swarm-join-worker-');
  const config = tempDir('swarmdeck-swarm-join-worker-config-');
  let manager: ManagerProc;
  let worker: ManagerProc;

  beforeAll(async () => {
    manager = await newManager('m1', `${data.path}/m1`, ['--sim-workers', '0', '--dispatcher-heartbeat', '1s']);
    worker = await newManager('w', `${data.path}/w`, ['--executor', 'process']);
    await manager.start();
    await worker.start(['--no-init'], 60_000, /swarmdeck waiting: not in a swarm/);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([manager?.stop(), worker?.stop()]);
    if (worker?.nodeID) killTaskProcesses([worker.nodeID]);
    data.remove();
    config.remove();
  });

  it('joins as a worker, answers as one, and stays one after a restart', async () => {
    const token = ((await manager.api('GET', '/swarm')).json as { JoinTokens: { Worker: string } }).JoinTokens.Worker;
    const onWorker = dockerCli(worker.ports.engine, config.path);
    const onManager = dockerCli(manager.ports.engine, config.path);
    const joined = await onWorker(['swarm', 'join', '--token', token, manager.clusterAddr]);
    expect(joined.code, joined.stderr).toBe(0);
    expect(joined.stdout.trim()).toBe('This node joined a swarm as a worker.');

    const info = await onWorker(['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}']);
    expect(info.stdout.trim()).toBe('active false');
    const ls = await onWorker(['service', 'ls']);
    expect(ls.code).not.toBe(0);
    expect(ls.stderr).toContain("Worker nodes can't be used to view or modify cluster state");
    const again = await onWorker(['swarm', 'join', '--token', token, manager.clusterAddr]);
    expect(again.stderr).toContain('This node is already part of a swarm');

    const workers = async () =>
      ((await manager.api('GET', '/nodes')).json as Node[]).filter((n) => n.Spec.Role === 'worker');
    const node = await until('the worker node ready', async () =>
      (await workers()).find((n) => n.Status.State === 'ready'),
    );
    worker.nodeID = node.ID;
    // it runs tasks
    const created = await onManager([
      'service',
      'create',
      '-d',
      '--name',
      'onworker',
      '--constraint',
      'node.role==worker',
      'busybox',
      'sh',
      '-c',
      'while true; do sleep 1; done',
    ]);
    expect(created.code, created.stderr).toBe(0);
    await until('the task running on the worker', async () => {
      const ps = await onManager(['service', 'ps', '--format', '{{.CurrentState}}', 'onworker']);
      return ps.stdout.startsWith('Running');
    });

    // a restart comes back as the same worker, with no token
    await worker.stop();
    await worker.start([], 60_000, /swarmdeck ready: node (\w+) \(worker\)/);
    expect(worker.nodeID).toBe(node.ID);
    await until(
      'the worker ready again',
      async () => (await workers()).find((n) => n.ID === node.ID)?.Status.State === 'ready',
    );
    expect(await workers()).toHaveLength(1);
  }, 90_000);
});
