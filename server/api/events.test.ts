import { describe, expect, it } from 'vitest';
import { eventMillis } from './events';

describe('eventMillis', () => {
  it('gives the whole millisecond a timeNano past 2^53 stands for', () => {
    // 1765050695346 ms in nanoseconds divides to 1765050695345.9998: Date would show …345
    const timeNano = 1765050695346 * 1_000_000;
    expect(new Date(timeNano / 1e6).getTime()).toBe(1765050695345);
    expect(eventMillis({ timeNano })).toBe(1765050695346);
    expect(new Date(eventMillis({ timeNano })).toISOString()).toBe('2025-12-06T19:51:35.346Z');
  });
});
