import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store';
import { encodeSnapshotData, snapshotImage } from './apply';
import { encodeJsonInSlices, jsonPieces } from './snapshot-encoding';
import { create } from './test-world';

const text = (v: unknown, depth?: number) => [...jsonPieces(v, depth)].join('');

describe('jsonPieces', () => {
  it('joins to the text JSON.stringify writes, at every depth', () => {
    const values: unknown[] = [
      { index: 7, objects: { node: [{ ID: 'n1', Spec: { Labels: {} } }], task: [] }, members: { a: 'x:1' } },
      { a: undefined, b: () => 1, c: [undefined, () => 1, null, 'é"\n'], d: new Date(0), e: { f: [1, [2, [3]]] } },
      [],
      {},
      [{}, []],
      'plain',
      42,
      null,
      { nested: { map: new Map([['k', 1]]), set: new Set([1]) } },
    ];
    for (const v of values)
      for (const depth of [0, 1, 2, 3, 5])
        expect(text(v, depth), `${JSON.stringify(v)} at ${depth}`).toBe(JSON.stringify(v));
  });

  it('hands each object below the walked levels to JSON.stringify whole', () => {
    const pieces = [...jsonPieces({ objects: { task: [{ ID: 't1' }, { ID: 't2' }] } })];
    expect(pieces).toContain('{"ID":"t1"}');
    expect(pieces).toContain('{"ID":"t2"}');
  });
});

describe('encodeJsonInSlices', () => {
  const big = { objects: { task: Array.from({ length: 2000 }, (_, i) => ({ ID: `t${i}`, Slot: i })) } };

  it('gives the event loop turns between slices, and the same text', async () => {
    let clock = 0;
    let turns = 0;
    const out = await encodeJsonInSlices(big, {
      sliceMs: 5,
      // each read of the clock moves it 1 ms: a slice ends every 5 reads
      now: () => clock++,
      yieldTurn: async () => {
        turns++;
      },
    });
    expect(out).toBe(JSON.stringify(big));
    expect(turns).toBeGreaterThan(10);
  });

  it('stops when cancelled', async () => {
    let clock = 0;
    let turns = 0;
    const out = await encodeJsonInSlices(big, {
      sliceMs: 1,
      now: () => (clock += 10),
      yieldTurn: async () => {
        turns++;
      },
      cancelled: () => turns >= 2,
    });
    expect(out).toBeUndefined();
    expect(turns).toBe(2);
  });

  it('writes a store image as encodeSnapshotData does', async () => {
    const store = new MemoryStore();
    for (let i = 1; i <= 50; i++) store.apply(i, create(`c${i}`));
    const members = new Map([['m1', '127.0.0.1:4000']]);
    const img = snapshotImage(store, members);
    const whole = encodeSnapshotData(store, members);
    expect(whole).toContain('"c50"');
    // taken at once, encoded later: writes after the capture are not in it
    store.apply(51, create('late'));
    expect(await encodeJsonInSlices(img, { sliceMs: 0 })).toBe(whole);
  });
});
