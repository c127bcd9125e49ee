import { describe, expect, it } from 'vitest';
import { Bulk, describe as describeJson, getAt, paths, Raw, render, revive, setAt, type Json } from './json-tree';

const sample: Json = {
  a: 1,
  b: [true, null, 'x'],
  c: { d: new Raw('1e400'), e: new Bulk({ kind: 'deep-array', depth: 3 }) },
};

describe('json-tree', () => {
  it('renders raw number texts and bulk values as written', () => {
    expect(render(sample)).toBe('{"a":1,"b":[true,null,"x"],"c":{"d":1e400,"e":[[[]]]}}');
    expect(render(new Bulk({ kind: 'deep-object', depth: 2 }))).toBe('{"a":{"a":{}}}');
    expect(render(new Bulk({ kind: 'wide-array', count: 3, item: '1' }))).toBe('[1,1,1]');
    expect(render(new Bulk({ kind: 'string', bytes: 3, char: 'é' }))).toBe('"ééé"');
  });

  it('renders a nesting a million deep without recursion', () => {
    const text = render({ x: new Bulk({ kind: 'deep-array', depth: 1_000_000 }) });
    expect(text.length).toBe(2_000_006);
  });

  it('describes Raw and Bulk leaves as plain JSON and revives them', () => {
    const d = JSON.parse(JSON.stringify(describeJson(sample))) as unknown;
    expect(d).toEqual({
      a: 1,
      b: [true, null, 'x'],
      c: { d: { $raw: '1e400' }, e: { $bulk: { kind: 'deep-array', depth: 3 } } },
    });
    expect(render(revive(d))).toBe(render(sample));
  });

  it('lists every path, containers and leaves', () => {
    expect(paths(sample).map((p) => p.join('.'))).toEqual(['', 'a', 'b', 'b.0', 'b.1', 'b.2', 'c', 'c.d', 'c.e']);
  });

  it('sets and removes without touching the input', () => {
    const before = render(sample);
    const changed = setAt(sample, ['b', 1], 'y');
    const removed = setAt(sample, ['c', 'd'], undefined);
    const dropped = setAt(sample, ['b', 0], undefined);
    expect(render(sample)).toBe(before);
    expect(getAt(changed, ['b', 1])).toBe('y');
    expect(getAt(removed, ['c', 'd'])).toBeUndefined();
    expect(getAt(dropped, ['b'])).toEqual([null, 'x']);
    expect(render(setAt({}, ['x', 'y'], 1))).toBe('{"x":{"y":1}}');
  });

  it('keeps "__proto__" an own key, as JSON.parse does, without touching any prototype', () => {
    const v = setAt({ a: 1 }, ['__proto__'], { polluted: 'yes' });
    expect(render(v)).toBe('{"a":1,"__proto__":{"polluted":"yes"}}');
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(render(setAt(v, ['a'], 2))).toBe('{"a":2,"__proto__":{"polluted":"yes"}}');
  });
});
