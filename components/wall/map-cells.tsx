'use client';

import { useCallback, useEffect, useLayoutEffect, useRef, type RefObject } from 'react';
import { useThemeEpoch } from '../theme/use-theme-epoch';
import type { CellsBox } from './cells-paint';
import { usePaintSurface } from './paint-host';
import type { CellsColumn } from './paint-surfaces';
import type { MapColumn } from './engine-protocol';

/** The not-placed box's slot on the map (no node ID looks like it). */
export const UNPLACED_SLOT = '-unplaced';

/**
 * Every node's heat cells on one canvas laid over the map. Node boxes stay elements (name, frame, down or
 * drained); each keeps an empty slot (`data-cells-for`) where its cells are painted. An element per task
 * restyled thousands of cells a redraw under churn, and a canvas per node made five hundred compositor
 * layers; one canvas is one layer, and a redraw repaints only the nodes whose column changed. The painting
 * is the wall's painter's (paint-host.ts), off the page's thread: this measures the slots and says what moved.
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
   * The map is behind another view: paint nothing until it is back (painting what nobody sees costs the
   * cores the page shares); on the turn back, the nodes whose columns changed meanwhile are painted in one go.
   */
  hidden?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // first: the canvas is the painter's before the effects below send it anything
  const paint = usePaintSurface(canvas);
  const badProbe = useRef<HTMLSpanElement>(null);
  const theme = useThemeEpoch();
  /** the slots as last measured, and the layout key they were measured at */
  const measured = useRef<{ key: string; slots: ReadonlySet<string> } | null>(null);
  /** the cells each slot was last sent with (cleared with the canvas) */
  const painted = useRef(new Map<string, Uint8Array>());
  const observer = useRef<ResizeObserver | null>(null);

  // where the slots are changes with the screen, the plan, the nodes (and the leader's wider frame) and the
  // theme (the colour of a failed task)
  const layoutKey =
    `${cellPx}/${grid}/${unplaced ? unplaced.cellPx : '-'}/${theme}/` +
    columns.map((c) => (c.leader ? `${c.nodeID}*` : c.nodeID)).join(',');
  // what the observer's measurement paints with: this render's, whenever the measurement comes
  const now = useRef({ columns, cellPx, unplaced, hidden, layoutKey });
  useLayoutEffect(() => {
    now.current = { columns, cellPx, unplaced, hidden, layoutKey };
  });

  /** Sends the painter the slots whose cells moved since they were sent (all of them, with `all`). */
  const sendCells = useCallback(
    (all: boolean) => {
      const m = measured.current;
      const { columns, cellPx, unplaced, hidden } = now.current;
      if (!m || hidden) return;
      const owed: CellsColumn[] = [];
      // wallModel hands back an unchanged node's column as it was: those stay as painted
      for (const c of columns) {
        if ((!all && painted.current.get(c.nodeID) === c.cells) || !m.slots.has(c.nodeID)) continue;
        owed.push({ slot: c.nodeID, cells: c.cells, cellPx, dim: c.condition === 'down' || c.condition === 'unknown' });
        painted.current.set(c.nodeID, c.cells);
      }
      // the tasks no node took: the model keeps the same list while it holds the same tasks
      if (unplaced && m.slots.has(UNPLACED_SLOT) && (all || painted.current.get(UNPLACED_SLOT) !== unplaced.cells)) {
        owed.push({ slot: UNPLACED_SLOT, cells: unplaced.cells, cellPx: unplaced.cellPx, dim: false });
        painted.current.set(UNPLACED_SLOT, unplaced.cells);
      }
      if (owed.length) paint({ op: 'cells', columns: owed });
    },
    [paint],
  );

  // Every slot measured at once, in a ResizeObserver's callback: it comes just after the browser's own layout,
  // where reading positions costs nothing. Measured in React's commit instead, a changed grid made the
  // browser lay the whole 4K page out there and then (23-47 ms), then again for the frame.
  useEffect(() => {
    const root = map.current;
    if (!root) return;
    const ro = new ResizeObserver(() => {
      const el = canvas.current;
      const probe = badProbe.current;
      if (!el || !probe) return;
      const dpr = window.devicePixelRatio || 1;
      const origin = el.getBoundingClientRect();
      const boxes: Record<string, CellsBox> = {};
      for (const slot of root.querySelectorAll<HTMLElement>('[data-cells-for]')) {
        const r = slot.getBoundingClientRect();
        boxes[slot.dataset.cellsFor!] = {
          x: r.left - origin.left,
          y: r.top - origin.top,
          width: r.width,
          height: r.height,
        };
      }
      // the probe's colour is set in its markup: reading it back restyles nothing
      const bad = getComputedStyle(probe).color;
      const layout = {
        width: Math.round(origin.width * dpr),
        height: Math.round(origin.height * dpr),
        dpr,
        bad,
        boxes,
      };
      paint({ op: 'cells-layout', layout });
      measured.current = { key: now.current.layoutKey, slots: new Set(Object.keys(boxes)) };
      painted.current.clear();
      sendCells(true);
    });
    ro.observe(root);
    observer.current = ro;
    return () => {
      ro.disconnect();
      observer.current = null;
    };
  }, [map, paint, sendCells]);

  useLayoutEffect(() => {
    const root = map.current;
    if (measured.current?.key === layoutKey) {
      sendCells(false);
    } else if (root && observer.current) {
      // the slots moved: observed afresh, the map is reported (and measured) after the browser's next layout
      observer.current.unobserve(root);
      observer.current.observe(root);
    }
  }, [columns, unplaced, hidden, layoutKey, map, sendCells]);

  return (
    <>
      <canvas ref={canvas} className="wall-cells-canvas" aria-hidden="true" data-cell={cellPx} />
      <span ref={badProbe} className="wall-cells-probe" style={{ color: 'var(--bad)' }} aria-hidden="true" />
    </>
  );
}
