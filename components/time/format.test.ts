import { describe, expect, it } from 'vitest';
import { ago, formatBytes, formatCpus, humanDuration } from './format';

describe('humanDuration (docker go-units)', () => {
  it.each([
    [0, 'less than a second'],
    [999, 'less than a second'],
    [1000, '1 second'],
    [12_400, '12 seconds'],
    [60_000, 'about a minute'],
    [119_000, 'about a minute'],
    [120_000, '2 minutes'],
    [3_599_000, '59 minutes'],
    [3_600_000, 'about an hour'],
    [5 * 3_600_000, '5 hours'],
    [3 * 86_400_000, '3 days'],
    [21 * 86_400_000, '3 weeks'],
    [90 * 86_400_000, '3 months'],
    [800 * 86_400_000, '2 years'],
  ])('%i ms → %s', (ms, text) => expect(humanDuration(ms)).toBe(text));

  it('renders ages', () => {
    const now = Date.parse('2026-01-01T00:00:12Z');
    expect(ago('2026-01-01T00:00:00Z', now)).toBe('12 seconds ago');
    expect(ago('0001-01-01T00:00:00Z', now)).toBe('');
    expect(ago('2026-01-01T00:00:00Z', 0)).toBe('');
  });

  it('formats Engine API units', () => {
    expect(formatCpus(5e8)).toBe('0.5');
    expect(formatCpus(2e9)).toBe('2');
    expect(formatBytes(4 * 1024 ** 3)).toBe('4.0 GiB');
    expect(formatBytes(64 * 1024 ** 2)).toBe('64 MiB');
  });
});
