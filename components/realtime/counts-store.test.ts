import { describe, expect, it } from 'vitest';
import { ClientCountsStore } from './counts-store';

describe('ClientCountsStore', () => {
  it('takes a whole set, then deltas, where null removes an entry', () => {
    const s = new ClientCountsStore();
    expect(s.get().loaded).toBe(false);
    s.apply({
      reset: true,
      services: { web: { running: 1, desired: 2 }, db: { running: 1, desired: 1 } },
      nodes: { n1: 2 },
    });
    expect(s.get().loaded).toBe(true);
    s.apply({ services: { web: { running: 2, desired: 2 }, db: null }, nodes: { n2: 0 } });
    expect(Object.fromEntries(s.get().services)).toEqual({ web: { running: 2, desired: 2 } });
    expect(Object.fromEntries(s.get().nodes)).toEqual({ n1: 2, n2: 0 });
    s.apply({ reset: true, services: {}, nodes: { n3: 1 } });
    expect(s.get().services.size).toBe(0);
    expect(Object.fromEntries(s.get().nodes)).toEqual({ n3: 1 });
  });
});
