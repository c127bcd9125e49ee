import { describe, expect, it } from 'vitest';
import { cellsGrid, cellsSummary } from './cells-paint';
import type { WallTask } from './wall-model';

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
