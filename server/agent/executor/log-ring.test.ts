import { describe, expect, it } from 'vitest';
import { LineSplitter, LogRing, MAX_LINE_BYTES, type LogEntry } from './log-ring';

const entry = (line: string): LogEntry => ({ stream: 'stdout', time: '2026-01-01T00:00:00.000Z', line });

describe('LogRing', () => {
  it('keeps the last maxLines lines', () => {
    const ring = new LogRing({ maxLines: 3 });
    for (let i = 0; i < 5000; i++) ring.push(entry(`l${i}`));
    expect(ring.list().map((e) => e.line)).toEqual(['l4997', 'l4998', 'l4999']);
    expect(ring.list(2).map((e) => e.line)).toEqual(['l4998', 'l4999']);
    expect(ring.size).toBe(3);
  });

  it('keeps at most maxBytes of text, but always the newest line', () => {
    const ring = new LogRing({ maxBytes: 10 });
    ring.push(entry('aaaa'));
    ring.push(entry('bbbb'));
    ring.push(entry('cccc'));
    expect(ring.list().map((e) => e.line)).toEqual(['bbbb', 'cccc']);
    ring.push(entry('x'.repeat(50)));
    expect(ring.list().map((e) => e.line)).toEqual(['x'.repeat(50)]);
  });

  it('feeds subscribers until they unsubscribe', () => {
    const ring = new LogRing();
    const got: string[] = [];
    const off = ring.subscribe((e) => got.push(e.line));
    ring.push(entry('one'));
    off();
    ring.push(entry('two'));
    expect(got).toEqual(['one']);
  });
});

describe('LineSplitter', () => {
  it('splits across chunks, drops CR before LF and flushes the last partial line', () => {
    const out: string[] = [];
    const s = new LineSplitter((l) => out.push(l));
    s.write('hel');
    s.write('lo\r\nwor');
    s.write('ld\n\nlast');
    expect(out).toEqual(['hello', 'world', '']);
    s.end();
    expect(out).toEqual(['hello', 'world', '', 'last']);
  });

  it('cuts very long lines into pieces', () => {
    const out: string[] = [];
    const s = new LineSplitter((l) => out.push(l));
    s.write('y'.repeat(MAX_LINE_BYTES * 2 + 5));
    s.end();
    expect(out.map((l) => l.length)).toEqual([MAX_LINE_BYTES, MAX_LINE_BYTES, 5]);
  });
});
