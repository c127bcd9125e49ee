/**
 * Burn-in care for a screen that shows the same layout for days: every few
 * minutes the whole picture moves by one pixel (at once), around a small orbit that
 * covers every offset in a 7×7 px square evenly, so no edge stays on the
 * same pixels. Small enough that nobody across the room sees it move.
 */
export const BURN_IN_STEP_MS = 3 * 60_000;
export const BURN_IN_MAX_PX = 3;

/** A fixed walk through the offsets -3..3 on each axis, neighbours one step apart where it can. */
const ORBIT: readonly (readonly [number, number])[] = (() => {
  const out: [number, number][] = [];
  const span = BURN_IN_MAX_PX * 2 + 1;
  for (let row = 0; row < span; row++) {
    // serpentine: the next row starts where this one ended, so no jump crosses the square
    for (let col = 0; col < span; col++) {
      const x = (row % 2 === 0 ? col : span - 1 - col) - BURN_IN_MAX_PX;
      out.push([x, row - BURN_IN_MAX_PX]);
    }
  }
  // back up the other way: the walk closes without a jump from one corner to the other
  return [...out, ...out.slice(1, -1).reverse()];
})();

/** The offset (px) for a moment in time: the same on every screen at that moment, no state to keep. */
export function burnInOffset(nowMs: number, stepMs = BURN_IN_STEP_MS): { x: number; y: number } {
  const step = Math.floor(nowMs / stepMs) % ORBIT.length;
  const [x, y] = ORBIT[step]!;
  return { x, y };
}

/** ms until the next shift (so the timer fires right on the step). */
export const msToNextShift = (nowMs: number, stepMs = BURN_IN_STEP_MS): number => stepMs - (nowMs % stepMs);
