// How densely the wall draws the cluster: the whole cluster on one screen at
// any size, by shrinking what a task is drawn as (card → chip → heat cell)
// and wrapping node boxes into a grid, never by scrolling.

export type Density = 'cards' | 'chips' | 'cells';

export interface DensityPlan {
  density: Density;
  /** node boxes across and down */
  gridColumns: number;
  gridRows: number;
  /** side of a heat cell, in px (cells only) */
  cellPx: number;
  /** how much larger than their least size the cards are drawn (1..2): a small cluster fills the screen */
  scale: number;
  /** the wall's base font size, in px: the CSS clamp below, computed */
  fontPx: number;
}

/** The wall's base font: `clamp(12px, min(0.9vw, 1.6vh), 72px)` (wall.css keeps the same numbers). */
export function wallFontPx(width: number, height: number): number {
  return Math.min(72, Math.max(12, Math.min(width * 0.009, height * 0.016)));
}

/**
 * Item sizes in em (wall.css): a card is 2.6em high with a 0.4em gap; it is
 * 9em wide where there is room and shrinks to its column (min(9em, 100%)), so
 * a column of 6.5em still holds readable cards.
 */
const LOOKS = {
  cards: { w: 6.5, h: 3, head: 2.8 },
  chips: { w: 4.3, h: 1.9, head: 2.2 },
} as const;

/** Everything around the map (header with its headline, alert strip, legend, paddings), in em. */
export const CHROME_EM = 12;
const GAP_EM = 0.6;
const MAX_SCALE = 2;

function boxes(nodes: number, rows: number, w: number, h: number, gap: number) {
  const cols = Math.ceil(nodes / rows);
  return { cols, rows: Math.ceil(nodes / cols), boxW: w / cols - gap, boxH: h / Math.ceil(nodes / cols) - gap };
}

/** The largest heat cell (px) that fits `tasks` cells in a box of `boxW`×`boxH` under its name; 0 when none does. */
function cellFor(boxW: number, boxH: number, f: number, tasks: number): number {
  const head = Math.max(10, f * 1.2);
  const cw = boxW - 4;
  const ch = boxH - head - 4;
  if (cw <= 0 || ch <= 0) return 0;
  let cell = Math.floor(Math.sqrt((cw * ch) / Math.max(1, tasks)));
  while (cell > 1 && Math.floor(cw / cell) * Math.floor(ch / cell) < tasks) cell--;
  return cell;
}

/**
 * The plan for `nodes` boxes (a node, or the not-placed box) holding at most
 * `maxTasks` each on a `width`×`height` screen: cards when they fit, in as few
 * rows of nodes as possible (a column per node when it can), then chips, then
 * heat cells as large as they can be.
 */
export function densityPlan(nodes: number, maxTasks: number, width: number, height: number): DensityPlan {
  const f = wallFontPx(width, height);
  const n = Math.max(1, nodes);
  const tasks = Math.max(1, maxTasks);
  const w = width - 2 * f;
  const h = height - CHROME_EM * f;
  const gap = GAP_EM * f;
  for (const density of ['cards', 'chips'] as const) {
    const look = LOOKS[density];
    for (let r = 1; r <= n; r++) {
      const b = boxes(n, r, w, h, gap);
      const fits = (scale: number) => {
        const across = Math.floor((b.boxW - f) / (look.w * f * scale));
        const down = Math.floor((b.boxH - look.head * f) / (look.h * f * scale));
        return across >= 1 && down >= 1 && across * down >= tasks;
      };
      if (fits(1)) {
        let scale = 1;
        if (density === 'cards')
          while (scale < MAX_SCALE && fits(scale + 0.1)) scale = Math.round((scale + 0.1) * 10) / 10;
        return { density, gridColumns: b.cols, gridRows: b.rows, cellPx: 0, scale, fontPx: f };
      }
      const down = Math.floor((b.boxH - look.head * f) / (look.h * f));
      if (down < 1) break; // more rows of nodes only make the boxes shorter from here
    }
  }
  // heat cells: the node grid that gives the largest cell
  let best = { cell: 0, cols: n, rows: 1 };
  for (let r = 1; r <= n; r++) {
    const b = boxes(n, r, w, h, gap);
    const cell = cellFor(b.boxW, b.boxH, f, tasks);
    if (cell > best.cell) best = { cell, cols: b.cols, rows: b.rows };
  }
  return {
    density: 'cells',
    gridColumns: best.cols,
    gridRows: best.rows,
    cellPx: Math.max(1, best.cell),
    scale: 1,
    fontPx: f,
  };
}

