import { describe, expect, it } from 'vitest';
import {
  HEALTH_DEFAULTS,
  applyProbe,
  healthSettings,
  initialHealth,
  nextProbeDelay,
  type HealthSettings,
  type HealthState,
} from './health-state';

const settings = (over: Partial<HealthSettings> = {}): HealthSettings => ({
  argv: ['true'],
  intervalMs: 1000,
  timeoutMs: 1000,
  retries: 2,
  startPeriodMs: 0,
  startIntervalMs: 5000,
  ...over,
});

/** Applies probe exit codes begun at the given times (ms after start); the statuses after each. */
function run(s: HealthSettings, probes: [at: number, exitCode: number][]): HealthState[] {
  let state = initialHealth(0);
  return probes.map(([start, exitCode]) => (state = applyProbe(s, state, { start, exitCode })));
}

describe('healthSettings', () => {
  it('reads the test and fills Docker defaults for zero or missing values', () => {
    expect(healthSettings({ Test: ['CMD-SHELL', 'test -f /tmp/ok'] })).toEqual({
      argv: ['/bin/sh', '-c', 'test -f /tmp/ok'],
      ...HEALTH_DEFAULTS,
    });
    expect(HEALTH_DEFAULTS).toMatchObject({ intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startIntervalMs: 5000 });
    expect(
      healthSettings({
        Test: ['CMD', 'curl', '-f', 'http://localhost'],
        Interval: 1e9,
        Timeout: 5e8,
        Retries: 2,
        StartPeriod: 3e9,
        StartInterval: 2e8,
      }),
    ).toEqual({
      argv: ['curl', '-f', 'http://localhost'],
      intervalMs: 1000,
      timeoutMs: 500,
      retries: 2,
      startPeriodMs: 3000,
      startIntervalMs: 200,
    });
  });

  it('has no check for no Test, [] (inherit: our images have none), NONE or an unknown type', () => {
    expect(healthSettings(undefined)).toBeUndefined();
    expect(healthSettings({ Interval: 1e9 })).toBeUndefined();
    expect(healthSettings({ Test: [] })).toBeUndefined();
    expect(healthSettings({ Test: ['NONE'] })).toBeUndefined();
    expect(healthSettings({ Test: ['SHELL', 'true'] })).toBeUndefined();
  });
});

describe('applyProbe', () => {
  it('becomes healthy on a pass and unhealthy after `retries` failures in a row', () => {
    const s = settings({ retries: 3 });
    expect(
      run(s, [
        [1000, 1],
        [2000, 1],
        [3000, 0],
      ]).map((x) => [x.status, x.failingStreak]),
    ).toEqual([
      ['starting', 1],
      ['starting', 2],
      ['healthy', 0],
    ]);
    const states = run(s, [
      [1000, 0],
      [2000, 1],
      [3000, 1],
      [4000, 0],
      [5000, 1],
      [6000, -1],
      [7000, 2],
    ]);
    expect(states.map((x) => [x.status, x.failingStreak])).toEqual([
      ['healthy', 0],
      ['healthy', 1],
      ['healthy', 2],
      ['healthy', 0], // a pass clears the streak
      ['healthy', 1],
      ['healthy', 2], // a timeout (-1) is a failure
      ['unhealthy', 3],
    ]);
  });

  it('ignores failures begun in the start period until the first pass; a pass there makes it healthy', () => {
    const s = settings({ startPeriodMs: 10_000, retries: 2 });
    const never = run(s, [
      [1000, 1],
      [5000, 1],
      [9999, 1],
      [10_000, 1],
      [11_000, 1],
    ]);
    expect(never.map((x) => [x.status, x.failingStreak])).toEqual([
      ['starting', 0],
      ['starting', 0],
      ['starting', 0],
      ['starting', 1],
      ['unhealthy', 2],
    ]);
    const early = run(s, [
      [1000, 1],
      [2000, 0],
      [3000, 1],
      [4000, 1],
    ]);
    expect(early.map((x) => [x.status, x.failingStreak])).toEqual([
      ['starting', 0],
      ['healthy', 0],
      // once healthy, failures count even inside the start period
      ['healthy', 1],
      ['unhealthy', 2],
    ]);
  });
});

describe('nextProbeDelay', () => {
  it('uses the start interval only inside the start period while not yet healthy', () => {
    const s = settings({ intervalMs: 30_000, startPeriodMs: 20_000, startIntervalMs: 2000 });
    const starting = initialHealth(0);
    expect(nextProbeDelay(s, starting, 0)).toBe(2000);
    expect(nextProbeDelay(s, starting, 19_999)).toBe(2000);
    expect(nextProbeDelay(s, starting, 20_000)).toBe(30_000);
    expect(nextProbeDelay(s, { ...starting, status: 'healthy' }, 5000)).toBe(30_000);
    // without a start period the interval applies from the first probe on
    expect(nextProbeDelay(settings({ intervalMs: 1000 }), starting, 0)).toBe(1000);
  });
});
