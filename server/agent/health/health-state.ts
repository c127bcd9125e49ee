import type { ContainerStatus, HealthConfig } from '../../api/types';

export type HealthStatus = NonNullable<ContainerStatus['Health']>;

/** A health check with Docker's defaults filled in (moby daemon/health.go). */
export interface HealthSettings {
  /** What one probe runs: `CMD` as given, `CMD-SHELL` through `/bin/sh -c`. */
  argv: string[];
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive counted failures that make the task unhealthy. */
  retries: number;
  startPeriodMs: number;
  /** Between probes during the start period, while not yet healthy. */
  startIntervalMs: number;
}

export const HEALTH_DEFAULTS = {
  intervalMs: 30_000,
  timeoutMs: 30_000,
  retries: 3,
  startPeriodMs: 0,
  startIntervalMs: 5_000,
} as const;

/** 0 (or nothing) means the default, as in Docker. */
const duration = (ns: number | undefined, fallbackMs: number): number => (ns && ns > 0 ? ns / 1e6 : fallbackMs);

/**
 * The check in effect for a container spec, or undefined when there is none:
 * no Test or `[]` (inherit from the image: our images declare none), `["NONE"]`,
 * or an unknown test type (Docker then runs no monitor either).
 */
export function healthSettings(hc: HealthConfig | undefined): HealthSettings | undefined {
  const test = hc?.Test;
  if (!hc || !test || test.length === 0) return undefined;
  const [kind, ...rest] = test;
  let argv: string[];
  if (kind === 'CMD') argv = rest;
  else if (kind === 'CMD-SHELL') argv = ['/bin/sh', '-c', ...rest];
  else return undefined;
  return {
    argv,
    intervalMs: duration(hc.Interval, HEALTH_DEFAULTS.intervalMs),
    timeoutMs: duration(hc.Timeout, HEALTH_DEFAULTS.timeoutMs),
    retries: hc.Retries && hc.Retries > 0 ? hc.Retries : HEALTH_DEFAULTS.retries,
    startPeriodMs: duration(hc.StartPeriod, HEALTH_DEFAULTS.startPeriodMs),
    startIntervalMs: duration(hc.StartInterval, HEALTH_DEFAULTS.startIntervalMs),
  };
}

export interface HealthState {
  status: HealthStatus;
  /** Consecutive failed probes that counted (those in the start period before any success do not). */
  failingStreak: number;
  /** When the container started (ms); the start period runs from here. */
  startedAt: number;
}

export interface ProbeResult {
  /** When the probe began (ms): a failure that began within the start period does not count. */
  start: number;
  /** 0 passes; anything else (a timeout is -1) fails. */
  exitCode: number;
}

export function initialHealth(startedAt: number): HealthState {
  return { status: 'starting', failingStreak: 0, startedAt };
}

/**
 * One probe result applied (moby handleProbeResult): a pass makes the task
 * healthy and clears the streak; a failure counts unless the task has never
 * been healthy and the probe began inside the start period; `retries`
 * counted failures in a row make it unhealthy.
 */
export function applyProbe(s: HealthSettings, state: HealthState, r: ProbeResult): HealthState {
  if (r.exitCode === 0) return { ...state, status: 'healthy', failingStreak: 0 };
  if (state.status === 'starting' && r.start - state.startedAt < s.startPeriodMs) return state;
  const failingStreak = state.failingStreak + 1;
  return { ...state, failingStreak, status: failingStreak >= s.retries ? 'unhealthy' : state.status };
}

/**
 * How long after the previous probe ended (or after the start) the next one
 * begins: the start interval while in the start period and not yet healthy,
 * else the interval.
 */
export function nextProbeDelay(s: HealthSettings, state: HealthState, now: number): number {
  const inStartPeriod = now - state.startedAt < s.startPeriodMs;
  return inStartPeriod && state.status === 'starting' ? s.startIntervalMs : s.intervalMs;
}
