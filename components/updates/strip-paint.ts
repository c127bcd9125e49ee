// The rollout strip drawn on a canvas, for strips too long to be one element per slot (a wall with
// thousands of slots spent seconds a time in style and layout). Pure: geometry, colours in, drawing
// calls out, so the same cells paint the same way in a test and in Chromium. The look follows the
// DOM strip (updates.css): hollow old slots, hatched stopping, half-filled starting, solid updated,
// a notched corner for rolled back and a cross for failed; pattern as well as colour carries the state.
import { CELL_TEXT } from './rollout-strip';
import { CELL_STATES, type CellState, type SlotCell } from './progress-model';

export interface StripGeometry {
  /** Cells per row. */
  perRow: number;
  rows: number;
  /** CSS pixels. */
  cell: number;
  gap: number;
  height: number;
}

/** Rows of `cell`-sized squares `gap` apart, as many to a row as `width` holds (at least one). */
export function stripGeometry(count: number, width: number, cell: number, gap: number): StripGeometry {
  const perRow = Math.max(1, Math.floor((width + gap) / (cell + gap)));
  const rows = Math.ceil(count / perRow);
  return { perRow, rows, cell, gap, height: rows === 0 ? 0 : rows * (cell + gap) - gap };
}

/** The theme's colours the strip uses, resolved to something a canvas takes (no var(), no light-dark()). */
export interface StripColors {
  surface: string;
  surface2: string;
  border: string;
  ok: string;
  info: string;
  infoSoft: string;
  warn: string;
  warnSoft: string;
  bad: string;
  accent: string;
}

/** The CSS custom property behind each colour. */
export const STRIP_COLOR_VARS: Record<keyof StripColors, string> = {
  surface: '--surface',
  surface2: '--surface-2',
  border: '--border-strong',
  ok: '--ok',
  info: '--info',
  infoSoft: '--info-soft',
  warn: '--warn',
  warnSoft: '--warn-soft',
  bad: '--bad',
  accent: '--accent',
};

/** The part of CanvasRenderingContext2D the painter uses. */
export type StripContext = Pick<
  CanvasRenderingContext2D,
  | 'clearRect'
  | 'fillRect'
  | 'strokeRect'
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'closePath'
  | 'fill'
  | 'stroke'
  | 'save'
  | 'restore'
  | 'setLineDash'
> & {
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
};

/** Paints `cells` in reading order at `geo`, in CSS pixels (scale the context for the device pixel ratio first). */
export function paintStrip(ctx: StripContext, cells: readonly SlotCell[], geo: StripGeometry, c: StripColors): void {
  const { perRow, cell: s, gap } = geo;
  ctx.clearRect(0, 0, perRow * (s + gap), geo.height + 4);
  for (let i = 0; i < cells.length; i++) paintCell(ctx, cells[i]!, i, geo, c);
}

/**
 * Paints the cell at index `i` over whatever was there (its square cleared first): a strip that changed in
 * a few slots is painted in those slots only.
 */
export function paintStripCell(ctx: StripContext, cell: SlotCell, i: number, geo: StripGeometry, c: StripColors): void {
  const { perRow, cell: s, gap } = geo;
  ctx.clearRect((i % perRow) * (s + gap), Math.floor(i / perRow) * (s + gap), s, s);
  paintCell(ctx, cell, i, geo, c);
}

/**
 * The indices of `cells` not painted as they are now (`painted[i]` is the cell last painted at i, by
 * object: the strip keeps a cell that reads the same as the same object), at most `max` of them, in
 * reading order: what one frame paints of a strip that changed in many slots at once.
 */
export function unpainted(
  cells: readonly SlotCell[],
  painted: readonly (SlotCell | undefined)[],
  max: number,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < cells.length && out.length < max; i++) if (cells[i] !== painted[i]) out.push(i);
  return out;
}

