import { describe, expect, it } from 'vitest';
import { stripCode, stripGeometry, type StripColors } from '../updates/strip-paint';
import { cellCode } from './wall-model';
import { applyPaint, type PaintMessage, type StripPicture, type Surfaces } from './paint-surfaces';

/** A canvas whose context records each drawing call with its numeric arguments. */
function recordingCanvas() {
  const calls: { op: string; args: number[] }[] = [];
  const ctx = new Proxy({} as Record<string, unknown>, {
    get: (target, op: string) =>
      op in target
        ? target[op]
        : (...args: unknown[]) => void calls.push({ op, args: args.filter((a): a is number => typeof a === 'number') }),
    set: (target, op: string, v) => ((target[op] = v), true),
  });
  const canvas = { width: 300, height: 150, getContext: () => ctx };
  return { canvas, calls, ops: (op: string) => calls.filter((c) => c.op === op) };
}

const colors = (ok = '#0a0') =>
  ({
    surface: '#111',
    surface2: '#222',
    border: '#333',
    ok,
    info: '#00a',
    infoSoft: '#88f',
    warn: '#aa0',
    warnSoft: '#ff8',
    bad: '#a00',
    accent: '#a0a',
  }) satisfies StripColors;

const strip = (states: ('old' | 'running' | 'failed')[], c = colors()): StripPicture => {
  const geo = stripGeometry(states.length, 70, 10, 2); // 6 cells a row
  return {
    width: 70,
    height: geo.height,
    dpr: 1,
    geo,
    colors: c,
    codes: Uint8Array.from(states, (state) => stripCode({ state, monitoring: false })),
  };
};

describe('the painter', () => {
  it("sizes the map's canvas, then paints each column it is sent inside its own slot", () => {
    const surfaces: Surfaces = new Map();
    const { canvas, calls, ops } = recordingCanvas();
    applyPaint(surfaces, { op: 'attach', id: 1, canvas });
    // cells before any layout have nowhere to go: dropped, not thrown
    applyPaint(surfaces, {
      op: 'cells',
      id: 1,
      columns: [{ slot: 'n1', cells: new Uint8Array(1), cellPx: 10, dim: false }],
    });
    expect(calls).toEqual([]);
    const boxes = { n1: { x: 100, y: 50, width: 40, height: 20 }, n2: { x: 0, y: 0, width: 40, height: 20 } };
    applyPaint(surfaces, { op: 'cells-layout', id: 1, layout: { width: 800, height: 400, dpr: 2, bad: 'red', boxes } });
    expect([canvas.width, canvas.height]).toEqual([800, 400]);
    expect(ops('clearRect')).toEqual([{ op: 'clearRect', args: [0, 0, 800, 400] }]);
    calls.length = 0;
    const running = cellCode({ look: 'running', hue: 25 });
    applyPaint(surfaces, {
      op: 'cells',
      id: 1,
      columns: [
        { slot: 'n1', cells: Uint8Array.of(running, running, running), cellPx: 10, dim: false },
        { slot: 'gone', cells: Uint8Array.of(running), cellPx: 10, dim: false },
      ],
    });
    // scaled for the device pixels, then n1's box cleared and its three squares filled inside it
    expect(calls[0]).toEqual({ op: 'setTransform', args: [2, 0, 0, 2, 0, 0] });
    expect(ops('clearRect')).toEqual([{ op: 'clearRect', args: [100, 50, 40, 20] }]);
    const fills = ops('fillRect');
    expect(fills).toHaveLength(3);
    for (const { args } of fills) {
      expect(args[0]! >= 100 && args[0]! + args[2]! <= 140).toBe(true);
      expect(args[1]! >= 50 && args[1]! + args[3]! <= 70).toBe(true);
    }
  });

  it('paints a whole strip first, then only the cells whose code moved', () => {
    const surfaces: Surfaces = new Map();
    const { canvas, calls, ops } = recordingCanvas();
    applyPaint(surfaces, { op: 'attach', id: 7, canvas });
    const first = strip(['old', 'old', 'old', 'old', 'old', 'old', 'old', 'old']);
    applyPaint(surfaces, { op: 'strip', id: 7, picture: first });
    expect([canvas.width, canvas.height]).toEqual([70, first.geo.height]);
    expect(ops('clearRect')).toHaveLength(8);
    // the slot at index 7 (second row, second cell: at 12, 12) is updated: it alone is painted
    calls.length = 0;
    applyPaint(surfaces, {
      op: 'strip',
      id: 7,
      picture: strip(['old', 'old', 'old', 'old', 'old', 'old', 'old', 'running']),
    });
    expect(ops('clearRect')).toEqual([{ op: 'clearRect', args: [12, 12, 10, 10] }]);
    // the same picture again paints nothing
    calls.length = 0;
    applyPaint(surfaces, {
      op: 'strip',
      id: 7,
      picture: strip(['old', 'old', 'old', 'old', 'old', 'old', 'old', 'running']),
    });
    expect(ops('clearRect')).toEqual([]);
  });

  it('paints the whole strip again when its colours, its size or its slots go down', () => {
    const surfaces: Surfaces = new Map();
    const { canvas, calls, ops } = recordingCanvas();
    applyPaint(surfaces, { op: 'attach', id: 3, canvas });
    applyPaint(surfaces, { op: 'strip', id: 3, picture: strip(['old', 'running', 'failed']) });
    calls.length = 0;
    // the theme turned: every cell in the new colours
    applyPaint(surfaces, { op: 'strip', id: 3, picture: strip(['old', 'running', 'failed'], colors('#0f0')) });
    expect(ops('clearRect')).toHaveLength(3);
    // a slot fewer: the canvas is sized again (which clears it), so the slot gone leaves nothing behind
    canvas.width = 0;
    calls.length = 0;
    applyPaint(surfaces, { op: 'strip', id: 3, picture: strip(['old', 'running'], colors('#0f0')) });
    expect(canvas.width).toBe(70);
    expect(ops('clearRect')).toHaveLength(2);
  });

  it('drops what comes for a surface it no longer holds', () => {
    const surfaces: Surfaces = new Map();
    const { canvas, calls } = recordingCanvas();
    const msgs: PaintMessage[] = [
      { op: 'attach', id: 1, canvas },
      { op: 'detach', id: 1 },
      { op: 'strip', id: 1, picture: strip(['old']) },
      { op: 'strip', id: 2, picture: strip(['old']) },
    ];
    for (const m of msgs) applyPaint(surfaces, m);
    expect(surfaces.size).toBe(0);
    expect(calls).toEqual([]);
  });
});
