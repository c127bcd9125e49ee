// Reconnect delays: exponential from `baseMs`, capped, with jitter so peers
// that lost the same member do not all redial it in lockstep.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, capMs: 2_000 };

/** Delay before redial number `attempt` (0 = first retry): uniform in [d/2, d], d = min(cap, base·2^attempt). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
