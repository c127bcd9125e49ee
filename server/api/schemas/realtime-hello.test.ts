import { describe, expect, it } from 'vitest';
import { parseHello } from './realtime-hello';

describe('the console socket handshake', () => {
  it('reads v and since from the auth object first, the query second, as numbers or digits', () => {
    expect(parseHello({ v: 2, since: 10 }, { since: '3' })).toEqual({ v: 2, since: 10 });
    expect(parseHello({}, { v: '2', since: '7', EIO: '4' })).toEqual({ v: 2, since: 7 });
    expect(parseHello(undefined, undefined)).toEqual({ v: undefined, since: undefined });
  });

  it('refuses a value of the wrong kind, naming it', () => {
    expect(parseHello({ since: -1 }, {})).toEqual({ error: 'invalid handshake: since must be a non-negative integer' });
    expect(parseHello({}, { since: '1e3' })).toEqual({
      error: 'invalid handshake: since must be a non-negative integer',
    });
    expect(parseHello({ v: { x: 1 } }, {})).toMatchObject({ error: expect.stringContaining('v') });
  });
});
