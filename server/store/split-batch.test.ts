import { describe, expect, it } from 'vitest';
import type { Batch } from './batch';
import { opWireBytes, splitBatch } from './split-batch';
import { makeService, makeTask } from './test-support';

describe('splitBatch', () => {
  const svc = makeService();
  const batch: Batch = {
    ops: Array.from({ length: 50 }, (_, i) => ({
      op: 'create' as const,
      kind: 'task' as const,
      object: makeTask(svc, { Slot: i + 1 }),
    })),
  };
  const opBytes = Buffer.byteLength(JSON.stringify(batch.ops[0]));

  it('keeps a small batch whole', () => {
    const { batches, bytes } = splitBatch(batch, 1e9);
    expect(batches).toHaveLength(1);
    expect(bytes).toBeGreaterThanOrEqual(50 * opBytes - 50);
  });

  it('splits in order into parts no larger than the limit', () => {
    const { batches } = splitBatch(batch, opBytes * 10 + 5);
    expect(batches.length).toBeGreaterThanOrEqual(5);
    expect(batches.flatMap((b) => b.ops)).toEqual(batch.ops);
    // measured as the wire carries a batch: its JSON inside a JSON string
    for (const b of batches)
      expect(Buffer.byteLength(JSON.stringify(JSON.stringify(b)))).toBeLessThanOrEqual(opBytes * 10 + 5);
  });

  it('counts escaping: an op of quotes takes four times its characters', () => {
    const quotes = { op: 'create' as const, kind: 'task' as const, object: makeTask(svc, { Slot: 1 }) };
    quotes.object.Spec = {
      ...quotes.object.Spec,
      ContainerSpec: { ...quotes.object.Spec.ContainerSpec, Args: ['"'.repeat(10_000)] },
    };
    expect(opWireBytes(quotes)).toBeGreaterThan(40_000);
    const { batches, bytes } = splitBatch({ ops: [quotes, quotes, quotes] }, 45_000);
    expect(batches).toHaveLength(3);
    expect(bytes).toBeGreaterThan(120_000);
    // never less than the real entry (a part that fits the count fits the log)
    expect(bytes).toBeGreaterThanOrEqual(
      Buffer.byteLength(JSON.stringify(JSON.stringify({ ops: [quotes, quotes, quotes] }))),
    );
  });

  it('sends an op larger than the limit on its own', () => {
    const { batches } = splitBatch(batch, 10);
    expect(batches).toHaveLength(50);
  });
});
