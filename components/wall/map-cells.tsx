'use client';

import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { useThemeEpoch } from '../theme/use-theme-epoch';
import { cssColor } from '../ui/css-color';
import { paintCells, type CellsBox } from './cells-paint';
import type { MapColumn } from './engine-protocol';

/** The not-placed box's slot on the map (no node ID looks like it). */
export const UNPLACED_SLOT = '-unplaced';

/**
 * Every node's heat cells on one canvas laid over the map. Node boxes stay elements (name, frame, down or
 * drained); each keeps an empty slot (`data-cells-for`) where its cells are painted. An element per task
 * restyled thousands of cells a redraw under churn, and a canvas per node made five hundred compositor
 * layers; one canvas is one layer, and a redraw repaints only the nodes whose column changed.
 */
export function MapCells({
  columns,
  cellPx,
  unplaced,
  grid,
  map,
  hidden = false,
}: {
  columns: readonly MapColumn[];
  cellPx: number;
  /** The not-placed box's cells and their size, when it is on the map. */
  unplaced?: { cells: Uint8Array; cellPx: number };
  /** The map's grid (columns x rows): the boxes move when it changes. */
  grid: string;
  map: RefObject<HTMLDivElement | null>;
  /**
   * The map is behind another view: paint nothing until it is back. A canvas that changes is handed to the
   * compositor whole (a 4K canvas, every half second while another view is up); on the turn back, the nodes
   * whose columns changed meanwhile are painted in one go.
   */
  hidden?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const badProbe = useRef<HTMLSpanElement>(null);
  const [resized, setResized] = useState(0);
  const layout = useRef<{ key: string; boxes: Map<string, CellsBox> } | null>(null);
  const paintedFor = useRef('');
  const painted = useRef(new Map<string, Uint8Array>());
  const theme = useThemeEpoch();
  const badColor = useRef<{ theme: number; color: string } | null>(null);

  useEffect(() => {
    const el = map.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setResized((n) => n + 1));
    ro.observe(el);
    return () => ro.disconnect();
  }, [map]);

  // where the slots are changes with the screen, the grid and the nodes (and the leader's wider frame), not
  // with the cells' size: a plan that only changes the cells' size paints them again and measures nothing
  const layoutKey =
    `${resized}/${grid}/${unplaced ? 'unplaced' : '-'}/` +
    columns.map((c) => (c.leader ? `${c.nodeID}*` : c.nodeID)).join(',');

  useLayoutEffect(() => {
    const el = canvas.current;
    const root = map.current;
    const probe = badProbe.current;
    const ctx = el?.getContext('2d');
    if (!el || !root || !probe || !ctx || hidden) return;
    const dpr = window.devicePixelRatio || 1;
    // read from CSS when the theme moves, not every redraw: a probe read makes the browser work out the
    // page's style there and then, inside the redraw's task
    if (badColor.current?.theme !== theme) badColor.current = { theme, color: cssColor(probe, '--bad') };
    const bad = badColor.current.color;
    let full = false;
    if (layout.current?.key !== layoutKey) {
      // measured together: one layout for every slot, then reads only
      const origin = el.getBoundingClientRect();
      const boxes = new Map<string, CellsBox>();
      for (const slot of root.querySelectorAll<HTMLElement>('[data-cells-for]')) {
        const r = slot.getBoundingClientRect();
        boxes.set(slot.dataset.cellsFor!, {
          x: r.left - origin.left,
          y: r.top - origin.top,
          width: r.width,
          height: r.height,
        });
      }
      const w = Math.round(origin.width * dpr);
      const h = Math.round(origin.height * dpr);
      if (el.width !== w || el.height !== h) {
        el.width = w;
        el.height = h;
      }
      layout.current = { key: layoutKey, boxes };
      full = true;
    }
    // every cell again when the slots moved or the cells' size or colours changed
    const paintKey = `${cellPx}/${unplaced ? unplaced.cellPx : '-'}/${bad}`;
    if (full || paintedFor.current !== paintKey) {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, el.width, el.height);
      painted.current.clear();
      paintedFor.current = paintKey;
      full = true;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const { boxes } = layout.current;
    // wallModel hands back an unchanged node's column as it was: those stay as painted
    for (const c of columns) {
      if (!full && painted.current.get(c.nodeID) === c.cells) continue;
      const box = boxes.get(c.nodeID);
      if (!box) continue;
      paintCells(ctx, c.cells, box, cellPx, bad, c.condition === 'down' || c.condition === 'unknown');
      painted.current.set(c.nodeID, c.cells);
    }
    // the tasks no node took: the model keeps the same list while it holds the same tasks
    const box = boxes.get(UNPLACED_SLOT);
    if (unplaced && box && (full || painted.current.get(UNPLACED_SLOT) !== unplaced.cells)) {
      paintCells(ctx, unplaced.cells, box, unplaced.cellPx, bad);
      painted.current.set(UNPLACED_SLOT, unplaced.cells);
    }
  }, [columns, cellPx, unplaced, layoutKey, map, theme, hidden]);

  return (
    <>
      <canvas ref={canvas} className="wall-cells-canvas" aria-hidden="true" data-cell={cellPx} />
      <span ref={badProbe} className="wall-cells-probe" aria-hidden="true" />
    </>
  );
}
