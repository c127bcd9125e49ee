import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store';
import { makeService, makeServiceSpec } from './test-support';
import { Tx } from './tx';

const NOW = '2026-01-01T00:00:00.000Z';
const status = (Message: string) => ({ State: 'updating' as const, Message });

function storeWith(...ids: string[]): MemoryStore {
  const s = new MemoryStore();
  const service = (ID: string) => makeService({ ID, Spec: makeServiceSpec({ Name: ID }) });
  const r = s.apply(1, {
    ops: ids.map((ID) => ({ op: 'create' as const, kind: 'service' as const, object: service(ID) })),
  });
  expect(r.error ?? r.failed).toBeUndefined();
  return s;
}

describe('Tx.attempt', () => {
  it('keeps the writes of a savepoint that returns and undoes those of one that throws', () => {
    const store = storeWith('a', 'b');
    const tx = new Tx(store, NOW);
    const ok = tx.attempt(() => tx.update('service', { ...store.get('service', 'a')!, UpdateStatus: status('1') }));
    expect(ok).toMatchObject({ ok: true });
    const bad = tx.attempt(() => {
      tx.update('service', { ...tx.get('service', 'a')!, UpdateStatus: status('2') });
      tx.delete('service', 'b');
      tx.create('service', makeService({ ID: 'c', Spec: makeServiceSpec({ Name: 'c' }) }));
      throw new Error('boom');
    });
    expect(bad).toEqual({ ok: false, error: new Error('boom') });
    expect(tx.get('service', 'a')!.UpdateStatus).toEqual(status('1'));
    expect(tx.get('service', 'b')).toBeDefined();
    expect(tx.get('service', 'c')).toBeUndefined();
    expect(tx.batch().ops.map((o) => o.op)).toEqual(['update']);
  });

  it('lets an enclosing savepoint undo what a nested one kept', () => {
    const store = storeWith('a');
    const tx = new Tx(store, NOW);
    const outer = tx.attempt(() => {
      const inner = tx.attempt(() =>
        tx.create('service', makeService({ ID: 'n', Spec: makeServiceSpec({ Name: 'n' }) })),
      );
      expect(inner.ok).toBe(true);
      tx.delete('service', 'a');
      throw new Error('outer');
    });
    expect(outer.ok).toBe(false);
    expect(tx.size).toBe(0);
    expect(tx.get('service', 'a')).toBeDefined();
    expect(tx.get('service', 'n')).toBeUndefined();
  });
});
