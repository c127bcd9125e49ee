import { describe, expect, it } from 'vitest';
import type { CellState, SlotCell } from './progress-model';
import { stripGeometry, stripSummary } from './strip-paint';

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
