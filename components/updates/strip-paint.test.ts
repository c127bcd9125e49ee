import { describe, expect, it } from 'vitest';
import type { CellState, SlotCell } from './progress-model';
import {
  paintStripCell,
  stripGeometry,
  stripSummary,
  unpainted,
  type StripColors,
  type StripContext,
} from './strip-paint';

const cells = (...states: CellState[]): SlotCell[] =>
  states.map((state, i) => ({ key: `slot:${i + 1}`, label: String(i + 1), state, monitoring: false }));

describe('stripGeometry', () => {
  it('puts as many cells in a row as the width holds, the last one without a gap after it', () => {
    // 10 px cells 2 px apart: 5 take 58 px, a sixth would need 70
    expect(stripGeometry(12, 69, 10, 2)).toEqual({ perRow: 5, rows: 3, cell: 10, gap: 2, height: 34 });
    expect(stripGeometry(12, 70, 10, 2).perRow).toBe(6);
  });
  it('keeps at least one cell per row, and no height for no cells', () => {
    expect(stripGeometry(3, 4, 10, 2)).toMatchObject({ perRow: 1, rows: 3, height: 34 });
    expect(stripGeometry(0, 500, 10, 2)).toMatchObject({ rows: 0, height: 0 });
  });
});

describe('stripSummary', () => {
  it('says the slots and the count of each state present, in the legend order', () => {
    expect(stripSummary('web rollout', cells('failed', 'old', 'running', 'old', 'starting'), false)).toBe(
      'web rollout: 5 slots, 2 previous spec, 1 starting, 1 updated, 1 failed',
    );
  });
  it('names the updated cells for what they are while rolling back', () => {
    expect(stripSummary('web rollout', cells('running', 'old'), true)).toBe(
      'web rollout: 2 slots, 1 previous spec, 1 on the rollback spec',
    );
  });
  it('writes large counts with separators', () => {
    expect(stripSummary('big', cells(...Array<CellState>(1200).fill('old')), false)).toBe(
      'big: 1,200 slots, 1,200 previous spec',
    );
  });
});

describe('painting a strip by the cells that moved', () => {
  it('owes the cells not painted as they are, by object, at most so many at a time, in reading order', () => {
    const now = cells('old', 'running', 'old', 'failed');
    expect(unpainted(now, [], 10)).toEqual([0, 1, 2, 3]);
    expect(unpainted(now, [now[0], now[1], now[2], now[3]], 10)).toEqual([]);
    // a cell that reads the same but is another object is owed: the strip keeps the same object when it reads the same
    expect(unpainted(now, [now[0], { ...now[1]! }, now[2]], 10)).toEqual([1, 3]);
    expect(unpainted(now, [], 2)).toEqual([0, 1]);
  });

  it("clears the cell's own square and draws inside it alone", () => {
    const calls: { op: string; args: number[] }[] = [];
    const ctx = new Proxy({} as Record<string, unknown>, {
      get: (target, op: string) =>
        op in target
          ? target[op]
          : (...args: number[]) => void calls.push({ op, args: args.filter((a) => typeof a === 'number') }),
      set: (target, op: string, v) => ((target[op] = v), true),
    }) as unknown as StripContext;
    const colors = Object.fromEntries(
      ['surface', 'surface2', 'border', 'ok', 'info', 'infoSoft', 'warn', 'warnSoft', 'bad', 'accent'].map((k) => [
        k,
        '#000',
      ]),
    ) as unknown as StripColors;
    const geo = stripGeometry(12, 70, 10, 2); // 6 a row: index 7 is the second row's second cell, at (12, 12)
    for (const state of ['old', 'stopping', 'starting', 'running', 'rolled-back', 'failed'] as const) {
      calls.length = 0;
      paintStripCell(ctx, cells(state)[0]!, 7, geo, colors);
      expect(calls[0]).toEqual({ op: 'clearRect', args: [12, 12, 10, 10] });
      expect(calls.length).toBeGreaterThan(1);
      // every coordinate drawn is inside the square (x and y alike: it sits at 12..22 both ways)
      for (const c of calls.slice(1))
        for (const v of c.op === 'fillRect' || c.op === 'strokeRect'
          ? c.args.slice(0, 2)
          : c.op === 'moveTo' || c.op === 'lineTo'
            ? c.args
            : [])
          expect(v >= 12 && v <= 22, `${state}: ${c.op}(${c.args.join(', ')})`).toBe(true);
    }
  });
});