function paintCell(ctx: StripContext, cell: SlotCell, i: number, geo: StripGeometry, c: StripColors): void {
  const { perRow, cell: s, gap } = geo;
  const border = Math.max(1, s * 0.1);
  const inner = s - border * 2;
  const x = (i % perRow) * (s + gap);
  const y = Math.floor(i / perRow) * (s + gap);
  const ix = x + border;
  const iy = y + border;
  switch (cell.state) {
    case 'old':
      frame(ctx, x, y, s, border, c.border);
      ctx.fillStyle = c.surface2;
      ctx.fillRect(ix, iy, inner, inner);
      break;
    case 'stopping':
      frame(ctx, x, y, s, border, c.warn);
      ctx.fillStyle = c.warnSoft;
      ctx.fillRect(ix, iy, inner, inner);
      // one diagonal stripe: the hatching, at a size the eye still reads
      ctx.fillStyle = c.warn;
      ctx.beginPath();
      ctx.moveTo(ix, iy + inner * 0.6);
      ctx.lineTo(ix + inner * 0.6, iy);
      ctx.lineTo(ix + inner, iy);
      ctx.lineTo(ix + inner, iy + inner * 0.4);
      ctx.lineTo(ix + inner * 0.4, iy + inner);
      ctx.lineTo(ix, iy + inner);
      ctx.closePath();
      ctx.fill();
      break;
    case 'starting':
      frame(ctx, x, y, s, border, c.info);
      ctx.fillStyle = c.infoSoft;
      ctx.fillRect(ix, iy, inner, inner / 2);
      ctx.fillStyle = c.info;
      ctx.fillRect(ix, iy + inner / 2, inner, inner / 2);
      break;
    case 'running':
      ctx.fillStyle = c.ok;
      ctx.fillRect(x, y, s, s);
      if (cell.monitoring) {
        // still in the monitor window: a dotted ring just inside the cell
        ctx.save();
        ctx.strokeStyle = c.surface;
        ctx.lineWidth = border;
        ctx.setLineDash([border, border]);
        ctx.strokeRect(x + border * 1.5, y + border * 1.5, s - border * 3, s - border * 3);
        ctx.restore();
      }
      break;
    case 'rolled-back':
      ctx.fillStyle = c.accent;
      ctx.fillRect(x, y, s, s);
      ctx.fillStyle = c.surface;
      ctx.beginPath();
      ctx.moveTo(x, y + s * 0.52);
      ctx.lineTo(x + s * 0.48, y + s);
      ctx.lineTo(x, y + s);
      ctx.closePath();
      ctx.fill();
      break;
    case 'failed':
      ctx.fillStyle = c.bad;
      ctx.fillRect(x, y, s, s);
      ctx.save();
      ctx.strokeStyle = c.surface;
      ctx.lineWidth = Math.max(1.5, s * 0.2);
      ctx.beginPath();
      ctx.moveTo(x + s * 0.22, y + s * 0.22);
      ctx.lineTo(x + s * 0.78, y + s * 0.78);
      ctx.moveTo(x + s * 0.78, y + s * 0.22);
      ctx.lineTo(x + s * 0.22, y + s * 0.78);
      ctx.stroke();
      ctx.restore();
      break;
  }
}

function frame(ctx: StripContext, x: number, y: number, s: number, border: number, color: string): void {
  ctx.fillStyle = color;
  ctx.fillRect(x, y, s, border);
  ctx.fillRect(x, y + s - border, s, border);
  ctx.fillRect(x, y + border, border, s - border * 2);
  ctx.fillRect(x + s - border, y + border, border, s - border * 2);
}

/** What the canvas says to a screen reader: the counts per state, as the legend would. */
export function stripSummary(label: string, cells: readonly SlotCell[], rollingBack: boolean): string {
  const counts = new Map<CellState, number>();
  for (const c of cells) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  const parts = CELL_STATES.filter((s) => counts.get(s)).map((s) => {
    const name = s === 'running' && rollingBack ? 'on the rollback spec' : CELL_TEXT[s].name;
    return `${counts.get(s)!.toLocaleString('en')} ${name}`;
  });
  return `${label}: ${cells.length.toLocaleString('en')} slots${parts.length ? `, ${parts.join(', ')}` : ''}`;
}
