import { describe, expect, it } from 'vitest';
import type { LogMessage } from '@/server/api/logs';
import { LogBuffer, filterLines, linePrefix, splitNdjson, taskHue } from './log-buffer';

const m = (sec: number, line: string, taskID = 't1', stream: 'stdout' | 'stderr' = 'stdout'): LogMessage => ({
  context: { nodeID: 'n1', serviceID: 's1', taskID },
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, sec)).toISOString(),
  stream,
  line,
});

describe('LogBuffer', () => {
  it('merges tasks by time, placing a late line where it belongs', () => {
    const b = new LogBuffer();
    b.add([m(1, 'a1', 'a'), m(3, 'a3', 'a')]);
    b.add([m(2, 'b2', 'b'), m(4, 'b4', 'b')]);
    expect(b.lines.map((l) => l.line)).toEqual(['a1', 'b2', 'a3', 'b4']);
    // equal times keep arrival order
    b.add([m(4, 'a4', 'a')]);
    expect(b.lines.map((l) => l.line).slice(-2)).toEqual(['b4', 'a4']);
  });

  it('keeps at most max lines, dropping the oldest', () => {
    const b = new LogBuffer(3);
    b.add([m(1, '1'), m(2, '2'), m(3, '3'), m(4, '4')]);
    b.add([m(5, '5')]);
    expect(b.lines.map((l) => l.line)).toEqual(['3', '4', '5']);
    expect(b.dropped).toBe(2);
    const v = b.version;
    b.clear();
    expect(b.size).toBe(0);
    expect(b.version).toBeGreaterThan(v);
  });

  it('knows a line it already holds (reconnect overlap)', () => {
    const b = new LogBuffer();
    b.add([m(1, 'x'), m(2, 'y')]);
    expect(b.has(m(2, 'y'))).toBe(true);
    expect(b.has(m(2, 'z'))).toBe(false);
    expect(b.has(m(3, 'y'))).toBe(false);
  });

  it('holds 10,000 lines and filters them quickly', () => {
    const b = new LogBuffer();
    const batch: LogMessage[] = [];
    for (let i = 0; i < 12_000; i++) batch.push(m(i, `line ${i}`, i % 2 ? 'a' : 'b', i % 5 ? 'stdout' : 'stderr'));
    b.add(batch);
    expect(b.size).toBe(10_000);
    const t0 = performance.now();
    const hits = filterLines(b.lines, { text: 'LINE 1199', stream: 'all', taskID: '' });
    expect(performance.now() - t0).toBeLessThan(200);
    expect(hits.map((l) => l.line)).toEqual([
      'line 11990',
      'line 11991',
      'line 11992',
      'line 11993',
      'line 11994',
      'line 11995',
      'line 11996',
      'line 11997',
      'line 11998',
      'line 11999',
    ]);
  });
});

describe('filters and names', () => {
  const b = new LogBuffer();
  b.add([m(1, 'GET /', 'a'), m(2, 'boom', 'b', 'stderr'), m(3, 'GET /x', 'b')]);
  it('by stream, task and text (line or prefix)', () => {
    expect(filterLines(b.lines, { text: '', stream: 'stderr', taskID: '' }).map((l) => l.line)).toEqual(['boom']);
    expect(filterLines(b.lines, { text: '', stream: 'all', taskID: 'b' }).map((l) => l.line)).toEqual([
      'boom',
      'GET /x',
    ]);
    expect(filterLines(b.lines, { text: 'get', stream: 'stdout', taskID: 'b' }).map((l) => l.line)).toEqual(['GET /x']);
    const prefix = (l: { taskID: string }) => (l.taskID === 'a' ? 'web.1@n1' : 'web.2@n2');
    expect(filterLines(b.lines, { text: 'web.2', stream: 'all', taskID: '' }, prefix)).toHaveLength(2);
    expect(filterLines(b.lines, { text: '', stream: 'all', taskID: '' })).toBe(b.lines);
  });
  it('names lines as the CLI does and keeps a hue per task', () => {
    expect(linePrefix('web', 2, 'node1', 'host-a')).toBe('web.2@host-a');
    expect(linePrefix('agent', 0, 'abcdefghijklmnop', 'host-b')).toBe('agent.abcdefghijkl@host-b');
    expect(taskHue('t1')).toBe(taskHue('t1'));
    expect(taskHue('t1')).toBeGreaterThanOrEqual(0);
  });
  it('splits NDJSON across chunk boundaries', () => {
    const a = splitNdjson('', '{"a":1}\n{"b"');
    expect(a).toEqual({ lines: ['{"a":1}'], rest: '{"b"' });
    expect(splitNdjson(a.rest, ':2}\n\n')).toEqual({ lines: ['{"b":2}'], rest: '' });
  });
});
