import { describe, expect, it } from 'vitest';
import { encodeFrame, encodeJSON, FrameError, FrameReader, parseAnswer, parseOpen } from './frames';

describe('tunnel frames', () => {
  it('cuts a stream into frames however it is split, and keeps the bytes after them', () => {
    const bytes = Buffer.concat([
      encodeJSON({ task: 't1', port: 80, proto: 'tcp' }),
      encodeFrame(Buffer.from('two')),
      Buffer.from('raw'),
    ]);
    for (const step of [1, 3, 7, bytes.length]) {
      const r = new FrameReader(1024);
      const frames: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += step) frames.push(...r.push(bytes.subarray(i, i + step)));
      expect(frames.map((f) => f.toString())).toEqual(['{"task":"t1","port":80,"proto":"tcp"}', 'two']);
      // 'raw' is three bytes: less than a length prefix, so it stays as the rest
      expect(r.rest().toString()).toBe('raw');
    }
  });

  it('refuses a frame longer than allowed', () => {
    const r = new FrameReader(8);
    expect(() => r.push(encodeFrame(Buffer.alloc(9)))).toThrow(FrameError);
    const ok = new FrameReader(8);
    ok.setMax(16);
    expect(ok.push(encodeFrame(Buffer.alloc(9)))).toHaveLength(1);
  });

  it('parses open requests and answers strictly', () => {
    expect(parseOpen(Buffer.from('{"task":"abc","port":80,"proto":"udp"}'))).toEqual({
      task: 'abc',
      port: 80,
      proto: 'udp',
    });
    expect(parseOpen(Buffer.from('nope'))).toBe('open frame is not JSON');
    expect(parseOpen(Buffer.from('{"task":"../x","port":80,"proto":"tcp"}'))).toBe(
      'open frame: task must be a task ID',
    );
    expect(parseOpen(Buffer.from('{"task":"a","port":0,"proto":"tcp"}'))).toBe('open frame: port must be 1-65535');
    expect(parseOpen(Buffer.from('{"task":"a","port":80,"proto":"sctp"}'))).toBe(
      'open frame: proto must be tcp or udp',
    );
    expect(parseAnswer(Buffer.from('{"answer":"draining"}'))).toEqual({ answer: 'draining' });
    expect(parseAnswer(Buffer.from('{"answer":"refused","message":"no such task"}'))).toEqual({
      answer: 'refused',
      message: 'no such task',
    });
    expect(parseAnswer(Buffer.from('{"answer":"maybe"}'))).toBe('answer frame: answer must be ok, draining or refused');
  });
});