export interface MapPlan extends DensityPlan {
  /** side of a heat cell in the not-placed box, when it differs from the nodes' (cells only) */
  unplacedCellPx?: number;
}

/**
 * The map's plan: densityPlan for the largest box, except that a crowd of tasks no node took (thousands
 * pending while a cluster churns or lacks room) does not shrink every node's cells to its size: when the
 * nodes alone are heat cells, the not-placed box gets smaller cells of its own, sized to hold all of its
 * tasks in the same box. The nodes' cells then keep their size while the pending crowd comes and goes.
 */
export function mapPlan(
  boxCount: number,
  maxNodeTasks: number,
  unplaced: number,
  width: number,
  height: number,
): MapPlan {
  const all = densityPlan(boxCount, Math.max(maxNodeTasks, unplaced), width, height);
  if (all.density !== 'cells' || unplaced <= maxNodeTasks) return all;
  const nodes = densityPlan(boxCount, maxNodeTasks, width, height);
  if (nodes.density !== 'cells') return all;
  const f = nodes.fontPx;
  const gap = GAP_EM * f;
  const boxW = (width - 2 * f) / nodes.gridColumns - gap;
  const boxH = (height - CHROME_EM * f) / nodes.gridRows - gap;
  return { ...nodes, unplacedCellPx: Math.max(1, cellFor(boxW, boxH, f, unplaced)) };
}

/** How long a box's need must stay lower before the map gives the room back (cells grow again). */
export const PLAN_HOLD_MS = 30_000;

/** A need held high: `value` is what the plan sizes for; `lowerSince`, when the need first fell below it. */
export interface HeldNeed {
  value: number;
  lowerSince?: number;
}

/**
 * The need the plan sizes boxes for: it rises at once (nothing may spill) and falls only once the need has
 * stayed lower for `holdMs`. Under churn the fullest node holds one task more, then one less, many times a
 * minute (a replacement is briefly two tasks); planning for each swing changed every cell's size and
 * reflowed the whole map.
 */
export function holdNeed(prev: HeldNeed | undefined, need: number, now: number, holdMs = PLAN_HOLD_MS): HeldNeed {
  if (!prev || need >= prev.value) return { value: need };
  if (prev.lowerSince === undefined) return { value: prev.value, lowerSince: now };
  return now - prev.lowerSince >= holdMs ? { value: need } : prev;
}

/** The needs the map's plan is made for, each held (holdNeed), as the page keeps them between redraws. */
export interface MapNeeds {
  node?: HeldNeed;
  unplaced?: HeldNeed;
}

/**
 * What the map plans for: the fullest node's tasks and the tasks no node took, each held by holdNeed, and
 * whether the "Not placed" box is there. The box is held the same way: a pending task coming and going
 * under churn would add and drop a box, and a box more or less re-grids the whole map (every node box
 * moves, every cell is measured and painted again). It goes once no task has been pending for `holdMs`.
 */
export function mapNeeds(
  prev: MapNeeds,
  nodeTasks: readonly number[],
  unplaced: number,
  now: number,
  holdMs = PLAN_HOLD_MS,
): { held: MapNeeds; node: number; unplaced: number; unplacedBox: boolean } {
  const node = holdNeed(prev.node, Math.max(1, ...nodeTasks), now, holdMs);
  const held = holdNeed(prev.unplaced, unplaced, now, holdMs);
  return { held: { node, unplaced: held }, node: node.value, unplaced: held.value, unplacedBox: held.value > 0 };
}
