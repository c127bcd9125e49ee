import { describe, expect, it } from 'vitest';
import { parseHello, parseTaskScope } from './realtime-hello';

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

describe('the task scope', () => {
  it('takes "all" or a list of service IDs, in the handshake or alone', () => {
    expect(parseHello({ v: 3, tasks: 'all' }, {})).toEqual({ v: 3, since: undefined, tasks: 'all' });
    expect(parseHello({ tasks: { services: ['abc123', 'abc123', 'x9'] } }, {})).toMatchObject({
      tasks: { services: ['abc123', 'x9'] },
    });
    expect(parseTaskScope({ services: [] })).toEqual({ services: [] });
    expect(parseHello({}, { tasks: 'none' })).toEqual({ v: undefined, since: undefined });
  });

  it('refuses anything else, saying why', () => {
    expect(parseHello({ tasks: 'none' }, {})).toMatchObject({ error: expect.stringContaining('invalid task scope') });
    expect(parseTaskScope({ services: ['../x'] })).toEqual({
      error: 'invalid task scope: a service ID is 1 to 64 lowercase letters and digits',
    });
    expect(parseTaskScope({ services: [], more: 1 })).toMatchObject({
      error: expect.stringContaining('invalid task scope'),
    });
    expect(parseTaskScope({ services: Array.from({ length: 257 }, (_, i) => `s${i}`) })).toEqual({
      error: "invalid task scope: at most 256 services (or 'all')",
    });
    expect(parseTaskScope(null)).toMatchObject({ error: expect.stringContaining('invalid task scope') });
  });
});
