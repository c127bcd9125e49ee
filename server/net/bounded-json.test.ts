import { describe, expect, it } from 'vitest';
import type { JsonBoundsError } from './bounded-json';
import { API_JSON_BOUNDS, parseBoundedJSON, scanJSON } from './bounded-json';

const b = (s: string) => Buffer.from(s, 'utf8');
const nested = (depth: number) => b('['.repeat(depth) + ']'.repeat(depth));
/** Offset of the first bracket nesting deeper than `max`, or -1. */
const tooDeepAt = (text: Buffer, max: number) => scanJSON(text, max)?.at ?? -1;

describe('scanJSON', () => {
  it('finds the first bracket past the limit, counting objects and arrays alike', () => {
    expect(tooDeepAt(nested(3), 3)).toBe(-1);
    expect(tooDeepAt(nested(4), 3)).toBe(3);
    expect(tooDeepAt(b('{"a":[{"b":{}}]}'), 4)).toBe(-1);
    expect(tooDeepAt(b('{"a":[{"b":{}}]}'), 3)).toBe(11);
    // siblings do not add up
    expect(tooDeepAt(b('[[],[],[[]],[]]'), 3)).toBe(-1);
  });

  it('ignores brackets inside strings, escaped quotes and backslash runs included', () => {
    expect(tooDeepAt(b(JSON.stringify({ s: '[[[[[[{{{{{{' })), 2)).toBe(-1);
    expect(tooDeepAt(b(JSON.stringify({ s: 'say \\"[[[[" and \\\\' })), 2)).toBe(-1);
    // a string ending in an escaped backslash is closed by the quote after it
    expect(tooDeepAt(b(JSON.stringify(['\\', [[['x']]]])), 3)).toBe(8);
    expect(tooDeepAt(b(JSON.stringify({ 'ключ[': 'значение{' })), 1)).toBe(-1);
  });

  it('counts values: one, plus every container, comma and colon outside strings (a member weighs two)', () => {
    expect(scanJSON(b('[1,2,3]'), 8, 4)).toBeUndefined();
    expect(scanJSON(b('[1,2,3,4]'), 8, 4)).toEqual({ reason: 'too-many-values', at: 6 });
    expect(scanJSON(b('{"a":{},"b":[]}'), 8, 7)).toBeUndefined();
    expect(scanJSON(b('{"a":{},"b":[]}'), 8, 6)).toEqual({ reason: 'too-many-values', at: 12 });
    expect(scanJSON(b(JSON.stringify({ 'c:s,v': 'a,b:c,d', n: 1 })), 8, 5)).toBeUndefined();
  });

  it('leaves malformed text to JSON.parse (an unterminated string is not deep)', () => {
    expect(tooDeepAt(b('["abc'), 1)).toBe(-1);
    expect(tooDeepAt(b(']]]]['), 1)).toBe(-1);
  });
});

describe('parseBoundedJSON', () => {
  it('admits Docker-sized payloads: a 1000 KB config and a 500 KB secret in base64, a big spec', () => {
    const config = { Name: 'app.conf', Data: Buffer.alloc(1000 * 1024, 1).toString('base64'), Labels: { a: 'b' } };
    const secret = { Name: 'key', Data: Buffer.alloc(500 * 1024, 2).toString('base64') };
    const spec = {
      Name: 'big',
      TaskTemplate: {
        ContainerSpec: {
          Image: 'nginx',
          Env: Array.from({ length: 5000 }, (_, i) => `VAR_${i}=${'v'.repeat(100)}`),
          Mounts: [{ Type: 'volume', VolumeOptions: { DriverConfig: { Name: 'local', Options: { o: 'bind' } } } }],
        },
      },
    };
    for (const v of [config, secret, spec]) expect(parseBoundedJSON(b(JSON.stringify(v)), API_JSON_BOUNDS)).toEqual(v);
  });

  it('refuses too large (413), too deep and malformed (400), before parsing for the first two', () => {
    const bounds = { maxBytes: 100, maxDepth: 3, maxValues: 10 };
    const err = (text: string) => {
      try {
        parseBoundedJSON(b(text), bounds);
      } catch (e) {
        return e as JsonBoundsError;
      }
      throw new Error('not refused');
    };
    expect(err('x'.repeat(101))).toMatchObject({ reason: 'too-large', status: 413 });
    expect(err('[[[[]]]]').message).toBe('JSON nests deeper than 3 levels (at byte 3); no real object needs that');
    expect(err('[[[[]]]]').status).toBe(400);
    expect(err('{"a":').message).toMatch(/^invalid JSON: /);
    expect(err('[0,0,0,0,0,0,0,0,0,0,0]')).toMatchObject({
      reason: 'too-many-values',
      status: 400,
      message: 'JSON holds more than 10 values (at byte 18); no real object needs that',
    });
    expect(parseBoundedJSON(b('  '), bounds)).toBeUndefined();
    expect(parseBoundedJSON(b('[[["ok"]]]'), bounds)).toEqual([[['ok']]]);
  });
});
