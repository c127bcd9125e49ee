import { describe, expect, it } from 'vitest';
import { SwarmError } from '../errors';
import { parseNodeSpec } from './node-spec';

const refusal = (input: unknown): [number, string] => {
  try {
    parseNodeSpec(input);
  } catch (e) {
    if (e instanceof SwarmError) return [e.status, e.message];
    throw e;
  }
  throw new Error('accepted');
};

describe('NodeSpec', () => {
  it('keeps what `docker node update` sends, looking role and availability up as moby does', () => {
    expect(parseNodeSpec({ Labels: { zone: 'a' }, Role: 'Worker', Availability: 'DRAIN', Bogus: 1 })).toEqual({
      Labels: { zone: 'a' },
      Role: 'worker',
      Availability: 'drain',
    });
    expect(parseNodeSpec({ Name: 'n1', Role: 'manager', Availability: 'pause' })).toEqual({
      Name: 'n1',
      Labels: {},
      Role: 'manager',
      Availability: 'pause',
    });
  });

  it.each<[unknown, string]>([
    [{ Role: 'boss', Availability: 'active' }, 'invalid Role: "boss"'],
    [{ Availability: 'active' }, 'invalid Role: ""'],
    [{ Role: 'worker', Availability: '' }, 'invalid Availability: ""'],
    [{ Role: 'worker', Availability: 'off' }, 'invalid Availability: "off"'],
    [
      { Role: 'worker', Availability: 'active', Labels: { a: 1 } },
      'invalid JSON: json: cannot unmarshal number into Go struct field NodeSpec.Annotations.Labels of type string',
    ],
    [
      { Role: ['worker'], Availability: 'active' },
      'invalid JSON: json: cannot unmarshal array into Go struct field NodeSpec.Role of type swarm.NodeRole',
    ],
    ['worker', 'invalid JSON: json: cannot unmarshal string into Go value of type swarm.NodeSpec'],
    [undefined, 'invalid JSON: got EOF while reading request body'],
  ])('refuses %j with moby’s message', (input, message) => {
    expect(refusal(input)).toEqual([400, message]);
  });
});
