import { describe, expect, it } from 'vitest';
import { cellsGrid, cellsSummary, paintCells, type CellsContext } from './cells-paint';
import { cellCode, cellHue, cellLook, HUES, LOOKS, type WallTask } from './wall-model';

const task = (state: WallTask['state'], i: number): WallTask => ({
  id: `t${i}`,
  serviceID: 's',
  label: `web.${i}`,
  service: 'web',
  slot: `.${i}`,
  slotNumber: i,
  state,
  look: state === 'running' ? 'running' : 'starting',
  hue: 25,
});

describe('cellsGrid', () => {
  it('fills whole cells across, then down, and shows no more than the box holds', () => {
    expect(cellsGrid(10, 50, 30, 12)).toEqual({ perRow: 4, shown: 8 }); // 4 across, 2 down
    expect(cellsGrid(5, 50, 30, 12)).toEqual({ perRow: 4, shown: 5 });
    expect(cellsGrid(3, 5, 30, 12)).toEqual({ perRow: 1, shown: 2 }); // narrower than a cell: one column
  });
});

describe('cellsSummary', () => {
  it('says how many tasks, by state, most first', () => {
    expect(cellsSummary([task('running', 1), task('preparing', 2), task('running', 3)])).toBe(
      '3 tasks: 2 running, 1 preparing',
    );
    expect(cellsSummary([task('running', 1)])).toBe('1 task: 1 running');
    expect(cellsSummary([])).toBe('No tasks');
  });
});

describe('paintCells', () => {
  /** A context that notes its drawing calls. */
  const recorder = () => {
    const calls: string[] = [];
    const ctx = {
      fillStyle: '',
      strokeStyle: '',
      lineWidth: 1,
      globalAlpha: 1,
      clearRect: () => calls.push('clear'),
      fillRect: (x: number, y: number, w: number, h: number) =>
        calls.push(`fill ${x},${y} ${w}x${h} a${ctx.globalAlpha}`),
      strokeRect: (x: number, y: number, w: number) => calls.push(`stroke ${x},${y} ${w}`),
      setLineDash: () => undefined,
      save: () => undefined,
      restore: () => undefined,
    } satisfies CellsContext;
    return { ctx, calls };
  };
  const box = { x: 0, y: 0, width: 100, height: 100 };

  it('frames a starting task and fills a running one', () => {
    const { ctx, calls } = recorder();
    paintCells(ctx, [task('running', 1), task('pending', 2)].map(cellCode), box, 12, 'red');
    expect(calls).toEqual(['clear', 'fill 1,1 10x10 a1', 'stroke 13.5,1.5 9']);
  });

  it('fills the lower half of a starting task where a frame would be too small to see', () => {
    const { ctx, calls } = recorder();
    paintCells(ctx, [task('pending', 1), task('running', 2)].map(cellCode), box, 4, 'red');
    expect(calls).toEqual(['clear', 'fill 1,2 2x1 a1', 'fill 5,1 2x2 a1']);
  });
});

describe('cellCode', () => {
  it('keeps every hue and look in one byte, and gives them back', () => {
    const seen = new Set<number>();
    for (const hue of HUES)
      for (const look of LOOKS) {
        const code = cellCode({ hue, look });
        expect(code).toBeGreaterThanOrEqual(0);
        expect(code).toBeLessThan(256);
        expect([cellHue(code), cellLook(code)]).toEqual([hue, look]);
        seen.add(code);
      }
    expect(seen.size).toBe(HUES.length * LOOKS.length);
  });
});
