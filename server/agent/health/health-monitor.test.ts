import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../util/clock';
import type { ExecResult } from '../executor/executor';
import { HealthMonitor } from './health-monitor';
import type { HealthSettings, HealthStatus } from './health-state';

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function setup(over: Partial<HealthSettings>, answer: (n: number) => ExecResult | Error) {
  const clock = new ManualClock();
  const probes: { at: number; argv: string[]; timeoutMs: number }[] = [];
  const changes: HealthStatus[] = [];
  const s: HealthSettings = {
    argv: ['/bin/sh', '-c', 'check'],
    intervalMs: 1000,
    timeoutMs: 500,
    retries: 2,
    startPeriodMs: 0,
    startIntervalMs: 5000,
    ...over,
  };
  const monitor = new HealthMonitor(
    s,
    async (argv, timeoutMs) => {
      probes.push({ at: clock.now() - start, argv, timeoutMs });
      const a = answer(probes.length);
      if (a instanceof Error) throw a;
      return a;
    },
    clock,
    (status) => changes.push(status),
  );
  const start = clock.now();
  const step = async (ms: number) => {
    clock.advance(ms);
    await settle();
  };
  return { clock, monitor, probes, changes, step };
}

const ok = { exitCode: 0, output: '' };
const bad = { exitCode: 1, output: 'nope' };

describe('HealthMonitor', () => {
  it('probes one interval after start and after each probe, reporting each change once', async () => {
    const { monitor, probes, changes, step } = setup({}, (n) => (n <= 2 ? ok : bad));
    monitor.start();
    await step(999);
    expect(probes).toHaveLength(0);
    await step(1);
    expect(probes).toEqual([{ at: 1000, argv: ['/bin/sh', '-c', 'check'], timeoutMs: 500 }]);
    expect(changes).toEqual(['healthy']);
    await step(1000); // second pass: no change, nothing reported
    expect(changes).toEqual(['healthy']);
    await step(1000);
    expect(monitor.state).toMatchObject({ status: 'healthy', failingStreak: 1 });
    await step(1000);
    expect(changes).toEqual(['healthy', 'unhealthy']);
    expect(monitor.lastOutput).toBe('nope');
    monitor.stop();
    await step(10_000);
    expect(probes).toHaveLength(4);
  });

  it('uses the start interval in the start period and counts a rejected probe as a failure', async () => {
    const { monitor, probes, changes, step } = setup(
      { startPeriodMs: 3000, startIntervalMs: 500, intervalMs: 2000 },
      () => new Error('task is not running'),
    );
    monitor.start();
    for (let i = 0; i < 20; i++) await step(250);
    // 500, 1000, …, 3000 in the start period, then every 2 s: 5000 fails the second counted time
    expect(probes.map((p) => p.at)).toEqual([500, 1000, 1500, 2000, 2500, 3000, 5000]);
    expect(changes).toEqual(['unhealthy']);
    expect(monitor.lastOutput).toBe('task is not running');
    monitor.stop();
  });

  it('never probes after stop, even when a probe was in flight', async () => {
    let release!: (r: ExecResult) => void;
    const clock = new ManualClock();
    const changes: HealthStatus[] = [];
    let probes = 0;
    const monitor = new HealthMonitor(
      { argv: ['x'], intervalMs: 100, timeoutMs: 100, retries: 1, startPeriodMs: 0, startIntervalMs: 100 },
      () => {
        probes++;
        return new Promise<ExecResult>((r) => (release = r));
      },
      clock,
      (s) => changes.push(s),
    );
    monitor.start();
    clock.advance(100);
    expect(probes).toBe(1);
    monitor.stop();
    release(bad);
    await settle();
    clock.advance(1000);
    expect(probes).toBe(1);
    expect(changes).toEqual([]);
  });
});
