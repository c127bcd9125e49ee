import type { Cluster } from '../../api/types';
import { nsToMs } from '../../util/clock';

/** swarmkit's defaults (§7.2). */
export const DEFAULT_HEARTBEAT_PERIOD_MS = 5_000;
export const HEARTBEAT_EPSILON_MS = 500;
export const GRACE_MULTIPLIER = 3;
/** After a leader change nodes get longer to find the new leader. */
export const GRACE_MULTIPLIER_UNKNOWN = 6;
/** A node DOWN this long has its live tasks moved to ORPHANED. */
export const NODE_DOWN_ORPHAN_MS = 24 * 60 * 60 * 1000;
/** More than this many registrations within the window is refused. */
export const REGISTRATION_RATE_LIMIT = 3;
export const REGISTRATION_RATE_WINDOW_MS = 8_000;

export function heartbeatPeriodMs(cluster: Cluster | undefined): number {
  const ms = nsToMs(cluster?.Spec.Dispatcher?.HeartbeatPeriod, DEFAULT_HEARTBEAT_PERIOD_MS);
  return ms > 0 ? ms : DEFAULT_HEARTBEAT_PERIOD_MS;
}

/**
 * The period handed to an agent: ±500 ms of jitter so that heartbeats of many
 * nodes spread out. The epsilon shrinks with short periods (tests, sims) so
 * that it stays at 10% of the default's proportion.
 */
export function jitteredPeriodMs(periodMs: number, random: () => number): number {
  const eps = HEARTBEAT_EPSILON_MS * Math.min(1, periodMs / DEFAULT_HEARTBEAT_PERIOD_MS);
  return Math.max(1, Math.round(periodMs - eps + 2 * eps * random()));
}

/** Pure check for the registration rate limit: returns the kept timestamps, or undefined when over the limit. */
export function admitRegistration(previous: readonly number[], now: number): number[] | undefined {
  const recent = previous.filter((t) => now - t < REGISTRATION_RATE_WINDOW_MS);
  if (recent.length >= REGISTRATION_RATE_LIMIT) return undefined;
  return [...recent, now];
}
