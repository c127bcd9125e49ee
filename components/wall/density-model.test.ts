import { describe, expect, it } from 'vitest';
import {
  densityPlan,
  holdNeed,
  mapNeeds,
  mapPlan,
  PLAN_HOLD_MS,
  wallFontPx,
  type HeldNeed,
  type MapNeeds,
} from './density-model';

const UHD = [3840, 2160] as const;
const LAPTOP = [1366, 768] as const;
const ULTRAWIDE = [7680, 2160] as const;

describe('densityPlan', () => {
  it('sizes type so a 4K wall reads at 5 m: cards at least 48 px, headline figures at least 96 px', () => {
    const f = wallFontPx(...UHD);
    expect(f * 2.6).toBeGreaterThanOrEqual(48); // a task card row (wall.css: 2.6em)
    expect(f * 3).toBeGreaterThanOrEqual(96); // headline figures (wall.css: 3em)
    expect(wallFontPx(...LAPTOP)).toBeGreaterThanOrEqual(12);
  });

  it('draws a small cluster as cards, a column per node, like the visualizer', () => {
    for (const size of [UHD, LAPTOP, ULTRAWIDE]) {
      const p = densityPlan(3, 6, size[0], size[1]);
      expect(p).toMatchObject({ density: 'cards', gridColumns: 3, gridRows: 1 });
      expect(p.scale).toBe(2); // few tasks: the cards grow to fill the columns
    }
    expect(densityPlan(4, 14, ...UHD).scale).toBeLessThan(2);
    expect(densityPlan(4, 14, ...UHD).scale).toBeGreaterThanOrEqual(1);
  });

  it('moves to chips, then heat cells (a grid of node boxes), as the cluster grows, never leaving a node out', () => {
    expect(densityPlan(10, 40, ...UHD).density).toBe('chips');
    const big = densityPlan(500, 10, ...UHD);
    expect(big.density).toBe('cells');
    expect(big.gridColumns * big.gridRows).toBeGreaterThanOrEqual(500);
    expect(big.cellPx).toBeGreaterThanOrEqual(4);
  });

  it('fits 500 nodes of up to 20 tasks on a laptop screen and on a 32:9 wall, in the space there is', () => {
    for (const [w, h] of [LAPTOP, ULTRAWIDE, UHD]) {
      const p = densityPlan(500, 20, w, h);
      const f = wallFontPx(w, h);
      expect(p.gridColumns * p.gridRows).toBeGreaterThanOrEqual(500);
      const boxW = (w - 2 * f) / p.gridColumns;
      const boxH = (h - 12 * f) / p.gridRows;
      expect(
        Math.floor(boxW / p.cellPx) * Math.floor((boxH - Math.max(10, 1.2 * f)) / p.cellPx),
      ).toBeGreaterThanOrEqual(20);
    }
  });

  it('uses the width of a 32:9 screen: more columns of nodes than on 16:9', () => {
    const wide = densityPlan(500, 10, ...ULTRAWIDE);
    const uhd = densityPlan(500, 10, ...UHD);
    expect(wide.gridColumns / wide.gridRows).toBeGreaterThan(uhd.gridColumns / uhd.gridRows);
  });
});

