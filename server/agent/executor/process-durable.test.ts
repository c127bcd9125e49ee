import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ContainerSpec, Task, TaskState } from '../../api/types';
import { ExitError } from './executor';
import { ProcessExecutor, type ProcessExecutorOptions } from './process';
import { readTaskState, secureTaskStateDir, taskDir, writeTaskState } from './process-state';
import { groupMembers, until, withMarker } from './process-test-support';

const CRASH_CHILD = fileURLToPath(new URL('./process-crash-child.ts', import.meta.url));
const node = { ID: 'node9', Description: { Hostname: 'worker-1', Platform: { OS: 'linux', Architecture: 'x86_64' } } };
let seq = 0;
let root: string;
let stateDir: string;
const executors: ProcessExecutor[] = [];
/** Every task started, to kill whatever is left of it by its ID marker. */
const taskIDs: string[] = [];

function makeTask(cs: Partial<ContainerSpec>, state: TaskState = 'assigned'): Task {
  const t: Task = {
    ID: `dtask${++seq}x${process.pid}`,
    Version: { Index: 1 },
    CreatedAt: '',
    UpdatedAt: '',
    Labels: {},
    Spec: { ContainerSpec: { Image: 'ubuntu:14.04', ...cs }, ForceUpdate: 0 },
    ServiceID: 'svc1',
    Slot: 1,
    NodeID: 'node9',
    Status: { Timestamp: '', State: state, Message: '' },
    DesiredState: 'running',
    ServiceAnnotations: { Name: 'web', Labels: {} },
  };
  taskIDs.push(t.ID);
  return t;
}

function executor(opts: Partial<ProcessExecutorOptions> = {}): ProcessExecutor {
  const ex = new ProcessExecutor({ node, stateDir, ports: 'ephemeral', ...opts });
  executors.push(ex);
  return ex;
}

async function run(ex: ProcessExecutor, task: Task): Promise<number> {
  await ex.prepare(task);
  return (await ex.start(task)).PID!;
}

const lines = (ex: ProcessExecutor, t: Task) => ex.logs(t.ID).map((e) => e.line);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'swarmdeck-durable-test-'));
});

