// The wall's canvases (the map's heat cells, the rollout strips) as surfaces a painter keeps: what each holds
// and how a message changes its pixels. The painter runs in a worker (paint.worker.ts), which the page hands
// each canvas to, so no pixel of theirs is touched on the page's thread. A canvas painted on the page's thread
// is handed to the compositor from that thread: a 4K canvas that came back on screen cost three frames of
// 12-16 ms there each, and under load those were the wall's long tasks. Pure apart from the canvases it is
// given, so a test paints into a recording context, and a browser without OffscreenCanvas paints here too
// (paint-host.ts).
import { paintCells, type CellsBox, type CellsContext } from './cells-paint';
import {
  paintStripCell,
  stripCell,
  type StripColors,
  type StripContext,
  type StripGeometry,
} from '../updates/strip-paint';

/** What a painter draws with: a canvas's 2D context, as both painters use it. */
export type SurfaceContext = CellsContext &
  StripContext & { setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void };

/** A canvas the painter was handed: an OffscreenCanvas in the worker, the element itself on the page's thread. */
export interface SurfaceCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): unknown;
}

/** The map's heat cells: where each node's slot is and the colour of a failed task. */
export interface CellsLayout {
  /** Device pixels: setting them clears the canvas. */
  width: number;
  height: number;
  dpr: number;
  /** The theme's "bad" colour, resolved (a canvas takes no var()). */
  bad: string;
  /** Each slot's box, CSS pixels from the canvas's corner. */
  boxes: Record<string, CellsBox>;
}

/** One slot's cells, painted over whatever its box held. */
export interface CellsColumn {
  slot: string;
  cells: Uint8Array;
  cellPx: number;
  /** The node is down or unknown: its tasks are drawn faded. */
  dim: boolean;
}

/** A strip as it should look: its size and colours, and each slot's cell as a code (stripCode). */
export interface StripPicture {
  /** Device pixels. */
  width: number;
  height: number;
  dpr: number;
  geo: StripGeometry;
  colors: StripColors;
  codes: Uint8Array;
}

export type PaintMessage =
  | { op: 'attach'; id: number; canvas: SurfaceCanvas }
  | { op: 'detach'; id: number }
  | { op: 'cells-layout'; id: number; layout: CellsLayout }
  | { op: 'cells'; id: number; columns: CellsColumn[] }
  | { op: 'strip'; id: number; picture: StripPicture };

interface Surface {
  canvas: SurfaceCanvas;
  ctx: SurfaceContext | null;
  cells?: CellsLayout;
  /** The strip as last painted, and the look it was painted in. */
  strip?: { look: string; codes: Uint8Array };
}

export type Surfaces = Map<number, Surface>;

/** Applies one message to the surfaces. Never throws: a message for a surface it does not hold is dropped. */
export function applyPaint(surfaces: Surfaces, msg: PaintMessage): void {
  if (msg.op === 'attach') {
    surfaces.set(msg.id, { canvas: msg.canvas, ctx: null });
    return;
  }
  if (msg.op === 'detach') {
    surfaces.delete(msg.id);
    return;
  }
  const s = surfaces.get(msg.id);
  if (!s) return;
  s.ctx ??= s.canvas.getContext('2d') as SurfaceContext | null;
  const ctx = s.ctx;
  if (!ctx) return;
  if (msg.op === 'cells-layout') {
    const { width, height } = msg.layout;
    // setting the size clears the canvas, even to the same size: every slot is owed again
    s.canvas.width = width;
    s.canvas.height = height;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, width, height);
    s.cells = msg.layout;
  } else if (msg.op === 'cells') {
    const layout = s.cells;
    if (!layout) return;
    ctx.setTransform(layout.dpr, 0, 0, layout.dpr, 0, 0);
    for (const c of msg.columns) {
      const box = layout.boxes[c.slot];
      if (box) paintCells(ctx, c.cells, box, c.cellPx, layout.bad, c.dim);
    }
  } else {
    paintStripPicture(s, ctx, msg.picture);
  }
}

/** A strip's new picture: all of it when its size or colours moved, else the slots whose cell did. */
function paintStripPicture(s: Surface, ctx: SurfaceContext, p: StripPicture): void {
  const look = `${p.width}x${p.height}@${p.dpr}/${p.geo.perRow}/${p.geo.cell}/${p.geo.gap}/${Object.values(p.colors).join()}`;
  const before = s.strip;
  // fewer slots than painted: the size or the last row changes, and nothing of the slots gone may stay
  const whole = !before || before.look !== look || before.codes.length > p.codes.length;
  if (whole) {
    s.canvas.width = p.width;
    s.canvas.height = p.height;
  }
  ctx.setTransform(p.dpr, 0, 0, p.dpr, 0, 0);
  for (let i = 0; i < p.codes.length; i++) {
    const code = p.codes[i]!;
    if (!whole && before.codes[i] === code) continue;
    paintStripCell(ctx, stripCell(code), i, p.geo, p.colors);
  }
  s.strip = { look, codes: p.codes };
}
