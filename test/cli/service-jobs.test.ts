// Jobs through the docker CLI against one server whose own node runs real
// processes: `--mode replicated-job` runs its tasks to completion at most
// --max-concurrent at a time, a failing one is retried per its restart policy,
// `service ls` shows `running/desired (completed/total completed)`, the CLI's
// job progress ends with `job complete`, and `--force` runs the job again.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service, Task } from '../../server/api/types';
import { until } from '../until';
import { startCliSession, type CliSession } from './cli-session';

describe('docker service create --mode replicated-job / global-job', () => {
  let cli: CliSession;

  beforeAll(async () => {
    cli = await startCliSession('jobs', { simWorkers: 0, extraArgs: ['--executor', 'process'] });
  });
  afterAll(async () => {
    await cli?.stop();
  });

  const tasksOf = (name: string) =>
    cli.api<Task[]>(`/tasks?filters=${encodeURIComponent(JSON.stringify({ service: { [name]: true } }))}`);
  const replicas = async (name: string) =>
    (
      await cli.ok(['service', 'ls', '--filter', `name=${name}`, '--format', '{{.Name}} {{.Mode}} {{.Replicas}}'])
    ).trim();
  const ms = (iso: string | undefined) => Date.parse(iso ?? '');

  it('runs a replicated job of 6 with max-concurrent 2 in 3 waves, and the CLI waits for "job complete"', async () => {
    const create = await cli.docker(
      [
        'service',
        'create',
        '--name',
        'waves',
        '--mode',
        'replicated-job',
        '--replicas',
        '6',
        '--max-concurrent',
        '2',
      ].concat(['alpine', '/bin/sh', '-c', 'sleep 0.2']),
      90_000,
    );
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toContain('job complete');

    const tasks = await tasksOf('waves');
    // one completed task per slot 0 … 5, all of iteration 0, none restarted
    expect(tasks.map((t) => t.Slot).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(tasks.every((t) => t.Status.State === 'complete' && t.DesiredState === 'complete')).toBe(true);
    expect(tasks.every((t) => t.JobIteration?.Index === 0)).toBe(true);

    // The waves, from the manager's own timestamps: a task holds a place from its creation until its
    // completion was applied. The n-th task (creation order) was created only once n−1 had completed,
    // so never more than 2 held a place, and the first two ran side by side.
    const spans = tasks
      .map((t) => ({ slot: t.Slot, from: ms(t.CreatedAt), to: ms(t.Status.AppliedAt ?? t.Status.Timestamp) }))
      .sort((a, b) => a.from - b.from || a.slot - b.slot);
    spans.forEach((s, n) => {
      const doneBefore = spans.filter((o) => o.to <= s.from).length;
      expect(doneBefore, `task ${n} (slot ${s.slot})`).toBeGreaterThanOrEqual(Math.max(0, n - 1));
    });
    expect(spans[1]!.from).toBeLessThan(spans[0]!.to);
    const waves = [0, 1, 2].map((w) => spans.slice(2 * w, 2 * w + 2).map((s) => s.slot));
    expect(waves.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    // each wave starts only after the one before it began to finish
    for (const w of [1, 2])
      expect(spans[2 * w]!.from).toBeGreaterThanOrEqual(Math.min(...spans.slice(0, 2 * w).map((s) => s.to)));

    expect(await replicas('waves')).toBe('waves replicated job 0/2 (6/6 completed)');
    const svc = await cli.api<Service>('/services/waves');
    expect(svc.JobStatus?.JobIteration).toEqual({ Index: 0 });
    expect(svc.Spec.Mode).toEqual({ ReplicatedJob: { MaxConcurrent: 2, TotalCompletions: 6 } });
  }, 120_000);

  it('shows a job in progress in service ls as running/desired (completed/total completed)', async () => {
    // the first three tasks to run take a token and complete; the others wait for the gate
    const tokens = join(cli.workDir, 'tokens');
    const gate = join(cli.workDir, 'gate');
    mkdirSync(tokens);
    const script = `for i in 1 2 3; do mkdir ${tokens}/$i 2>/dev/null && exit 0; done; while [ ! -e ${gate} ]; do sleep 0.1; done`;
    await cli.ok(
      ['service', 'create', '-d', '--name', 'gated', '--mode', 'replicated-job', '--replicas', '6'].concat([
        '--max-concurrent',
        '2',
        'alpine',
        '/bin/sh',
        '-c',
        script,
      ]),
    );
    await until(
      '3 completed and 2 running',
      async () => (await replicas('gated')) === 'gated replicated job 2/2 (3/6 completed)',
      60_000,
    );
    writeFileSync(gate, '');
    await until(
      'the job to complete',
      async () => (await replicas('gated')) === 'gated replicated job 0/2 (6/6 completed)',
      60_000,
    );
  }, 150_000);

  it('retries a failing job per its restart policy: --restart-max-attempts 2 is 3 attempts per slot, then no more', async () => {
    await cli.ok(
      ['service', 'create', '-d', '--name', 'failing', '--mode', 'replicated-job', '--replicas', '2'].concat([
        '--restart-max-attempts',
        '2',
        '--restart-delay',
        '100ms',
        'alpine',
        '/bin/sh',
        '-c',
        'exit 3',
      ]),
    );
    const tasks = await until(
      'six failed attempts and nothing left to run',
      async () => {
        const ts = await tasksOf('failing');
        const settled =
          ts.length === 6 && ts.every((t) => t.Status.State === 'failed' && t.DesiredState === 'shutdown');
        return settled ? ts : undefined;
      },
      60_000,
    );
    // a retry is created in the same write that shuts the failed task down: with every task shut down
    // and none meant to run, the job has stopped retrying
    for (const slot of [0, 1]) {
      const attempts = tasks.filter((t) => t.Slot === slot);
      expect(attempts, `slot ${slot}`).toHaveLength(3);
      expect(attempts.every((t) => t.Status.Err === 'task: non-zero exit (3)')).toBe(true);
    }
    expect(await replicas('failing')).toBe('failing replicated job 0/2 (0/2 completed)');
    const ps = await cli.ok(['service', 'ps', '--format', '{{.Name}} {{.DesiredState}} {{.CurrentState}}', 'failing']);
    expect(ps.split('\n').filter((l) => / Shutdown Failed /.test(l))).toHaveLength(6);
  }, 90_000);

  it('runs the job again on service update --force: a new iteration, the old one kept as history', async () => {
    const update = await cli.docker(['service', 'update', '--force', 'waves'], 90_000);
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toContain('job complete');
    const svc = await cli.api<Service>('/services/waves');
    expect(svc.JobStatus?.JobIteration).toEqual({ Index: 1 });
    const tasks = await tasksOf('waves');
    const current = tasks.filter((t) => t.JobIteration?.Index === 1);
    expect(current.map((t) => t.Slot).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(current.every((t) => t.Status.State === 'complete')).toBe(true);
    expect(tasks.filter((t) => t.JobIteration?.Index === 0 && t.Status.State === 'complete')).toHaveLength(6);
    expect(await replicas('waves')).toBe('waves replicated job 0/2 (6/6 completed)');
  }, 120_000);

  it('runs a global job once on every node and shows it as done', async () => {
    const create = await cli.docker(
      ['service', 'create', '--name', 'everywhere', '--mode', 'global-job', 'alpine', 'true'],
      60_000,
    );
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toContain('job complete');
    expect(await replicas('everywhere')).toBe('everywhere global job 0/0 (1/1 completed)');
  }, 90_000);

  it('refuses update and rollback settings for a job, in the CLI and at the API', async () => {
    const r = await cli.docker([
      'service',
      'create',
      '-d',
      '--mode',
      'replicated-job',
      '--update-parallelism',
      '2',
      'alpine',
      'true',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('update and rollback configuration is not supported for jobs');
    const res = await fetch(`http://127.0.0.1:${cli.ports.engine}/services/create`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        Name: 'nope',
        TaskTemplate: { ContainerSpec: { Image: 'alpine' } },
        Mode: { GlobalJob: {} },
        UpdateConfig: { Parallelism: 1 },
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      message: 'rpc error: code = InvalidArgument desc = Jobs may not have an update config',
    });
  });
});
