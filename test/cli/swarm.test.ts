// `docker swarm …` against real swarmdeck processes, output and exit codes
// compared with dockerd's. `swarm init`'s flags are checked elsewhere:
// test/integration/swarm-networks.test.ts (address pools, data path port,
// refusals), test/cli/autolock.test.ts (--autolock) and test/integration/swarm-ca.test.ts
// (--cert-expiry, `swarm ca` and `ca --rotate`). One manager serves this file;
// the leave scenarios add the processes that leave (a worker that joined with
// `docker swarm join`, an agent, a second manager).

import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../server/api/types';
import { startAgent, type RunningAgent } from '../agents/agent-harness';
import { newManager, until, type ManagerProc } from '../cluster-harness';
import { REPO_ROOT, dockerBinary, dockerCli, tempDir } from '../integration/harness';

if (!dockerBinary()) throw new Error('the docker CLI is required for the CLI conformance tests (.ci/run installs it)');

/** `swarmdeck agent leave --data-dir DIR`, as an operator runs it. */
function agentLeave(dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', 'agent', 'leave', '--data-dir', dir], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 45_000);
    p.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const LEAVE_PREFIX = 'You are attempting to leave the swarm on a node that is participating as a manager. ';
const LEAVE_SUFFIX =
  'The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.';

describe('docker swarm', () => {
  const data = tempDir('swarmdeck-cli-swarm-');
  const config = tempDir('swarmdeck-cli-swarm-config-');
  let m1: ManagerProc;
  const others: ManagerProc[] = [];
  let agent: RunningAgent | undefined;
  let docker: ReturnType<typeof dockerCli>;

  const tokens = async () =>
    ((await m1.api('GET', '/swarm')).json as { JoinTokens: { Worker: string; Manager: string } }).JoinTokens;
  const nodes = async () => (await m1.api('GET', '/nodes')).json as Node[];
  /** The identity files leaving removes. */
  const identity = (dir: string) =>
    ['node.json', 'certificates', 'agent-credentials.json', 'swarmdeck.db'].filter((f) => existsSync(`${dir}/${f}`));

  beforeAll(async () => {
    m1 = await newManager('m1', `${data.path}/m1`, ['--sim-workers', '1', '--dispatcher-heartbeat', '1s']);
    await m1.start();
    docker = dockerCli(m1.ports.engine, config.path);
  }, 90_000);

  afterAll(async () => {
    await agent?.stop();
    await Promise.all([...others.map((m) => m.stop()), m1?.stop()]);
    data.remove();
    config.remove();
  }, 60_000);

  it('join-token prints the join command, -q the token alone, --rotate a new one', async () => {
    const t = await tokens();
    const worker = await docker(['swarm', 'join-token', 'worker']);
    expect([worker.code, worker.stderr]).toEqual([0, '']);
    expect(worker.stdout).toBe(
      'To add a worker to this swarm, run the following command:\n\n' +
        `    docker swarm join --token ${t.Worker} ${m1.clusterAddr}\n\n`,
    );
    const manager = await docker(['swarm', 'join-token', 'manager']);
    expect(manager.stdout).toBe(
      'To add a manager to this swarm, run the following command:\n\n' +
        `    docker swarm join --token ${t.Manager} ${m1.clusterAddr}\n\n`,
    );
    expect((await docker(['swarm', 'join-token', '-q', 'worker'])).stdout).toBe(`${t.Worker}\n`);

    const rotated = await docker(['swarm', 'join-token', '--rotate', 'worker']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const after = await tokens();
    expect(after.Worker).not.toBe(t.Worker);
    expect(after.Manager).toBe(t.Manager);
    // the root's digest stays, the secret changes
    expect(after.Worker.split('-').slice(0, 3)).toEqual(t.Worker.split('-').slice(0, 3));
    expect(rotated.stdout).toBe(
      'Successfully rotated worker join token.\n\n' +
        'To add a worker to this swarm, run the following command:\n\n' +
        `    docker swarm join --token ${after.Worker} ${m1.clusterAddr}\n\n`,
    );
    const quiet = await docker(['swarm', 'join-token', '-q', '--rotate', 'manager']);
    expect(quiet.stdout).toBe(`${(await tokens()).Manager}\n`);
    expect(quiet.stdout).not.toContain(t.Manager);

    const bad = await docker(['swarm', 'join-token', 'boss']);
    expect([bad.code, bad.stderr]).toEqual([1, 'unknown role boss\n']);
  }, 60_000);

  it('update sets what docker info shows', async () => {
    const up = await docker([
      'swarm',
      'update',
      '--task-history-limit',
      '7',
      '--dispatcher-heartbeat',
      '2s',
      '--cert-expiry',
      '2160h',
      '--snapshot-interval',
      '5000',
      '--max-snapshots',
      '2',
    ]);
    expect([up.code, up.stdout, up.stderr]).toEqual([0, 'Swarm updated.\n', '']);
    const fields = await docker([
      'info',
      '--format',
      '{{with .Swarm.Cluster.Spec}}{{.Orchestration.TaskHistoryRetentionLimit}} {{.Dispatcher.HeartbeatPeriod}} ' +
        '{{.CAConfig.NodeCertExpiry}} {{.Raft.SnapshotInterval}} {{.Raft.KeepOldSnapshots}}{{end}}',
    ]);
    expect(fields.stdout).toBe(`7 2s 2160h0m0s 5000 2\n`);
    const info = (await docker(['info'])).stdout;
    for (const line of [
      ' Swarm: active',
      `  NodeID: ${m1.nodeID}`,
      '  Is Manager: true',
      '  Managers: 1',
      '  Nodes: 2',
      '   Task History Retention Limit: 7',
      '   Snapshot Interval: 5000',
      '   Number of Old Snapshots to Retain: 2',
      '   Heartbeat Period: 2 seconds',
      '   Expiry Duration: 3 months',
      '  Autolock Managers: false',
      '  Node Address: 127.0.0.1',
      `   ${m1.clusterAddr}`,
    ])
      expect(info.split('\n'), line).toContain(line);

    const bad = await docker(['swarm', 'update', '--dispatcher-heartbeat', 'soon']);
    // a flag the CLI cannot parse never reaches the engine: docker's usage error, exit 125
    expect(bad.code).toBe(125);
    expect(bad.stderr).toContain('invalid argument "soon" for "--dispatcher-heartbeat" flag');
  }, 60_000);

  it('unlock-key and unlock: no key is set, the swarm is not locked', async () => {
    const key = await docker(['swarm', 'unlock-key']);
    expect([key.code, key.stderr]).toEqual([1, 'no unlock key is set\n']);
    const rotate = await docker(['swarm', 'unlock-key', '--rotate']);
    expect([rotate.code, rotate.stderr]).toEqual([1, 'cannot rotate because autolock is not turned on\n']);
    const unlock = await docker(['swarm', 'unlock']);
    expect([unlock.code, unlock.stderr]).toEqual([1, 'Error: swarm is not locked\n']);
    // the endpoint itself, as dockerd answers it
    const raw = await m1.api('POST', '/swarm/unlock', { UnlockKey: 'SWMKEY-1-x' });
    expect([raw.status, raw.json]).toEqual([409, { message: 'swarm is not locked' }]);
  });

  it('init and join on a manager: it is already part of a swarm', async () => {
    const text =
      'Error response from daemon: This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.\n';
    const init = await docker(['swarm', 'init']);
    expect([init.code, init.stderr]).toEqual([1, text]);
    const join = await docker(['swarm', 'join', '--token', (await tokens()).Worker, m1.clusterAddr]);
    expect([join.code, join.stderr]).toEqual([1, text]);
  });

  it('leave on the last manager is refused without --force, in dockerd words', async () => {
    const r = await docker(['swarm', 'leave']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `Error response from daemon: ${LEAVE_PREFIX}Removing the last manager erases all current state of the swarm. ` +
        // dockerd's text ends in a space the CLI trims
        'Use `--force` to ignore this message.\n',
    );
    expect(m1.running).toBe(true);
  });

  it('a worker that joined with docker swarm join leaves: its process stops, its identity goes, the node is down', async () => {
    const w = await newManager('w', `${data.path}/w`, []);
    others.push(w);
    await w.start(['--no-init'], 60_000, /swarmdeck waiting: not in a swarm/);
    const onWorker = dockerCli(w.ports.engine, config.path);
    const notYet = await onWorker(['swarm', 'leave']);
    expect([notYet.code, notYet.stderr]).toEqual([1, 'Error response from daemon: This node is not part of a swarm\n']);

    const joined = await onWorker(['swarm', 'join', '--token', (await tokens()).Worker, m1.clusterAddr]);
    expect(joined.stdout).toBe('This node joined a swarm as a worker.\n');
    const id = (await onWorker(['info', '--format', '{{.Swarm.NodeID}}'])).stdout.trim();
    await until('the worker ready', async () => (await nodes()).find((n) => n.ID === id)?.Status.State === 'ready');
    expect(identity(w.dataDir)).toEqual(['node.json', 'certificates', 'agent-credentials.json']);

    // a worker needs no --force
    const left = await onWorker(['swarm', 'leave']);
    expect([left.code, left.stdout, left.stderr]).toEqual([0, 'Node left the swarm.\n', '']);
    await until('the worker process gone', () => !w.running || undefined, 20_000);
    expect(identity(w.dataDir)).toEqual([]);
    await until(
      'the manager sees it down',
      async () => (await nodes()).find((n) => n.ID === id)?.Status.State === 'down',
    );
  }, 90_000);

  it('an agent leaves with `swarmdeck agent leave`: its process stops, its identity goes', async () => {
    const dir = `${data.path}/agent`;
    agent = await startAgent({
      join: m1.clusterAddr,
      token: (await tokens()).Worker,
      dataDir: dir,
      hostname: 'edge-leave',
      executor: 'sim',
      extraArgs: ['--data-path-port', '0'],
    });
    const id = agent.nodeID();
    await until('the agent ready', async () => (await nodes()).find((n) => n.ID === id)?.Status.State === 'ready');
    // not spawnSync: this process must go on reading the agent's and the manager's output meanwhile
    const leave = await agentLeave(dir);
    expect([leave.code, leave.stdout], `${leave.stderr}\n${agent.output().slice(-3000)}`).toEqual([
      0,
      'Node left the swarm.\n',
    ]);
    await agent.exited();
    expect(identity(dir)).toEqual([]);
    await until(
      'the manager sees it down',
      async () => (await nodes()).find((n) => n.ID === id)?.Status.State === 'down',
    );
    // nothing runs there any more
    const again = await agentLeave(dir);
    expect([again.code, again.stderr]).toEqual([1, 'This node is not part of a swarm\n']);
  }, 90_000);

  it('a second manager: quorum warnings without --force, then it leaves raft and stops with it', async () => {
    const m2 = await newManager('m2', `${data.path}/m2`, []);
    others.push(m2);
    await m2.start(['--join', m1.clusterAddr, '--token', (await tokens()).Manager]);
    await until('two voters', async () => ((await m1.health())?.voters.length === 2 ? true : undefined), 30_000);
    // dockerd warns about two managers in docker info
    const warned = await docker(['info', '--format', '{{json .Warnings}}']);
    expect(warned.stdout).toContain('WARNING: Running Swarm in a two-manager configuration.');

    const onM2 = dockerCli(m2.ports.engine, config.path);
    const refused = await onM2(['swarm', 'leave']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `Error response from daemon: ${LEAVE_PREFIX}Removing this node leaves 1 managers out of 2. ` +
        `Without a Raft quorum your swarm will be inaccessible. ${LEAVE_SUFFIX}\n`,
    );

    const left = await onM2(['swarm', 'leave', '--force']);
    expect([left.code, left.stdout, left.stderr]).toEqual([0, 'Node left the swarm.\n', '']);
    await until('m2 stopped', () => !m2.running || undefined, 30_000);
    expect(identity(m2.dataDir)).toEqual([]);
    // out of raft: m1 alone holds the quorum and writes go on
    const h = await m1.health();
    expect(h?.voters, m2.out.slice(-4000)).toEqual([m1.nodeID]);
    const node = (await nodes()).find((n) => n.ID === m2.nodeID);
    expect(node?.Spec.Role).toBe('worker');
    expect(node?.ManagerStatus).toBeUndefined();
    const managers = await docker(['info', '--format', '{{.Swarm.Managers}} {{json .Warnings}}']);
    expect(managers.stdout).toMatch(/^1 /);
    expect(managers.stdout).not.toContain('two-manager');
    const created = await docker(['service', 'create', '-d', '--name', 'after-leave', 'busybox', 'sleep', '60']);
    expect(created.code, created.stderr).toBe(0);
  }, 120_000);
});
