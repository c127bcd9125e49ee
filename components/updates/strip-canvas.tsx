'use client';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useThemeEpoch } from '../theme/use-theme-epoch';
import { cssColor } from '../ui/css-color';
import type { StripProps } from './rollout-strip';
import {
  paintStrip,
  STRIP_COLOR_VARS,
  stripGeometry,
  stripSummary,
  type StripColors,
  type StripGeometry,
} from './strip-paint';

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
  // the probe's cell size and the theme's colours, read again only when the width or the theme moves: a
  // read on every redraw made the browser lay out the whole page inside the redraw's task
  const looks = useRef<{ key: string; cell: { width: number; height: number }; colors: StripColors } | null>(null);

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
    if (!prev || prev.height !== geo.height || prev.perRow !== geo.perRow || el.width !== Math.round(width * dpr)) {
      el.style.height = `${geo.height}px`;
      el.width = Math.round(width * dpr);
      el.height = Math.round(geo.height * dpr);
    }
    geoRef.current = geo;
    const ctx = el.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    paintStrip(ctx, cells, geo, colors);
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
