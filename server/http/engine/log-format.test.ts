import { describe, expect, it } from 'vitest';
import type { LogMessage } from '../../api/logs';
import { detailsText, encodeLine, formatLine, queryEscape, rfc3339NanoFixed, stdcopyFrame } from './log-format';

const msg: LogMessage = {
  context: { nodeID: 'node1', serviceID: 'svc1', taskID: 'task1' },
  time: '2026-01-02T03:04:05.678Z',
  stream: 'stderr',
  line: 'hello world',
};

describe('engine log format', () => {
  it('frames a payload with the stream byte and a big-endian length', () => {
    const f = stdcopyFrame(2, 'héllo\n');
    expect([...f.subarray(0, 8)]).toEqual([2, 0, 0, 0, 0, 0, 0, 7]);
    expect(f.subarray(8).toString('utf8')).toBe('héllo\n');
  });

  it('writes the swarm details sorted and query-escaped, before the message', () => {
    expect(detailsText(msg)).toBe(
      'com.docker.swarm.node.id=node1,com.docker.swarm.service.id=svc1,com.docker.swarm.task.id=task1',
    );
    expect(queryEscape("a b/c!'()*~")).toBe('a+b%2Fc%21%27%28%29%2A~');
    expect(formatLine(msg, { details: true, timestamps: false })).toBe(`${detailsText(msg)} hello world\n`);
    expect(formatLine(msg, { details: false, timestamps: false })).toBe('hello world\n');
  });

  it('puts the fixed-width RFC3339Nano timestamp first', () => {
    expect(rfc3339NanoFixed('2026-01-02T03:04:05.678Z')).toBe('2026-01-02T03:04:05.678000000Z');
    expect(rfc3339NanoFixed('2026-01-02T03:04:05Z')).toBe('2026-01-02T03:04:05.000000000Z');
    expect(rfc3339NanoFixed('2026-01-02T04:04:05.5+01:00')).toBe('2026-01-02T03:04:05.500000000Z');
    expect(formatLine(msg, { details: true, timestamps: true })).toBe(
      `2026-01-02T03:04:05.678000000Z ${detailsText(msg)} hello world\n`,
    );
  });

  it('one frame per line on stdout/stderr; raw bytes for a TTY service', () => {
    const framed = encodeLine(msg, { details: false, timestamps: false, tty: false });
    expect(framed[0]).toBe(2);
    expect(framed.readUInt32BE(4)).toBe(12);
    expect(encodeLine({ ...msg, stream: 'stdout' }, { details: false, timestamps: false, tty: false })[0]).toBe(1);
    expect(encodeLine(msg, { details: false, timestamps: false, tty: true }).toString()).toBe('hello world\n');
  });
});
