import { describe, expect, it } from 'vitest';
import { ViewDirt } from './view-dirt';

describe('ViewDirt', () => {
  it('starts with every view owed, then owes a task’s node, or every view for a service, network or node', () => {
    const d = new ViewDirt();
    expect(d.take()).toEqual({ all: true, nodes: new Set() });
    expect(d.take()).toEqual({ all: false, nodes: new Set() });

    expect(d.note({ kind: 'task', object: { NodeID: 'n1' } })).toBe(true);
    expect(d.note({ kind: 'task', object: { NodeID: '' } })).toBe(true); // not placed yet: on no node's own list
    d.note({ kind: 'task', object: { NodeID: 'n2' } });
    expect(d.note({ kind: 'secret', object: {} })).toBe(false); // not in a view
    expect(d.take()).toEqual({ all: false, nodes: new Set(['n1', 'n2']) });
    expect(d.take()).toEqual({ all: false, nodes: new Set() });

    for (const kind of ['service', 'network', 'node']) {
      expect(d.note({ kind, object: {} })).toBe(true);
      expect(d.take().all).toBe(true);
    }
  });
});
