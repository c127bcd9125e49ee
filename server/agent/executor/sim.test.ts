import { describe, expect, it } from 'vitest';
import type { Task } from '../../api/types';
import { ManualClock } from '../../util/clock';
import { SimExecutor } from './sim';
import { parseDurationMs, simBehaviour } from './sim-config';

function task(over: { Env?: string[]; Labels?: Record<string, string> } = {}, id = 'task1'): Task {
  return { ID: id, Spec: { ContainerSpec: { Image: 'nginx', ...over }, ForceUpdate: 0 } } as unknown as Task;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('sim failure injection', () => {
  it('reads the unhealthy label: true, a duration, or false', () => {
    expect(simBehaviour(task({ Labels: { 'swarmdeck.sim.unhealthy': 'true' } }))).toEqual({ unhealthyAfterMs: 0 });
    expect(simBehaviour(task({ Env: ['SWARMDECK_SIM_UNHEALTHY=30s'] }))).toEqual({ unhealthyAfterMs: 30_000 });
    expect(simBehaviour(task({ Labels: { 'swarmdeck.sim.unhealthy': 'false' } }))).toEqual({});
  });

  it('passes health probes unless labelled unhealthy, and refuses them for a task that is not running', async () => {
    const clock = new ManualClock();
    const ex = new SimExecutor({ clock, speed: 0 });
    const ok = task({}, 'ok');
    const sick = task({ Labels: { 'swarmdeck.sim.unhealthy': '1s' } }, 'sick');
    await expect(ex.exec(ok, ['true'], { timeoutMs: 1000 })).rejects.toThrow(/not running/);
    for (const t of [ok, sick]) {
      await ex.prepare(t);
      await ex.start(t);
    }
    expect((await ex.exec(ok, ['true'], { timeoutMs: 1000 })).exitCode).toBe(0);
    expect((await ex.exec(sick, ['true'], { timeoutMs: 1000 })).exitCode).toBe(0);
    clock.advance(1000);
    expect(await ex.exec(sick, ['true'], { timeoutMs: 1000 })).toEqual({
      exitCode: 1,
      output: 'sim: injected unhealthy',
    });
    expect((await ex.exec(ok, ['true'], { timeoutMs: 1000 })).exitCode).toBe(0);
  });

  it('parses durations in Go style or as plain milliseconds', () => {
    expect(parseDurationMs('3s')).toBe(3000);
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('1200')).toBe(1200);
    expect(parseDurationMs('soon')).toBeUndefined();
    expect(parseDurationMs('3x')).toBeUndefined();
  });

  it('reads env vars and container labels, env first', () => {
    expect(simBehaviour(task())).toEqual({});
    expect(simBehaviour(task({ Env: ['A=1', 'SWARMDECK_SIM_EXIT_CODE=2', 'SWARMDECK_SIM_EXIT_AFTER=3s'] }))).toEqual({
      exitCode: 2,
      exitAfterMs: 3000,
    });
    expect(simBehaviour(task({ Labels: { 'swarmdeck.sim.fail': 'start', 'swarmdeck.sim.exit-code': '4' } }))).toEqual({
      fail: 'start',
      exitCode: 4,
    });
    expect(
      simBehaviour(task({ Env: ['SWARMDECK_SIM_FAIL=prepare'], Labels: { 'swarmdeck.sim.fail': 'start' } })),
    ).toEqual({ fail: 'prepare' });
  });
});

describe('SimExecutor', () => {
  it('takes its configured delays on the injected clock and runs until stopped', async () => {
    const clock = new ManualClock();
    const ex = new SimExecutor({ clock, prepareMs: [100, 100], startMs: [50, 50], stopMs: [10, 10], seed: 7 });
    const t = task();
    let prepared = false;
    void ex.prepare(t).then(() => (prepared = true));
    clock.advance(99);
    await settle();
    expect(prepared).toBe(false);
    clock.advance(1);
    await settle();
    expect(prepared).toBe(true);

    const started = ex.start(t);
    clock.advance(50);
    const cs = await started;
    expect(cs.ContainerID).toMatch(/^[0-9a-f]{64}$/);
    expect(cs.PID).toBeGreaterThan(0);
    expect(ex.runningCount).toBe(1);

    let code: number | undefined;
    void ex.wait(t).then((c) => (code = c));
    clock.advance(3_600_000);
    await settle();
    expect(code).toBeUndefined();
    const stopping = ex.shutdown(t);
    clock.advance(10);
    await stopping;
    await settle();
    expect(code).toBe(143);
    expect(ex.runningCount).toBe(0);
  });

  it('exits with the injected code after the injected delay', async () => {
    const clock = new ManualClock();
    const ex = new SimExecutor({ clock, speed: 0 });
    const t = task({ Env: ['SWARMDECK_SIM_EXIT_CODE=3', 'SWARMDECK_SIM_EXIT_AFTER=2s'] });
    await ex.prepare(t);
    await ex.start(t);
    let code: number | undefined;
    void ex.wait(t).then((c) => (code = c));
    clock.advance(1999);
    await settle();
    expect(code).toBeUndefined();
    clock.advance(1);
    await settle();
    expect(code).toBe(3);
  });

  it('fails the requested step', async () => {
    const ex = new SimExecutor({ speed: 0 });
    await expect(ex.prepare(task({ Env: ['SWARMDECK_SIM_FAIL=prepare'] }))).rejects.toThrow(/prepare failure/);
    const t = task({ Labels: { 'swarmdeck.sim.fail': 'start' } }, 'task2');
    await ex.prepare(t);
    await expect(ex.start(t)).rejects.toThrow(/start failure/);
  });
});
