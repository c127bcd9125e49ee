'use client';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useThemeEpoch } from '../theme/use-theme-epoch';
import { cssColor } from '../ui/css-color';
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
  const [width, setWidth] = useState(0);
  const theme = useThemeEpoch();
  const geoRef = useRef<StripGeometry | undefined>(undefined);
  /** the cell last painted at each index (cleared with the canvas), and the next frame's paint, if one is due */
  const painted = useRef<(SlotCell | undefined)[]>([]);
  const pending = useRef(0);
  // the probe's cell size and the theme's colours, read again only when the width or the theme moves: a
  // read on every redraw made the browser lay out the whole page inside the redraw's task
  const looks = useRef<{ key: string; cell: { width: number; height: number }; colors: StripColors } | null>(null);
  /** the looks the canvas's pixels were painted with */
  const paintedKey = useRef('');

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(e!.contentRect.width));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // before the browser paints: the canvas's height and pixels change in the same frame as the cells
  useLayoutEffect(() => {
    const el = canvas.current;
    const p = probe.current;
    if (!el || !p || width <= 0) return;
    // the probe's --cell follows the viewport as well as the strip's width
    const key = `${width}/${theme}/${window.innerWidth}x${window.innerHeight}`;
    if (looks.current?.key !== key) {
      const { width: w, height: h } = p.getBoundingClientRect();
      looks.current = { key, cell: { width: w, height: h }, colors: resolveColors(p) };
    }
    const { cell, colors } = looks.current;
    const geo = stripGeometry(cells.length, width, cell.width, cell.height);
    const dpr = window.devicePixelRatio || 1;
    const prev = geoRef.current;
    const fresh = looks.current.key !== paintedKey.current;
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
      paintedKey.current = looks.current.key;
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
  }, [cells, width, theme]);

  return (
    <div ref={wrap} className="rollout-strip strip-canvas" data-density="s">
      <span ref={probe} className="strip-canvas-probe" aria-hidden="true" />
      <canvas ref={canvas} role="img" aria-label={stripSummary(label, cells, rollingBack)} />
    </div>
  );
}

/** Each colour as the probe computes it, for the theme in force. */
function resolveColors(probe: HTMLElement): StripColors {
  const out = {} as StripColors;
  for (const [k, v] of Object.entries(STRIP_COLOR_VARS) as [keyof StripColors, string][]) out[k] = cssColor(probe, v);
  return out;
}
