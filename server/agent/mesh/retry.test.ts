import { describe, expect, it } from 'vitest';
import { nextAttempt, type RetryPolicy } from './retry';

const policy: RetryPolicy = { maxAttempts: 4, budgetMs: 1_000, roundPauseMs: 100 };

describe('retry policy', () => {
  it('tries the next untried backend at once', () => {
    expect(nextAttempt(policy, 1, 10, 'draining', true)).toEqual({ retry: true, afterMs: 0, freshRound: false });
    expect(nextAttempt(policy, 2, 10, 'refused', true)).toEqual({ retry: true, afterMs: 0, freshRound: false });
  });

  it('starts a fresh round after a pause when every backend was tried or none is there', () => {
    expect(nextAttempt(policy, 1, 10, 'unreachable', false)).toEqual({ retry: true, afterMs: 100, freshRound: true });
    expect(nextAttempt(policy, 1, 10, 'no-backend', true)).toEqual({ retry: true, afterMs: 100, freshRound: true });
  });

  it('gives up at the attempt cap or when the time budget would be exceeded', () => {
    expect(nextAttempt(policy, 4, 10, 'refused', true)).toEqual({ retry: false });
    expect(nextAttempt(policy, 1, 999, 'refused', true)).toEqual({ retry: true, afterMs: 0, freshRound: false });
    expect(nextAttempt(policy, 1, 1_000, 'refused', true)).toEqual({ retry: false });
    expect(nextAttempt(policy, 1, 950, 'no-backend', true)).toEqual({ retry: false });
  });
});