afterEach(async () => {
  // Stop following first (no executor may report or persist any more), then kill by marker.
  for (const ex of executors.splice(0)) await ex.detach();
  for (const id of taskIDs.splice(0)) {
    for (const p of withMarker(id)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  await rm(stateDir, { recursive: true, force: true });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let dirSeq = 0;
beforeEach(() => {
  stateDir = join(root, `state${++dirSeq}`);
});

describe('ProcessExecutor durable mode', () => {
  it('sees the exit of a task that ends at once, even while the start is still writing its state', async () => {
    const ex = executor();
    // exit before the start's own bookkeeping (closing files, recording the PID) is done; a lost exit hangs wait()
    const tasks = Array.from({ length: 8 }, () => makeTask({ Command: ['/bin/sh', '-c', 'exit 3'] }));
    for (const t of tasks) await run(ex, t);
    const codes = await Promise.all(
      tasks.map((t) => Promise.race([ex.wait(t), new Promise<string>((r) => setTimeout(() => r('lost'), 5_000))])),
    );
    expect(codes).toEqual(tasks.map(() => 3));
  });

  it('writes output to files, follows them with timestamps and keeps the state on disk', async () => {
    const ex = executor();
    const t = makeTask({ Args: ['/bin/sh', '-c', 'echo out1; echo err1 >&2; sleep 0.3; echo out2; exit 4'] });
    await ex.prepare(t);
    const dir = taskDir(stateDir, t.ID);
    expect((await readTaskState(dir))?.state).toBe('prepared');
    const pid = (await ex.start(t)).PID!;
    // The task writes to its files itself: no pipe to this process.
    expect(readlinkSync(`/proc/${pid}/fd/1`)).toBe(join(dir, 'stdout.log'));
    expect(readlinkSync(`/proc/${pid}/fd/2`)).toBe(join(dir, 'stderr.log'));
    const rec = await readTaskState(dir);
    expect(rec).toMatchObject({ taskID: t.ID, state: 'running', pid, pgid: pid });
    expect(rec!.startTime).toMatch(/^\d+$/);
    expect(rec!.argv).toEqual(['/bin/sh', '-c', expect.stringContaining('echo out1')]);
    expect(rec!.env.SWARMDECK_TASK_ID).toBe(t.ID);

    await until(() => lines(ex, t).includes('err1') && lines(ex, t).includes('out1'), 3_000, 'first lines');
    const first = ex.logs(t.ID).find((e) => e.line === 'out1')!;
    expect(first.stream).toBe('stdout');
    expect(Math.abs(Date.parse(first.time) - Date.now())).toBeLessThan(5_000);
    expect(ex.logs(t.ID).find((e) => e.line === 'err1')!.stream).toBe('stderr');

    expect(await ex.wait(t)).toBe(4);
    expect(lines(ex, t)).toContain('out2'); // complete once wait resolves
    await until(async () => (await readTaskState(dir))?.state === 'exited', 2_000, 'exited state');
    expect(await readTaskState(dir)).toMatchObject({ state: 'exited', exitCode: 4 });
    expect(readFileSync(join(dir, 'exit'), 'utf8').trim()).toBe('4');

    await ex.remove(t);
    expect(existsSync(dir)).toBe(false);
  });

  it('keeps the task state private (0700 dirs, 0600 files) and gives the task a container umask', async () => {
    // the usual umask, as a test or an embedding process has it: the executor gives modes itself
    const umask = process.umask(0o022);
    try {
      const ex = executor();
      const t = makeTask({ Args: ['/bin/sh', '-c', 'umask; echo secret; echo err >&2; touch mine; exit 2'] });
      await run(ex, t);
      expect(await ex.wait(t)).toBe(2);
      const dir = taskDir(stateDir, t.ID);
      await until(async () => (await readTaskState(dir))?.state === 'exited', 2_000, 'exited state');
      const modeOf = (p: string) => statSync(p).mode & 0o777;
      expect(modeOf(stateDir)).toBe(0o700);
      expect(modeOf(dir)).toBe(0o700);
      expect(modeOf(join(dir, 'work'))).toBe(0o700);
      for (const f of ['state.json', 'stdout.log', 'stderr.log', 'exit']) expect(modeOf(join(dir, f)), f).toBe(0o600);
      // the task itself runs with 022 whatever the agent's umask, and its own files are its business
      expect(ex.logs(t.ID).find((e) => e.stream === 'stdout')?.line).toBe('0022');
      expect(modeOf(join(dir, 'work', 'mine'))).toBe(0o644);
    } finally {
      process.umask(umask);
    }
  });

  it('repairs the modes an older version left in the state directory', async () => {
    const ex1 = executor();
    const t = makeTask({ Args: ['/bin/sh', '-c', 'echo hi; exit 0'] });
    await run(ex1, t);
    await ex1.wait(t);
    const dir = taskDir(stateDir, t.ID);
    await until(async () => (await readTaskState(dir))?.state === 'exited', 2_000, 'exited state');
    // what a version without private modes left: 0755 directories, 0644 files
    for (const d of [stateDir, dir, join(dir, 'work')]) chmodSync(d, 0o755);
    for (const f of ['state.json', 'stdout.log', 'stderr.log', 'exit']) chmodSync(join(dir, f), 0o644);
    writeFileSync(join(dir, 'work', 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    chmodSync(join(dir, 'work', 'tool'), 0o755);
    secureTaskStateDir(stateDir);
    const modeOf = (p: string) => statSync(p).mode & 0o777;
    for (const d of [stateDir, dir, join(dir, 'work')]) expect(modeOf(d), d).toBe(0o700);
    for (const f of ['state.json', 'stdout.log', 'stderr.log', 'exit']) expect(modeOf(join(dir, f)), f).toBe(0o600);
    expect(modeOf(join(dir, 'work', 'tool'))).toBe(0o755);
  });

  it('a new executor on the same state directory adopts a running task and gets its real exit code', async () => {
    const ex1 = executor();
    const t = makeTask({ Args: ['/bin/sh', '-c', 'echo before; sleep 1; echo after; exit 3'] });
    const pid = await run(ex1, t);
    await until(() => lines(ex1, t).includes('before'), 3_000, 'first line');

    // The agent restarts: a second executor, the first one is neither shut down nor detached.
    const ex2 = executor();
    await ex2.recover();
    expect(ex2.status(t.ID)).toMatchObject({ PID: pid });
    expect(await ex2.start(t)).toMatchObject({ PID: pid }); // idempotent: no second spawn
    expect(withMarker(t.ID).filter((p) => p.pid === p.pgrp)).toHaveLength(1);
    const t0 = Date.now();
    expect(await ex2.wait(t)).toBe(3);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(lines(ex2, t)).toEqual(['before', 'after']); // the file holds what came before the restart
    expect(ex2.status(t.ID)).toMatchObject({ PID: pid, ExitCode: 3 });
  });

  it('shuts an adopted task down: SIGTERM to its group, SIGKILL after the grace period', async () => {
    const ex1 = executor();
    const polite = makeTask({
      Args: ['/bin/sh', '-c', 'trap "echo bye; exit 0" TERM; echo up; while :; do sleep 0.1; done'],
    });
    const stubborn = makeTask({
      Args: ['/bin/sh', '-c', "trap '' TERM; echo up; sleep 30"],
      StopGracePeriod: 300e6,
    });
    const p1 = await run(ex1, polite);
    const p2 = await run(ex1, stubborn);
    await until(() => lines(ex1, polite).includes('up') && lines(ex1, stubborn).includes('up'), 3_000, 'up');
    await ex1.detach();

    const ex2 = executor();
    await ex2.recover();
    let t0 = Date.now();
    await ex2.shutdown(polite);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(await ex2.wait(polite)).toBe(0);
    expect(lines(ex2, polite)).toContain('bye');
    expect(groupMembers(p1)).toEqual([]);

    t0 = Date.now();
    await ex2.shutdown(stubborn);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t0).toBeLessThan(2_500);
    expect(await ex2.wait(stubborn)).toBe(137); // killed by us: a plain 137, no mystery
    expect(groupMembers(p2)).toEqual([]);
  });

  it('a chatty task outlives kill -9 of its agent process and is adopted by the next one', async () => {
    const t = makeTask({});
    const agent = spawn(process.execPath, ['--import', 'tsx', CRASH_CHILD, stateDir, t.ID], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    agent.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const { pid } = JSON.parse(
      await until(() => out.split('\n').length > 1 && out.split('\n')[0], 15_000, 'child'),
    ) as {
      pid: number;
    };
    agent.kill('SIGKILL');
    await new Promise((r) => agent.once('exit', r));
    // Its output went to a file, not a pipe: no SIGPIPE, it keeps going without any agent.
    const file = join(taskDir(stateDir, t.ID), 'stdout.log');
    const size = statSync(file).size;
    await until(() => statSync(file).size > size, 3_000, 'output while no agent runs');
    expect(
      withMarker(t.ID)
        .filter((p) => p.pid === p.pgrp)
        .map((p) => p.pid),
    ).toEqual([pid]);

    const ex = executor();
    await ex.recover();
    expect(ex.status(t.ID)).toMatchObject({ PID: pid, ExitCode: undefined });
    await until(() => lines(ex, t).length > 0, 3_000, 'recovered log lines');
    const seen = lines(ex, t).length;
    await until(() => lines(ex, t).length > seen + 5, 3_000, 'new lines followed');
    expect(lines(ex, t)[0]).toBe('tick 1'); // the file still held everything since the start
    await ex.shutdown(t);
    expect(await ex.wait(t)).toBe(143);
    expect(groupMembers(pid)).toEqual([]);
  });

  it('a child task stopped by SIGTERM reports 143, and the wrapper records it', async () => {
    const ex = executor();
    const t = makeTask({ Args: ['/bin/sh', '-c', 'echo up; sleep 30'] });
    const pid = await run(ex, t);
    await until(() => lines(ex, t).includes('up'), 3_000, 'up');
    await ex.shutdown(t);
    expect(await ex.wait(t)).toBe(143);
    expect(groupMembers(pid)).toEqual([]);
    expect(readFileSync(join(taskDir(stateDir, t.ID), 'exit'), 'utf8').trim()).toBe('143');
  });

  it('never spawns twice: overlapping starts, and start after a restart', async () => {
    const ex1 = executor();
    const t = makeTask({ Args: ['/bin/sh', '-c', 'sleep 30'] });
    await ex1.prepare(t);
    const [a, b] = await Promise.all([ex1.start(t), ex1.start(t)]);
    expect(a.PID).toBe(b.PID);
    await ex1.detach();
    const ex2 = executor();
    // prepare/start recover on their own when recover() was not called first.
    expect((await ex2.prepare(t)).ContainerID).toBe(a.ContainerID);
    expect((await ex2.start(t)).PID).toBe(a.PID);
    const leaders = withMarker(t.ID).filter((p) => p.pid === p.pgrp);
    expect(leaders.map((p) => p.pid)).toEqual([a.PID]);
  });

  it('reports tasks that ended while no executor was watching', async () => {
    const ex1 = executor();
    const exited = makeTask({ Args: ['/bin/sh', '-c', 'echo done; exit 5'] });
    const killed = makeTask({ Args: ['/bin/sh', '-c', 'sleep 30'] });
    const prepared = makeTask({ Args: ['/bin/sh', '-c', 'echo late; exit 0'] });
    const p1 = await run(ex1, exited);
    const p2 = await run(ex1, killed);
    await ex1.prepare(prepared);
    await ex1.detach();
    await until(() => groupMembers(p1).length === 0, 3_000, 'exit of the first task');
    process.kill(-p2, 'SIGKILL'); // no exit status can be recorded
    await until(() => groupMembers(p2).length === 0, 3_000, 'kill of the second task');

    const ex2 = executor();
    await ex2.recover();
    expect(await ex2.wait(exited)).toBe(5);
    expect(lines(ex2, exited)).toEqual(['done']);
    const err = await ex2.wait(killed).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExitError);
    expect((err as ExitError).exitCode).toBe(137);
    expect((err as ExitError).message).toMatch(
      /^task: non-zero exit \(137\): the task process ended without recording/,
    );
    expect(ex2.status(killed.ID)?.ExitCode).toBe(137);
    // An exited task that ran is not started again: start reports it and wait tells how it ended.
    expect((await ex2.start(exited)).PID).toBe(p1);
    expect(withMarker(exited.ID)).toEqual([]);
    // A prepared one never ran and can still start.
    await ex2.start(prepared);
    expect(await ex2.wait(prepared)).toBe(0);
    await until(() => lines(ex2, prepared).includes('late'), 2_000, 'its output');
  });

  it('adopts a process whose PID was not recorded yet (agent died around the spawn)', async () => {
    const ex1 = executor();
    const t = makeTask({ Args: ['/bin/sh', '-c', 'sleep 30'] });
    const pid = await run(ex1, t);
    await ex1.detach();
    // Rewrite the record as it stood just before the spawn.
    const dir = taskDir(stateDir, t.ID);
    const rec = (await readTaskState(dir))!;
    await writeTaskState(dir, { ...rec, state: 'starting', pid: undefined, pgid: undefined, startTime: undefined });
    const ex2 = executor();
    await ex2.recover();
    expect(ex2.status(t.ID)?.PID).toBe(pid);
    expect((await ex2.start(t)).PID).toBe(pid);
    await ex2.shutdown(t);
    expect(await ex2.wait(t)).toBe(143);

    // No process and no exit status: it may never have run, and it is never started again.
    const u = makeTask({ Args: ['/bin/sh', '-c', 'echo should-not-run'] });
    const ex3 = executor();
    await ex3.prepare(u);
    const udir = taskDir(stateDir, u.ID);
    await writeTaskState(udir, { ...(await readTaskState(udir))!, state: 'starting' });
    await ex3.detach();
    const ex4 = executor();
    await expect(ex4.start(u)).rejects.toThrow(/agent stopped while starting the task/);
    expect(withMarker(u.ID)).toEqual([]);
  });

  it('reconcile stops and removes recovered tasks that are no longer assigned', async () => {
    const ex1 = executor();
    const kept = makeTask({ Args: ['/bin/sh', '-c', 'sleep 30'] });
    const gone = makeTask({ Args: ['/bin/sh', '-c', 'sleep 30'] });
    const finished = makeTask({ Args: ['/bin/sh', '-c', 'sleep 30'] });
    const pk = await run(ex1, kept);
    const pg = await run(ex1, gone);
    const pf = await run(ex1, finished);
    await ex1.detach();

    const ex2 = executor();
    await ex2.recover();
    await ex2.reconcile([
      { ...kept, Status: { ...kept.Status, State: 'running' } },
      { ...finished, Status: { ...finished.Status, State: 'orphaned' } },
    ]);
    expect(groupMembers(pg)).toEqual([]);
    expect(existsSync(taskDir(stateDir, gone.ID))).toBe(false);
    expect(ex2.status(gone.ID)).toBeUndefined();
    // Finished on the manager's side: stopped, its state kept until its assignment goes.
    expect(groupMembers(pf)).toEqual([]);
    expect(existsSync(taskDir(stateDir, finished.ID))).toBe(true);
    expect(groupMembers(pk).length).toBeGreaterThan(0);
    expect(ex2.status(kept.ID)).toMatchObject({ PID: pk, ExitCode: undefined });
  });

  it('empties a log file once it has been read past the cap, keeping every line', async () => {
    const ex = executor({ logFileCapBytes: 1024 });
    const pad = 'x'.repeat(100);
    const t = makeTask({
      Args: ['/bin/sh', '-c', `i=0; while [ $i -lt 60 ]; do i=$((i+1)); echo "line $i ${pad}"; sleep 0.005; done`],
    });
    await run(ex, t);
    expect(await ex.wait(t)).toBe(0);
    expect(lines(ex, t)).toEqual(Array.from({ length: 60 }, (_, i) => `line ${i + 1} ${pad}`));
    const size = statSync(join(taskDir(stateDir, t.ID), 'stdout.log')).size;
    expect(size).toBeLessThanOrEqual(1024 + 200); // 60 lines × 110 bytes were written
  });

  it('fails the start of a missing command as exec would', async () => {
    const ex = executor();
    const t = makeTask({ Image: 'acme/tool', Command: ['/no/such/binary-xyz'] });
    await ex.prepare(t);
    await expect(ex.start(t)).rejects.toThrow(/exec: "\/no\/such\/binary-xyz": executable file not found/);
    expect(withMarker(t.ID)).toEqual([]);
  });
});
