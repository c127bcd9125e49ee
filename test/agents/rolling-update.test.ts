// Rolling updates and rollback on real processes, driven by the real docker
// CLI (28.2.2) the way a user runs them: an update whose new tasks fail their
// health check rolls itself back or pauses, `docker service rollback` and
// `update --rollback` restore the previous spec, parallelism and delay pace
// the replacements, start-first starts before it stops, and `inspect
// --pretty` shows the configs and the final UpdateStatus.
//
// One manager whose own node runs the tasks as processes (`--executor
// process`, no simulated workers): the updater, the CLI's progress loop and
// the task processes are all real; the agents' join path has its own tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service, Task } from '../../server/api/types';
import {
  dockerBinary,
  dockerCli,
  freePorts,
  startServer,
  tempDir,
  waitFor,
  type DockerResult,
  type RunningServer,
} from '../integration/harness';
import { engineRequest } from '../manager-http';
import { killTaskProcesses } from './agent-harness';

if (!dockerBinary()) throw new Error('the docker CLI is required for the Engine API tests (.ci/run installs it)');

/** A process that runs until stopped. */
const LOOP = ['sh', '-c', 'while true; do sleep 1; done'];
/** A health check that never passes: the task fails as unhealthy before it ever runs. */
const FAILING_HEALTH = ['--health-cmd', 'test -f /nonexistent', '--health-interval', '300ms', '--health-retries', '1'];
/** Short monitor periods, so the server and the CLI's own verify wait stay brief. */
const SHORT_MONITOR = ['--update-monitor', '1s', '--rollback-monitor', '1s'];
/** Long enough for a blocking update/rollback command, well under the file's budget. */
const CLI_TIMEOUT_MS = 45_000;

