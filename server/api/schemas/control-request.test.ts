import { describe, expect, it } from 'vitest';
import { SwarmError } from '../errors';
import { controlRequestSchema } from './control-request';
import { parseWire } from './wire';

const parse = (p: unknown) => parseWire(controlRequestSchema, p, 'forwarded');
const refusal = (p: unknown) => {
  try {
    parse(p);
  } catch (e) {
    if (e instanceof SwarmError) return e.message;
    throw e;
  }
  throw new Error('accepted');
};
const spec = { Name: 'web', TaskTemplate: { ContainerSpec: { Image: 'nginx' } } };

describe('forwarded control requests', () => {
  it('take each write with its own arguments, the specs checked like the Engine API’s', () => {
    expect(parse({ control: 'removeService', args: ['web'] })).toEqual({ control: 'removeService', args: ['web'] });
    const created = parse({ control: 'createService', args: [spec] });
    expect(created.args[0]).toMatchObject({ Name: 'web', Mode: { Replicated: { Replicas: 1 } } });
    // JSON turns a trailing undefined into null
    expect(parse({ control: 'updateCluster', args: [3, {}, null] }).args).toEqual([
      3,
      expect.objectContaining({ Name: 'default' }),
      undefined,
    ]);
    expect(parse({ control: 'updateService', args: ['web', 4, spec, { rollback: true }] }).args[3]).toEqual({
      rollback: true,
    });
  });

  it('take the secret and config writes with their specs decoded as the Engine API decodes them', () => {
    const secret = { Name: 'pw', Labels: { a: '1' }, Data: 'aHVudGVyMg==', Templating: { Name: 'golang' } };
    expect(parse({ control: 'createSecret', args: [secret] }).args).toEqual([secret]);
    expect(parse({ control: 'updateConfig', args: ['c', 7, { Name: 'c' }] }).args).toEqual([
      'c',
      7,
      { Name: 'c', Labels: {} },
    ]);
    expect(parse({ control: 'removeSecret', args: ['pw'] }).args).toEqual(['pw']);
    expect(refusal({ control: 'createSecret', args: [{ Name: 'pw', Data: 'not base64!' }] })).toMatch(/args\.0\.Data/);
    expect(refusal({ control: 'updateSecret', args: ['pw', -1, secret] })).toMatch(/args\.1: /);
  });

  it.each<[unknown, RegExp]>([
    [{ control: 'getCluster', args: [] }, /^rpc error: code = InvalidArgument desc = forwarded: control: /],
    [{ control: 'removeService', args: [] }, /forwarded: args/],
    [{ control: 'removeNode', args: ['n', 'yes'] }, /forwarded: args\.1: /],
    [{ control: 'updateNode', args: ['n', -1, { Role: 'worker', Availability: 'active' }] }, /forwarded: args\.1: /],
    [{ control: 'createService', args: [{ Name: 'x' }] }, /forwarded: args\.0: mismatched Runtime and \*Spec fields/],
    [
      { control: 'updateService', args: ['web', 1, { ...spec, Mode: { Replicated: { Replicas: -1 } } }] },
      /forwarded: args\.2\.Mode\.Replicated\.Replicas: /,
    ],
  ])('refuses %j naming the argument', (payload, message) => {
    expect(refusal(payload)).toMatch(message);
  });
});