describe('mapPlan', () => {
  it("keeps the nodes' cells when thousands of tasks wait unplaced, and sizes the not-placed box to hold them", () => {
    const calm = mapPlan(501, 12, 0, ...UHD);
    const crowd = mapPlan(501, 12, 3600, ...UHD);
    expect(crowd.density).toBe('cells');
    expect(crowd.cellPx).toBe(calm.cellPx);
    expect(crowd.gridColumns).toBe(calm.gridColumns);
    expect(crowd.unplacedCellPx).toBeLessThan(crowd.cellPx);
    // the same box holds them all: as many cells across and down as the nodes' box allows
    const f = wallFontPx(...UHD);
    const boxW = (UHD[0] - 2 * f) / crowd.gridColumns - 0.6 * f - 4;
    const boxH = (UHD[1] - 12 * f) / crowd.gridRows - 0.6 * f - Math.max(10, 1.2 * f) - 4;
    const cell = crowd.unplacedCellPx!;
    expect(Math.floor(boxW / cell) * Math.floor(boxH / cell)).toBeGreaterThanOrEqual(3600);
  });

  it('is densityPlan for the largest box otherwise: few unplaced tasks, or a cluster drawn as cards or chips', () => {
    expect(mapPlan(501, 12, 5, ...UHD)).toEqual(densityPlan(501, 12, ...UHD));
    expect(mapPlan(5, 4, 2, ...UHD)).toEqual(densityPlan(5, 4, ...UHD));
    // cards for the nodes, but a crowd unplaced: the whole map goes to the size that holds the crowd
    expect(mapPlan(5, 4, 400, ...UHD)).toEqual(densityPlan(5, 400, ...UHD));
  });
});

describe('holdNeed', () => {
  it('rises at once and falls only after the need stayed lower for the hold', () => {
    let h: HeldNeed = holdNeed(undefined, 10, 0);
    expect(h.value).toBe(10);
    h = holdNeed(h, 12, 1_000);
    expect(h.value).toBe(12);
    // a swing down and up again does not move it, and restarts the wait
    h = holdNeed(h, 11, 2_000);
    expect(h).toEqual({ value: 12, lowerSince: 2_000 });
    h = holdNeed(h, 12, 3_000);
    expect(h).toEqual({ value: 12 });
    h = holdNeed(h, 10, 4_000);
    h = holdNeed(h, 11, 4_000 + PLAN_HOLD_MS - 1);
    expect(h.value).toBe(12);
    // lower the whole hold: the room is given back, to the need of now
    expect(holdNeed(h, 11, 4_000 + PLAN_HOLD_MS)).toEqual({ value: 11 });
  });

  it('keeps the cells of a map whose fullest node swings by a task', () => {
    // planned for each swing, the cells would change size
    expect(mapPlan(501, 15, 0, ...UHD).cellPx).toBeGreaterThan(mapPlan(501, 17, 0, ...UHD).cellPx);
    let h = holdNeed(undefined, 17, 0);
    const plans = [16, 17, 15, 17, 16].map((need, i) => {
      h = holdNeed(h, need, i * 1_000);
      return mapPlan(501, h.value, 0, ...UHD).cellPx;
    });
    expect(new Set(plans).size).toBe(1);
  });
});

describe('mapNeeds', () => {
  it('keeps the "Not placed" box, and the grid, while pending tasks come and go under churn', () => {
    // a box more or less re-grids the map: 500 node boxes and 501 are laid out differently
    expect(mapPlan(501, 10, 2, ...UHD).gridColumns * mapPlan(501, 10, 2, ...UHD).gridRows).toBeGreaterThanOrEqual(501);
    let held: MapNeeds = {};
    const seen = [0, 2, 0, 0, 1, 0].map((pending, i) => {
      const r = mapNeeds(held, [10, 9, 10], pending, i * 1_000);
      held = r.held;
      return r.unplacedBox;
    });
    // none pending at first: no box; from the first pending task on, the box stays
    expect(seen).toEqual([false, true, true, true, true, true]);
    // it goes once the need has stayed below its high (2, at 1 s) for the whole hold, and none is pending
    expect(mapNeeds(held, [10], 0, 2_000 + PLAN_HOLD_MS - 1).unplacedBox).toBe(true);
    expect(mapNeeds(held, [10], 1, 2_000 + PLAN_HOLD_MS).unplacedBox).toBe(true);
    const gone = mapNeeds(held, [10], 0, 2_000 + PLAN_HOLD_MS);
    expect(gone).toMatchObject({ unplacedBox: false, unplaced: 0, node: 10 });
  });
});
