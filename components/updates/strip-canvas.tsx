'use client';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
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
  const [theme, setTheme] = useState(0);
  const geoRef = useRef<StripGeometry | undefined>(undefined);

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(e!.contentRect.width));
    ro.observe(el);
    // a theme switch (the toggle sets html's data-theme) or the system's scheme: the colours change
    const bump = () => setTheme((n) => n + 1);
    const mo = new MutationObserver(bump);
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class', 'style'] });
    const mq = matchMedia('(prefers-color-scheme: dark)');
    mq.addEventListener('change', bump);
    return () => {
      ro.disconnect();
      mo.disconnect();
      mq.removeEventListener('change', bump);
    };
  }, []);

  // before the browser paints: the canvas's height and pixels change in the same frame as the cells
  useLayoutEffect(() => {
    const el = canvas.current;
    const p = probe.current;
    if (!el || !p || width <= 0) return;
    const box = p.getBoundingClientRect();
    const geo = stripGeometry(cells.length, width, box.width, box.height);
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
    paintStrip(ctx, cells, geo, resolveColors(p));
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
