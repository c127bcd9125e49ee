import { describe, expect, it } from 'vitest';
import { MAX_SCOPE_SERVICES } from '@/server/api/realtime';
import { scopeKey, TaskScopeRegistry } from './task-scope';

describe('TaskScopeRegistry', () => {
  it('is every task while nothing or anything wants them all, else the union of what is declared', () => {
    const r = new TaskScopeRegistry();
    let heard = 0;
    r.subscribe(() => heard++);
    expect(r.current()).toBe('all');
    const list = r.declare({ services: [] });
    expect(r.current()).toEqual({ services: [] });
    const a = r.declare({ services: ['b', 'a'] });
    const b = r.declare({ services: ['a', 'c'] });
    expect(r.current()).toEqual({ services: ['a', 'b', 'c'] });
    const all = r.declare('all');
    expect(r.current()).toBe('all');
    all();
    a();
    expect(scopeKey(r.current())).toBe('a,c');
    b();
    list();
    expect(r.current()).toBe('all');
    expect(heard).toBe(8);
  });

  it('asks for every task rather than send more services than a scope may name', () => {
    const r = new TaskScopeRegistry();
    r.declare({ services: Array.from({ length: MAX_SCOPE_SERVICES }, (_, i) => `s${i}`) });
    expect(r.current()).not.toBe('all');
    r.declare({ services: ['one-more'] });
    expect(r.current()).toBe('all');
  });
});
