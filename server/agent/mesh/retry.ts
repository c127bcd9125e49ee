// When the first hop tries another backend. Safe because it holds the client's
// first bytes until a backend said `ok`: nothing reached a refusing task.
// HAProxy `redispatch` / Envoy `connect-failure` semantics, capped in attempts
// and time; when every backend was tried it waits a little and starts over on
// the newest view (a rolling update's next task may be coming up).

/** Why an attempt did not connect; all of them happen before any client byte is sent. */
export type AttemptFailure = 'draining' | 'refused' | 'unreachable' | 'no-backend';

export interface RetryPolicy {
  maxAttempts: number;
  /** From the client's connection to the last attempt's start. */
  budgetMs: number;
  /** Pause before starting over once every backend was tried (or none was there). */
  roundPauseMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, budgetMs: 5_000, roundPauseMs: 100 };

export type RetryDecision = { retry: false } | { retry: true; afterMs: number; freshRound: boolean };

/**
 * After `attempts` failed attempts (`elapsedMs` since the client connected), the last one for `why`:
 * give up, or try again (after a pause and over all backends again when this round had none left).
 */
export function nextAttempt(
  policy: RetryPolicy,
  attempts: number,
  elapsedMs: number,
  why: AttemptFailure,
  untriedLeft: boolean,
): RetryDecision {
  if (attempts >= policy.maxAttempts) return { retry: false };
  const freshRound = why === 'no-backend' || !untriedLeft;
  const afterMs = freshRound ? policy.roundPauseMs : 0;
  if (elapsedMs + afterMs >= policy.budgetMs) return { retry: false };
  return { retry: true, afterMs, freshRound };
}
