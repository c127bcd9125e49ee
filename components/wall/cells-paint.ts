// A node's heat cells drawn on a canvas: at 500 nodes and 5,000 tasks the map was an element per task,
// and under churn nearly every node changed between two redraws, so each redraw restyled and repainted
// thousands of them. Pure: cells in, drawing calls out. The look follows the DOM cells (wall.css): the
// service's hue filled, a dashed hue frame while starting, the theme's "bad" colour when failed, faded
// while stopping or complete; a 1 px gap of the surface between cells.
import { cellHue, cellLook, HUES, type WallTask, type WallTaskLook } from './wall-model';

/** The fill of a task's service: the same oklch as the DOM cells and the legend's swatches. */
export const hueColor = (hue: number): string => `oklch(0.62 0.16 ${hue})`;

/** Each hue's fill, made once: a paint of thousands of cells makes no string per cell. */
const HUE_COLORS = new Map<number, string>(HUES.map((h) => [h, hueColor(h)]));

/** Cells per row and rows that fit a `width` × `height` box of `cell`-sized squares. */
export function cellsGrid(count: number, width: number, height: number, cell: number) {
  const perRow = Math.max(1, Math.floor(width / cell));
  const fit = Math.max(0, Math.floor(height / cell)) * perRow;
  return { perRow, shown: Math.min(count, fit) };
}

export type CellsContext = Pick<
  CanvasRenderingContext2D,
  'clearRect' | 'fillRect' | 'strokeRect' | 'setLineDash' | 'save' | 'restore'
> & {
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  globalAlpha: number;
};

const FADED: ReadonlySet<WallTaskLook> = new Set(['stopping', 'complete']);

/** The least inner size (CSS px) a starting task's dashed frame is drawn at; below it the frame would vanish. */
export const MIN_FRAME_PX = 4;

/** A node's box of cells on the map's canvas: where, and how many fit. */
export interface CellsBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Paints `cells` (each a task's cellCode) in reading order, `cell` CSS pixels each, into `box` (the context
 * scaled for the device pixels). `dim`: the node is down or unknown, so its tasks are drawn faded, as its DOM
 * frame says.
 */
export function paintCells(
  ctx: CellsContext,
  cells: ArrayLike<number>,
  box: CellsBox,
  cell: number,
  bad: string,
  dim = false,
): void {
  ctx.clearRect(box.x, box.y, box.width, box.height);
  const { perRow, shown } = cellsGrid(cells.length, box.width, box.height, cell);
  const inner = Math.max(1, cell - 2);
  const base = dim ? 0.45 : 1;
  for (let i = 0; i < shown; i++) {
    const look = cellLook(cells[i]!);
    const color = HUE_COLORS.get(cellHue(cells[i]!))!;
    const x = box.x + (i % perRow) * cell + 1;
    const y = box.y + Math.floor(i / perRow) * cell + 1;
    ctx.globalAlpha = base * (FADED.has(look) ? 0.45 : 1);
    if (look === 'starting' && inner < MIN_FRAME_PX) {
      // too small for a dashed frame to show: its lower half filled, unlike a faded (stopping) square
      const half = Math.max(1, Math.floor(inner / 2));
      ctx.fillStyle = color;
      ctx.fillRect(x, y + inner - half, inner, half);
    } else if (look === 'starting') {
      ctx.save();
      ctx.strokeStyle = color;
      ctx.lineWidth = 1;
      ctx.setLineDash([2, 2]);
      ctx.strokeRect(x + 0.5, y + 0.5, inner - 1, inner - 1);
      ctx.restore();
    } else {
      ctx.fillStyle = look === 'failed' ? bad : color;
      ctx.fillRect(x, y, inner, inner);
    }
  }
  ctx.globalAlpha = 1;
}

/** What the canvas says to a screen reader: the node's tasks by state, as the cells' titles did one by one. */
export function cellsSummary(tasks: readonly WallTask[]): string {
  if (!tasks.length) return 'No tasks';
  const by = new Map<string, number>();
  for (const t of tasks) by.set(t.state, (by.get(t.state) ?? 0) + 1);
  const parts = [...by].sort((a, b) => b[1] - a[1]).map(([state, n]) => `${n} ${state}`);
  return `${tasks.length} ${tasks.length === 1 ? 'task' : 'tasks'}: ${parts.join(', ')}`;
}
