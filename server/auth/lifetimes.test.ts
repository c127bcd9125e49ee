import { describe, expect, it } from 'vitest';
import { renewedExpiry, SESSION_MAX_MS, SESSION_TTL_MS, sessionExpiry } from './lifetimes';

const H = 3_600_000;

describe('session lifetimes', () => {
  it('a session lasts 12 h, renewed only once less than half is left, never past 7 days', () => {
    const t0 = 1_000_000_000;
    const exp = sessionExpiry(t0, t0);
    expect(exp - t0).toBe(SESSION_TTL_MS);
    expect(renewedExpiry(t0, exp, t0 + 5 * H)).toBeUndefined();
    expect(renewedExpiry(t0, exp, t0 + 7 * H)).toBe(t0 + 19 * H);
    // near the 7-day cap the renewal stops at the cap, then not at all
    const late = t0 + SESSION_MAX_MS - 2 * H;
    expect(renewedExpiry(t0, late + H, late)).toBe(t0 + SESSION_MAX_MS);
    expect(renewedExpiry(t0, t0 + SESSION_MAX_MS, t0 + SESSION_MAX_MS - H)).toBeUndefined();
  });
});
