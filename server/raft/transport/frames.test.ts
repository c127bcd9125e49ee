import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../core';
import { ENTRY_ENVELOPE_BYTES, entrySize } from '../core/log';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder, FrameFormatError, FrameTooLargeError } from './frames';

describe('frames', () => {
  it('carry the largest entry an append message may hold, and the largest proposal with room to spare', () => {
    // the raft core measures an entry as the wire carries it; its hard limit must fit a frame
    // quotes take two bytes each inside a message: as many as make `bytes` by the core's own measure
    const entryOf = (bytes: number) => {
      const data = '"'.repeat(Math.floor((bytes - ENTRY_ENVELOPE_BYTES - 2) / 2));
      const e = { index: 2 ** 53 - 1, term: 2 ** 53 - 1, type: 'normal' as const, data };
      expect(entrySize(e)).toBeGreaterThan(bytes - 2);
      expect(entrySize(e)).toBeLessThanOrEqual(bytes);
      return e;
    };
    const app = (bytes: number) => ({
      t: 'msg',
      m: {
        type: 'app',
        from: 'x'.repeat(64),
        to: 'y'.repeat(64),
        term: 2 ** 53 - 1,
        index: 2 ** 53 - 1,
        logTerm: 2 ** 53 - 1,
        commit: 2 ** 53 - 1,
        entries: [entryOf(bytes)],
      },
    });
    expect(encodeFrame(app(DEFAULT_CONFIG.maxEntryBytes)).length).toBeLessThanOrEqual(DEFAULT_MAX_FRAME_BYTES + 4);
    expect(encodeFrame(app(DEFAULT_CONFIG.maxProposalBytes)).length).toBeLessThan(DEFAULT_MAX_FRAME_BYTES / 4);
  });

  it('prefixes UTF-8 JSON with its 4-byte big-endian length', () => {
    const frame = encodeFrame({ t: 'msg', m: { x: 'é' } });
    const body = Buffer.from(JSON.stringify({ t: 'msg', m: { x: 'é' } }), 'utf8');
    expect(frame.readUInt32BE(0)).toBe(body.length);
    expect(frame.subarray(4).equals(body)).toBe(true);
  });

  it('decodes frames split at every byte boundary and several frames in one chunk', () => {
    const values = [{ a: 1 }, { b: 'two' }, { c: [3, 3, 3] }];
    const bytes = Buffer.concat(values.map((v) => encodeFrame(v)));
    const dec = new FrameDecoder();
    const out: unknown[] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...dec.push(bytes.subarray(i, i + 1)));
    expect(out).toEqual(values);
    expect(new FrameDecoder().push(bytes)).toEqual(values);
    expect(dec.bufferedBytes).toBe(0);
  });

  it('refuses to encode or accept a frame above the limit', () => {
    expect(() => encodeFrame({ s: 'x'.repeat(100) }, 50)).toThrow(FrameTooLargeError);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(9 * 1024 * 1024, 0);
    // The header alone is enough to reject: nothing of the 9 MiB body is buffered.
    expect(() => new FrameDecoder().push(header)).toThrow(/exceeds the 8388608-byte limit/);
  });

  it('rejects a frame that is not JSON', () => {
    const body = Buffer.from('{nope', 'utf8');
    const frame = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
    expect(() => new FrameDecoder().push(frame)).toThrow(FrameFormatError);
  });

  it('rejects a frame that nests too deep or holds too many values, before parsing it', () => {
    const frame = (text: string) => {
      const body = Buffer.from(text, 'utf8');
      const h = Buffer.alloc(4);
      h.writeUInt32BE(body.length, 0);
      return Buffer.concat([h, body]);
    };
    expect(() => new FrameDecoder().push(frame('['.repeat(129) + ']'.repeat(129)))).toThrow(
      'frame of 258 bytes nests deeper than 128 levels',
    );
    const many = `[${'0,'.repeat(100_000)}0]`;
    expect(() => new FrameDecoder(undefined, undefined, 100_000).push(frame(many))).toThrow(
      `frame of ${many.length} bytes holds more than 100000 values`,
    );
    // by default only the size bounds a frame
    expect(new FrameDecoder().push(frame(many))[0]).toHaveLength(100_001);
  });
});
