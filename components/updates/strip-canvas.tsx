'use client';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useThemeEpoch } from '../theme/use-theme-epoch';
import type { StripProps } from './rollout-strip';
import type { SlotCell } from './progress-model';
import {
  paintStripCell,
  STRIP_COLOR_VARS,
  stripGeometry,
  stripSummary,
  unpainted,
  type StripColors,
  type StripGeometry,
} from './strip-paint';

/**
 * The most cells one frame paints. A strip that changed everywhere at once (a new rollout: every slot back
 * to the previous spec) is painted over a few frames, not in one task: 5,000 cells took ~60 ms on the wall.
 */
export const CELLS_PER_FRAME = 1200;

/**
 * The rollout strip on one canvas: for thousands of slots, where a list item per slot kept the page in
 * style, layout and paint for seconds at a time. Read-only (the wall): no per-slot hover; a screen reader
 * hears the counts per state. Sizes and colours come from the same CSS as the list strip (a probe element
 * in the strip measures `--cell` and `--cell-gap` and resolves the theme's colours), so the two look alike
 * and follow the theme.
 */
export function StripCanvas({ cells, rollingBack, label }: StripProps) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const probe = useRef<HTMLSpanElement>(null);
  const swatches = useRef<HTMLSpanElement>(null);
  const theme = useThemeEpoch();
  const geoRef = useRef<StripGeometry | undefined>(undefined);
  /** the cell last painted at each index (cleared with the canvas), and the next frame's paint, if one is due */
  const painted = useRef<(SlotCell | undefined)[]>([]);
  const pending = useRef(0);
  // the strip's width, the probe's cell size and the theme's colours, read when the browser has just laid the
  // page out (a ResizeObserver's turn, where reading costs nothing): read inside the redraw, they made the
  // browser work out the whole page's style and layout there and then, in the redraw's task (27 ms on the wall
  // under churn, as each new rollout's strip came)
  const looks = useRef<Looks | null>(null);
  const [measured, setMeasured] = useState(0);
  /** the looks the canvas's pixels were painted with */
  const paintedKey = useRef('');

  // the theme the colours were read in: a ResizeObserver's reading is of the theme in force
  const themeEpoch = useRef(theme);
  useLayoutEffect(() => {
    themeEpoch.current = theme;
  }, [theme]);

  useEffect(() => {
    const el = wrap.current;
    const p = probe.current;
    const sw = swatches.current;
    if (!el || !p || !sw) return;
    const ro = new ResizeObserver((entries) => {
      const prev = looks.current;
      let width = prev?.width ?? 0;
      let cell = prev?.cell ?? { width: 0, height: 0 };
      for (const e of entries) {
        if (e.target === el) width = e.contentRect.width;
        if (e.target === p) cell = { width: e.contentRect.width, height: e.contentRect.height };
      }
      looks.current = { width, cell, colors: readSwatches(sw), theme: themeEpoch.current };
      setMeasured((n) => n + 1);
    });
    ro.observe(el);
    ro.observe(p);
    return () => ro.disconnect();
  }, []);

  // before the browser paints: the canvas's height and pixels change in the same frame as the cells
  useLayoutEffect(() => {
    const el = canvas.current;
    const sw = swatches.current;
    const l = looks.current;
    if (!el || !sw || !l || l.width <= 0) return;
    // the theme moved since the colours were read: read them again (a theme change restyles the page anyway)
    if (l.theme !== theme) looks.current = { ...l, colors: readSwatches(sw), theme };
    const { width, cell, colors } = looks.current!;
    const key = `${width}/${cell.width}x${cell.height}/${theme}`;
    const geo = stripGeometry(cells.length, width, cell.width, cell.height);
    const dpr = window.devicePixelRatio || 1;
    const prev = geoRef.current;
    const fresh = key !== paintedKey.current;
    if (
      fresh ||
      !prev ||
      prev.height !== geo.height ||
      prev.perRow !== geo.perRow ||
      el.width !== Math.round(width * dpr) ||
      cells.length < painted.current.length
    ) {
      // setting the canvas's size clears it (slots gone included): everything is owed again
      el.style.height = `${geo.height}px`;
      el.width = Math.round(width * dpr);
      el.height = Math.round(geo.height * dpr);
      painted.current = [];
      paintedKey.current = key;
    }
    geoRef.current = geo;
    const ctx = el.getContext('2d');
    if (!ctx) return;
    // the cells that moved since they were painted, a frame's worth now and the rest on the frames after
    const paint = () => {
      pending.current = 0;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      for (const i of unpainted(cells, painted.current, CELLS_PER_FRAME)) {
        paintStripCell(ctx, cells[i]!, i, geo, colors);
        painted.current[i] = cells[i];
      }
      painted.current.length = cells.length;
      if (unpainted(cells, painted.current, 1).length) pending.current = requestAnimationFrame(paint);
    };
    cancelAnimationFrame(pending.current);
    paint();
    return () => cancelAnimationFrame(pending.current);
  }, [cells, measured, theme]);

  return (
    <div ref={wrap} className="rollout-strip strip-canvas" data-density="s">
      <span ref={probe} className="strip-canvas-probe" aria-hidden="true" />
      {/* a swatch per colour, its colour set here: reading them back changes no style, so it restyles nothing */}
      <span ref={swatches} className="strip-canvas-swatches" aria-hidden="true">
        {SWATCHES.map(([k, v]) => (
          <span key={k} data-color={k} style={{ color: `var(${v})` }} />
        ))}
      </span>
      <canvas ref={canvas} role="img" aria-label={stripSummary(label, cells, rollingBack)} />
    </div>
  );
}

interface Looks {
  width: number;
  cell: { width: number; height: number };
  colors: StripColors;
  /** the theme epoch the colours were read in */
  theme: number;
}

const SWATCHES = Object.entries(STRIP_COLOR_VARS) as [keyof StripColors, string][];

/** Each colour as its swatch computes it, for the theme in force. */
function readSwatches(swatches: HTMLElement): StripColors {
  const out = {} as StripColors;
  for (const el of swatches.children) {
    const k = (el as HTMLElement).dataset.color as keyof StripColors;
    out[k] = getComputedStyle(el).color;
  }
  return out;
}
