import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('doubles from the base, is capped at ~2 s, and jitters within [d/2, d]', () => {
    const policy = { baseMs: 100, capMs: 2_000 };
    expect(backoffDelay(0, policy, () => 1)).toBe(100);
    expect(backoffDelay(1, policy, () => 1)).toBe(200);
    expect(backoffDelay(3, policy, () => 1)).toBe(800);
    expect(backoffDelay(10, policy, () => 1)).toBe(2_000);
    expect(backoffDelay(1_000, policy, () => 1)).toBe(2_000);
    expect(backoffDelay(10, policy, () => 0)).toBe(1_000);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(300);
  });
});
