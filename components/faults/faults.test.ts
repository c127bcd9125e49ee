import { describe, expect, it } from 'vitest';
import { faultSummary, sortedFaults } from './faults';

describe('fault texts', () => {
  it('put the faults that stop the whole service first and sum them up in one line', () => {
    const faults = [
      { Loop: 'reaper' as const, Message: 'r', Since: '' },
      { Loop: 'scheduler' as const, Message: 's', Since: '' },
      { Loop: 'orchestrator' as const, Message: 'o', Since: '' },
    ];
    expect(sortedFaults(faults).map((f) => f.Loop)).toEqual(['orchestrator', 'scheduler', 'reaper']);
    expect(faultSummary(faults)).toBe('reaper: r; scheduler: s; orchestrator: o');
    expect(faultSummary(undefined)).toBe('');
  });
});