describe('rolling updates and rollback through the docker CLI', () => {
  const data = tempDir('swarmdeck-rolling-');
  const config = tempDir('swarmdeck-rolling-config-');
  let server: RunningServer;
  let docker: ReturnType<typeof dockerCli>;
  let engine: string;
  let selfNodeID = '';

  const api = async <T>(path: string): Promise<T> => {
    const r = await engineRequest(engine, 'GET', path);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json as T;
  };
  const service = (name: string) => api<Service>(`/services/${name}`);
  const tasksOf = (name: string) =>
    api<Task[]>(`/tasks?filters=${encodeURIComponent(JSON.stringify({ service: { [name]: true } }))}`);
  const runningTasks = (ts: Task[]) => ts.filter((t) => t.DesiredState === 'running' && t.Status.State === 'running');
  const ok = async (args: string[], timeoutMs?: number): Promise<DockerResult> => {
    const r = await docker(args, timeoutMs);
    expect(r.code, `docker ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  };
  /** `docker service create -d` and wait until every replica runs. */
  const create = async (name: string, replicas: number, flags: string[], run = ['alpine', ...LOOP]) => {
    await ok(['service', 'create', '-d', '--name', name, '--replicas', String(replicas), ...flags, ...run]);
    await waitFor(
      `${replicas} ${name} tasks running`,
      async () => runningTasks(await tasksOf(name)).length === replicas,
      {
        timeoutMs: 20_000,
        intervalMs: 200,
      },
    );
    return service(name);
  };
  /** Each slot 1..replicas has exactly one running task, and `check` holds for it. */
  const everySlot = async (name: string, replicas: number, check: (t: Task) => boolean) => {
    const ts = runningTasks(await tasksOf(name));
    const slots = ts.map((t) => t.Slot).sort((a, b) => (a ?? 0) - (b ?? 0));
    return slots.join() === Array.from({ length: replicas }, (_, i) => i + 1).join() && ts.every(check);
  };
  const hasHealthcheck = (t: Task) => t.Spec.ContainerSpec?.Healthcheck !== undefined;
  const untilState = (name: string, state: string, timeoutMs = 20_000) =>
    waitFor(
      `${name} UpdateStatus ${state}`,
      async () => {
        const s = await service(name);
        return s.UpdateStatus?.State === state ? s : undefined;
      },
      { timeoutMs, intervalMs: 200 },
    );
  /** The CLI's non-TTY progress lines, without the per-slot placeholders. */
  const progressLines = (out: string) => out.split('\n').filter((l) => /^(overall progress|rollback|verify): /.test(l));

  beforeAll(async () => {
    const ports = await freePorts();
    server = await startServer({
      dataDir: data.path,
      ports,
      simWorkers: 0,
      extraArgs: ['--executor', 'process', '--dispatcher-heartbeat', '1s'],
    });
    engine = `http://127.0.0.1:${ports.engine}`;
    docker = dockerCli(ports.engine, config.path);
    selfNodeID = (await api<{ Swarm: { NodeID: string } }>('/info')).Swarm.NodeID;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    // task processes outlive the executor that started them
    if (selfNodeID) killTaskProcesses([selfNodeID]);
    data.remove();
    config.remove();
  });

  it('--update-failure-action rollback: a new image failing its health check rolls back to the old tasks', async () => {
    const before = await create('autorb', 2, SHORT_MONITOR);
    const oldImage = before.Spec.TaskTemplate.ContainerSpec.Image;
    const r = await docker(
      [
        'service',
        'update',
        '--detach=false',
        '--image',
        'busybox',
        ...FAILING_HEALTH,
        '--update-failure-action',
        'rollback',
        'autorb',
      ],
      CLI_TIMEOUT_MS,
    );
    const lines = progressLines(r.stdout);
    // docker prints the rollback once, follows the rollback to convergence and exits 0
    expect(r.timedOut).toBe(false);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('autorb');
    const rollbackLine = lines.find((l) => l.startsWith('rollback: '));
    expect(rollbackLine).toMatch(/^rollback: update rolled back due to failure or early termination of task \w{25}$/);
    expect(lines.some((l) => /^overall progress: rolling back update: 2 out of 2 tasks$/.test(l))).toBe(true);
    expect(lines).toContain('verify: Service autorb converged');

    const done = await untilState('autorb', 'rollback_completed');
    expect(done.UpdateStatus?.Message).toBe('rollback completed');
    // the automatic rollback restores the previous spec and clears it (swarmkit rollbackUpdate)
    expect(done.Spec.TaskTemplate.ContainerSpec.Image).toBe(oldImage);
    expect(done.Spec.TaskTemplate.ContainerSpec.Healthcheck).toBeUndefined();
    expect(done.PreviousSpec).toBeUndefined();
    // the failed task the message names is one of the new ones, and it failed its health check
    const failedID = rollbackLine!.split(' ').pop()!;
    const failed = (await tasksOf('autorb')).find((t) => t.ID === failedID);
    expect(failed?.Spec.ContainerSpec?.Image).toBe('busybox:latest');
    expect(failed?.Status.Err).toMatch(/unhealthy container/);
    // the old spec runs in every slot
    expect(await everySlot('autorb', 2, (t) => t.Spec.ContainerSpec?.Image === oldImage && !hasHealthcheck(t))).toBe(
      true,
    );
    await ok(['service', 'rm', 'autorb']);
  }, 60_000);

  it('--update-failure-action pause: the update pauses naming the failed task; update --rollback recovers', async () => {
    const before = await create('paused', 2, SHORT_MONITOR);
    const oldImage = before.Spec.TaskTemplate.ContainerSpec.Image;
    const r = await docker(
      [
        'service',
        'update',
        '--detach=false',
        '--image',
        'busybox',
        ...FAILING_HEALTH,
        '--update-failure-action',
        'pause',
        'paused',
      ],
      CLI_TIMEOUT_MS,
    );
    // the CLI's progress loop ends with the paused update as its error
    expect(r.timedOut).toBe(false);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    const m = /^service update paused: update paused due to failure or early termination of task (\w{25})$/m.exec(
      r.stderr,
    );
    expect(m, r.stderr).not.toBeNull();

    const paused = await untilState('paused', 'paused');
    expect(paused.UpdateStatus?.Message).toBe(`update paused due to failure or early termination of task ${m![1]}`);
    const failed = (await tasksOf('paused')).find((t) => t.ID === m![1]);
    expect(failed?.Status.State).toBe('failed');
    expect(failed?.Spec.ContainerSpec?.Image).toBe('busybox:latest');
    // paused after the first slot (parallelism 1): the other slot still runs the old spec
    expect(runningTasks(await tasksOf('paused')).filter((t) => t.Spec.ContainerSpec?.Image === oldImage)).toHaveLength(
      1,
    );

    // `docker service update --rollback` is the server-side rollback (rollback=previous)
    const rb = await docker(['service', 'update', '--detach=false', '--rollback', 'paused'], CLI_TIMEOUT_MS);
    expect(rb.code, `${rb.stdout}\n${rb.stderr}`).toBe(0);
    expect(progressLines(rb.stdout)).toContain('rollback: manually requested rollback');
    expect(progressLines(rb.stdout)).toContain('verify: Service paused converged');
    const done = await untilState('paused', 'rollback_completed');
    expect(done.Spec.TaskTemplate.ContainerSpec.Image).toBe(oldImage);
    // a manual rollback swaps: the failed spec is now the previous one
    expect(done.PreviousSpec?.TaskTemplate.ContainerSpec.Image).toBe('busybox:latest');
    expect(await everySlot('paused', 2, (t) => t.Spec.ContainerSpec?.Image === oldImage && !hasHealthcheck(t))).toBe(
      true,
    );
    await ok(['service', 'rm', 'paused']);
  }, 60_000);

  it('docker service rollback swaps back to the previous spec and ends rollback_completed', async () => {
    await create('manual', 2, SHORT_MONITOR);
    await ok(['service', 'update', '--detach=false', '--env-add', 'RELEASE=2', 'manual'], CLI_TIMEOUT_MS);
    await untilState('manual', 'completed');
    expect(await everySlot('manual', 2, (t) => t.Spec.ContainerSpec?.Env?.includes('RELEASE=2') === true)).toBe(true);

    const r = await docker(['service', 'rollback', 'manual'], CLI_TIMEOUT_MS);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('manual');
    const lines = progressLines(r.stdout);
    expect(lines).toContain('rollback: manually requested rollback');
    expect(lines.some((l) => /^overall progress: rolling back update: \d out of 2 tasks$/.test(l))).toBe(true);
    expect(lines).toContain('verify: Service manual converged');

    const done = await untilState('manual', 'rollback_completed');
    expect(done.UpdateStatus?.Message).toBe('rollback completed');
    expect(done.Spec.TaskTemplate.ContainerSpec.Env ?? []).not.toContain('RELEASE=2');
    expect(done.PreviousSpec?.TaskTemplate.ContainerSpec.Env).toContain('RELEASE=2');
    expect(await everySlot('manual', 2, (t) => !(t.Spec.ContainerSpec?.Env ?? []).includes('RELEASE=2'))).toBe(true);
    await ok(['service', 'rm', 'manual']);
  }, 60_000);

  it('--update-parallelism 2 --update-delay 2s replaces six tasks two at a time, at least 2 s apart; inspect --pretty shows it', async () => {
    // --update-*/--rollback-* on create: this config is what the update below starts from
    await create('paced', 6, [
      '--update-failure-action',
      'continue',
      '--update-max-failure-ratio',
      '0.5',
      '--update-order',
      'stop-first',
      '--rollback-parallelism',
      '0',
      '--rollback-delay',
      '500ms',
      '--rollback-failure-action',
      'continue',
      '--rollback-max-failure-ratio',
      '0.25',
      '--rollback-order',
      'start-first',
      ...SHORT_MONITOR,
    ]);
    const startedAt = Date.now();
    const r = await ok(
      [
        'service',
        'update',
        '--detach=false',
        '--update-parallelism',
        '2',
        '--update-delay',
        '2s',
        '--env-add',
        'RELEASE=2',
        'paced',
      ],
      CLI_TIMEOUT_MS,
    );
    expect(progressLines(r.stdout)).toContain('verify: Service paced converged');
    const done = await untilState('paced', 'completed');

    const fresh = (await tasksOf('paced'))
      .filter((t) => t.Spec.ContainerSpec?.Env?.includes('RELEASE=2'))
      .map((t) => Date.parse(t.CreatedAt))
      .sort((a, b) => a - b);
    expect(fresh).toHaveLength(6);
    expect(fresh[0]).toBeGreaterThanOrEqual(startedAt - 1_000);
    // two workers, each waiting 2 s after its task runs: any three consecutive
    // replacements include two by the same worker, so they span at least the delay
    for (let i = 0; i + 2 < fresh.length; i++)
      expect(fresh[i + 2]! - fresh[i]!, `tasks ${i} and ${i + 2} (${fresh.join(', ')})`).toBeGreaterThanOrEqual(1_990);
    expect(await everySlot('paced', 6, (t) => t.Spec.ContainerSpec?.Env?.includes('RELEASE=2') === true)).toBe(true);
    expect(done.UpdateStatus?.Message).toBe('update completed');

    // the CLI formats both configs and the final status from the JSON
    const pretty = await ok(['service', 'inspect', '--pretty', 'paced']);
    const out = pretty.stdout;
    expect(out).toMatch(
      /\nUpdateStatus:\n State:\t\tcompleted\n Started:\t.+ ago\n Completed:\t.+ ago\n Message:\tupdate completed\n/,
    );
    expect(out).toContain(
      [
        'UpdateConfig:',
        ' Parallelism:\t2',
        ' Delay:\t\t2s',
        ' On failure:\tcontinue',
        ' Monitoring Period: 1s',
        ' Max failure ratio: 0.5',
        ' Update order:      stop-first',
        'RollbackConfig:',
        ' Parallelism:\t0',
        ' Delay:\t\t500ms',
        ' On failure:\tcontinue',
        ' Monitoring Period: 1s',
        ' Max failure ratio: 0.25',
        ' Rollback order:    start-first',
      ].join('\n'),
    );
    // and the raw JSON carries exactly what the flags set
    const json = JSON.parse((await ok(['service', 'inspect', 'paced'])).stdout) as Service[];
    expect(json[0]!.Spec.UpdateConfig).toEqual({
      Parallelism: 2,
      Delay: 2e9,
      FailureAction: 'continue',
      Monitor: 1e9,
      MaxFailureRatio: 0.5,
      Order: 'stop-first',
    });
    expect(json[0]!.Spec.RollbackConfig).toEqual({
      Parallelism: 0,
      Delay: 5e8,
      FailureAction: 'continue',
      Monitor: 1e9,
      MaxFailureRatio: 0.25,
      Order: 'start-first',
    });
    await ok(['service', 'rm', 'paced']);
  }, 60_000);

  it('--force --update-order start-first: every task is replaced, each new one running before its old one stops', async () => {
    const before = await create('forced', 3, SHORT_MONITOR);
    const oldIDs = new Set(runningTasks(await tasksOf('forced')).map((t) => t.ID));
    // every --update-*/--rollback-* flag on `service update`; only configs change, so no task is
    // dirty, no update runs and no UpdateStatus appears
    await ok([
      'service',
      'update',
      '-d',
      '--update-parallelism',
      '0',
      '--update-delay',
      '100ms',
      '--update-failure-action',
      'continue',
      '--update-monitor',
      '1500ms',
      '--update-max-failure-ratio',
      '0.1',
      '--update-order',
      'start-first',
      '--rollback-parallelism',
      '3',
      '--rollback-delay',
      '1s',
      '--rollback-failure-action',
      'pause',
      '--rollback-monitor',
      '2s',
      '--rollback-max-failure-ratio',
      '0.75',
      '--rollback-order',
      'stop-first',
      'forced',
    ]);
    const configOnly = await service('forced');
    expect(configOnly.UpdateStatus).toBeUndefined();
    expect(configOnly.Spec.UpdateConfig).toEqual({
      Parallelism: 0,
      Delay: 1e8,
      FailureAction: 'continue',
      Monitor: 1.5e9,
      MaxFailureRatio: 0.1,
      Order: 'start-first',
    });
    expect(configOnly.Spec.RollbackConfig).toEqual({
      Parallelism: 3,
      Delay: 1e9,
      FailureAction: 'pause',
      Monitor: 2e9,
      MaxFailureRatio: 0.75,
      Order: 'stop-first',
    });
    const pretty = (await ok(['service', 'inspect', '--pretty', 'forced'])).stdout;
    expect(pretty).not.toContain('UpdateStatus:');
    expect(pretty).toContain(' Parallelism:\t0\n Delay:\t\t100ms\n On failure:\tcontinue\n Monitoring Period: 1.5s\n');
    expect(
      runningTasks(await tasksOf('forced'))
        .map((t) => t.ID)
        .sort(),
    ).toEqual([...oldIDs].sort());

    const r = await ok(['service', 'update', '--detach=false', '--force', 'forced'], CLI_TIMEOUT_MS);
    expect(progressLines(r.stdout)).toContain('verify: Service forced converged');
    const done = await untilState('forced', 'completed');
    expect(done.Spec.TaskTemplate.ForceUpdate).toBe(before.Spec.TaskTemplate.ForceUpdate + 1);
    const tasks = await tasksOf('forced');
    const now = runningTasks(tasks);
    expect(now).toHaveLength(3);
    for (const t of now) {
      expect(oldIDs.has(t.ID)).toBe(false);
      const old = tasks.find((o) => oldIDs.has(o.ID) && o.Slot === t.Slot)!;
      expect(old.DesiredState).toBe('shutdown');
      // start-first: the old task stopped only after its replacement was running
      expect(Date.parse(old.Status.Timestamp)).toBeGreaterThanOrEqual(Date.parse(t.Status.Timestamp));
    }
    await ok(['service', 'rm', 'forced']);
  }, 60_000);
});
