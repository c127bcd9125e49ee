import { describe, expect, it } from 'vitest';
import { BURN_IN_MAX_PX, BURN_IN_STEP_MS, burnInOffset, msToNextShift } from './burn-in';

describe('burnInOffset', () => {
  const steps = (n: number) => Array.from({ length: n }, (_, i) => burnInOffset(i * BURN_IN_STEP_MS + 1));

  it('stays put within a step and moves at the next', () => {
    expect(burnInOffset(10)).toEqual(burnInOffset(BURN_IN_STEP_MS - 1));
    expect(burnInOffset(BURN_IN_STEP_MS)).not.toEqual(burnInOffset(BURN_IN_STEP_MS - 1));
  });

  it('moves a few pixels at most, one pixel per axis per step, and visits every offset of the square', () => {
    const span = BURN_IN_MAX_PX * 2 + 1;
    const period = 2 * span * span - 2;
    const walk = steps(period + 1);
    expect(walk[period]).toEqual(walk[0]); // it cycles
    const seen = new Set(walk.map((o) => `${o.x},${o.y}`));
    expect(seen.size).toBe(span * span);
    for (let i = 1; i < walk.length; i++) {
      const a = walk[i - 1]!;
      const b = walk[i]!;
      expect(Math.abs(b.x)).toBeLessThanOrEqual(BURN_IN_MAX_PX);
      expect(Math.abs(b.y)).toBeLessThanOrEqual(BURN_IN_MAX_PX);
      expect(Math.abs(b.x - a.x) + Math.abs(b.y - a.y)).toBe(1);
    }
  });

  it('schedules the next shift right on the step boundary', () => {
    expect(msToNextShift(5 * BURN_IN_STEP_MS)).toBe(BURN_IN_STEP_MS);
    expect(msToNextShift(5 * BURN_IN_STEP_MS + 1000)).toBe(BURN_IN_STEP_MS - 1000);
  });
});
