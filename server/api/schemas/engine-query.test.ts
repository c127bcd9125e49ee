import { describe, expect, it } from 'vitest';
import { SwarmError } from '../errors';
import {
  forceQuery,
  listQuery,
  logsQuery,
  nodeUpdateQuery,
  parseQuery,
  serviceInspectQuery,
  serviceListQuery,
  serviceUpdateFlagsQuery,
  swarmUpdateQuery,
} from './engine-query';

const q = (s: string) => new URLSearchParams(s);
const refusal = (fn: () => unknown): [number, string] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof SwarmError) return [e.status, e.message];
    throw e;
  }
  throw new Error('accepted');
};

describe('Engine API query parameters', () => {
  it('decodes filters in both of the forms the CLI has sent', () => {
    expect(parseQuery(listQuery, q('filters=' + encodeURIComponent('{"name":{"web":true},"id":["a","b"]}')))).toEqual({
      filters: { name: ['web'], id: ['a', 'b'] },
    });
    expect(parseQuery(listQuery, q('')).filters).toEqual({});
  });

  it.each<[string, string]>([
    ['filters={nope', 'invalid filter: '],
    ['filters=[1]', 'invalid filter: filters must be a JSON object'],
    ['filters={"name":"web"}', "invalid filter: 'name' must map values to true, or list them as strings"],
    ['filters={"name":[1]}', "invalid filter: 'name' must map values to true, or list them as strings"],
  ])('refuses %s', (query, message) => {
    const [status, text] = refusal(() => parseQuery(listQuery, q(query)));
    expect(status).toBe(400);
    expect(text.startsWith(message)).toBe(true);
  });

  it('reads booleans as moby does: BoolValue where it is lenient, strconv.ParseBool where it is not', () => {
    expect(parseQuery(forceQuery, q('force=yes')).force).toBe(true);
    expect(parseQuery(forceQuery, q('force=no')).force).toBe(false);
    expect(parseQuery(serviceListQuery, q('status=1')).status).toBe(true);
    expect(parseQuery(serviceInspectQuery, q('insertDefaults=False')).insertDefaults).toBe(false);
    expect(refusal(() => parseQuery(serviceInspectQuery, q('insertDefaults=yes')))).toEqual([
      400,
      'invalid value for insertDefaults: yes: strconv.ParseBool: parsing "yes": invalid syntax',
    ]);
    expect(refusal(() => parseQuery(swarmUpdateQuery, q('version=1&rotateWorkerToken=sure')))).toEqual([
      400,
      'invalid value for rotateWorkerToken: sure',
    ]);
  });

  it('takes versions as strconv.ParseUint does', () => {
    expect(parseQuery(nodeUpdateQuery, q('version=42')).version).toBe(42);
    expect(refusal(() => parseQuery(nodeUpdateQuery, q('version=-1')))).toEqual([
      400,
      `invalid node version '-1': strconv.ParseUint: parsing "-1": invalid syntax`,
    ]);
    expect(refusal(() => parseQuery(swarmUpdateQuery, q('')))).toEqual([
      400,
      `invalid swarm version '': strconv.ParseUint: parsing "": invalid syntax`,
    ]);
    expect(refusal(() => parseQuery(nodeUpdateQuery, q('version=99999999999999999999')))[1]).toMatch(
      /value out of range/,
    );
  });

  it('checks the update flags the CLI sends', () => {
    expect(parseQuery(serviceUpdateFlagsQuery, q('registryAuthFrom=spec&rollback=previous'))).toEqual({
      registryAuthFrom: 'spec',
      rollback: true,
    });
    expect(refusal(() => parseQuery(serviceUpdateFlagsQuery, q('rollback=last')))).toEqual([
      400,
      'unrecognized rollback option last',
    ]);
    expect(refusal(() => parseQuery(serviceUpdateFlagsQuery, q('registryAuthFrom=x')))).toEqual([
      400,
      'unsupported registryAuthFrom value',
    ]);
  });

  it('reads the log parameters before the stream starts, with moby’s words for a bad tail', () => {
    expect(parseQuery(logsQuery, q('stdout=1&details=1&tail=all&since=1700000000.123456789'))).toEqual({
      stdout: true,
      stderr: false,
      follow: false,
      timestamps: false,
      details: true,
      tail: undefined,
      since: 1_700_000_000_123,
    });
    expect(parseQuery(logsQuery, q('tail=3&since=2026-01-02T03:04:05Z'))).toMatchObject({
      tail: 3,
      since: Date.parse('2026-01-02T03:04:05Z'),
    });
    expect(refusal(() => parseQuery(logsQuery, q('tail=ten')))).toEqual([
      400,
      'tail value must be a positive integer or "all"',
    ]);
    expect(refusal(() => parseQuery(logsQuery, q('tail=-1')))).toEqual([400, 'negative tail values not supported']);
    expect(refusal(() => parseQuery(logsQuery, q('since=yesterday')))).toEqual([
      400,
      'invalid value for "since": yesterday',
    ]);
  });

  it('reads the first of repeated names, as moby’s Form.Get does', () => {
    expect(parseQuery(nodeUpdateQuery, q('version=3&version=x')).version).toBe(3);
  });
});
