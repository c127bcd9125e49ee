import { describe, expect, it } from 'vitest';
import { genericCapacity, genericDemand, hasEnoughGeneric, parseGenericResources } from './generic-resources';

describe('generic resources', () => {
  it('parses discrete counts and named sets as swarmkit does', () => {
    expect(parseGenericResources(['gpu=2'])).toEqual([{ DiscreteResourceSpec: { Kind: 'gpu', Value: 2 } }]);
    expect(parseGenericResources(['gpu=UUID1', 'gpu=UUID2', 'ssd=1'])).toEqual([
      { NamedResourceSpec: { Kind: 'gpu', Value: 'UUID1' } },
      { NamedResourceSpec: { Kind: 'gpu', Value: 'UUID2' } },
      { DiscreteResourceSpec: { Kind: 'ssd', Value: 1 } },
    ]);
    expect(() => parseGenericResources(['gpu'])).toThrow(/incorrect term gpu/);
    expect(() => parseGenericResources(['gpu=1', 'gpu=UUID'])).toThrow(/mixed discrete and named/);
  });

  it('counts a node’s capacity and a task’s demand per kind', () => {
    const node = genericCapacity(parseGenericResources(['gpu=U1', 'gpu=U2', 'fpga=3']));
    expect([...node]).toEqual([
      ['gpu', 2],
      ['fpga', 3],
    ]);
    expect(hasEnoughGeneric(node, genericDemand([{ DiscreteResourceSpec: { Kind: 'gpu', Value: 2 } }]))).toBe(true);
    expect(hasEnoughGeneric(node, genericDemand([{ DiscreteResourceSpec: { Kind: 'gpu', Value: 3 } }]))).toBe(false);
    expect(hasEnoughGeneric(new Map(), genericDemand([{ DiscreteResourceSpec: { Kind: 'gpu', Value: 1 } }]))).toBe(
      false,
    );
    // a named resource in a task is never satisfied
    expect(hasEnoughGeneric(node, genericDemand([{ NamedResourceSpec: { Kind: 'gpu', Value: 'U1' } }]))).toBe(false);
  });
});
