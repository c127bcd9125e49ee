import { describe, expect, it } from 'vitest';
import { SwarmError } from '../errors';
import { MAX_LABEL_KEY_CHARS, MAX_LABEL_VALUE_CHARS } from './labels';
import { parseNodeSpec } from './node-spec';
import { parseServiceSpec } from './service-spec';

const refusal = (fn: () => unknown): [number, string] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof SwarmError) return [e.status, e.message];
    throw e;
  }
  throw new Error('accepted');
};
const node = (Labels: Record<string, string>) => ({ Labels, Role: 'worker', Availability: 'active' });
const service = (over: Record<string, unknown>) => ({
  Name: 'web',
  TaskTemplate: { ContainerSpec: { Image: 'nginx' } },
  ...over,
});

describe('label bounds', () => {
  it('keeps labels up to the limits', () => {
    const Labels = { ['k'.repeat(MAX_LABEL_KEY_CHARS)]: '"'.repeat(MAX_LABEL_VALUE_CHARS) };
    expect(parseNodeSpec(node(Labels)).Labels).toEqual(Labels);
    expect(parseServiceSpec(service({ Labels })).Labels).toEqual(Labels);
  });

  it('refuses a longer value or key with a 400 naming the map, the key and the limit', () => {
    expect(refusal(() => parseNodeSpec(node({ big: '"'.repeat(4 * 1024 * 1024) })))).toEqual([
      400,
      'rpc error: code = InvalidArgument desc = Labels: the value of "big" is 4194304 characters long (the limit is 65536)',
    ]);
    expect(refusal(() => parseServiceSpec(service({ Labels: { ['k'.repeat(2000)]: 'v' } })))).toEqual([
      400,
      `rpc error: code = InvalidArgument desc = Labels: key "${'k'.repeat(32)}…" is 2000 characters long (the limit is 1024)`,
    ]);
    const container = (over: Record<string, unknown>) =>
      service({ TaskTemplate: { ContainerSpec: { Image: 'nginx', ...over } } });
    expect(refusal(() => parseServiceSpec(container({ Labels: { a: 'x'.repeat(70_000) } })))[1]).toMatch(
      /ContainerSpec\.Labels: the value of "a" is 70000 characters long/,
    );
    expect(refusal(() => parseServiceSpec(container({ Sysctls: { a: 'x'.repeat(70_000) } })))[1]).toMatch(
      /ContainerSpec\.Sysctls: the value of "a"/,
    );
  });

  it('still names a value of the wrong type as Go does', () => {
    expect(refusal(() => parseNodeSpec(node({ a: 1 } as never)))[1]).toMatch(
      /cannot unmarshal number into Go struct field NodeSpec.Annotations.Labels of type string/,
    );
  });
});
