import { describe, expect, it } from 'vitest';
import type { SlotCell } from '../updates/progress-model';
import { keepSameCells } from './updates-model';

const cell = (slot: number, state: SlotCell['state'], taskID = `t${slot}`): SlotCell => ({
  key: `slot:${slot}`,
  label: String(slot),
  state,
  taskID,
  monitoring: false,
});

describe('keepSameCells', () => {
  it('keeps the previous object for every cell that reads the same, and only those', () => {
    const prev = [cell(1, 'running'), cell(2, 'old'), cell(3, 'old')];
    const next = keepSameCells(prev, [cell(1, 'running'), cell(2, 'starting', 'u2'), cell(3, 'old')]);
    expect(next).not.toBe(prev);
    expect(next[0]).toBe(prev[0]);
    expect(next[1]).not.toBe(prev[1]);
    expect(next[1]!.state).toBe('starting');
    expect(next[2]).toBe(prev[2]);
  });

  it('hands back the previous array when nothing moved, and a new one when a slot came or went', () => {
    const prev = [cell(1, 'running'), cell(2, 'old')];
    expect(keepSameCells(prev, [cell(1, 'running'), cell(2, 'old')])).toBe(prev);
    expect(keepSameCells(prev, [cell(1, 'running')])).toEqual([prev[0]]);
    expect(keepSameCells(prev, [cell(1, 'running'), cell(2, 'old'), cell(3, 'old')])).toHaveLength(3);
    expect(keepSameCells(undefined, prev)).toBe(prev);
  });
});
