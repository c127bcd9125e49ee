import { describe, expect, it } from 'vitest';
import type { Batch } from './batch';
import { splitBatch } from './split-batch';
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
    for (const b of batches)
      expect(Buffer.byteLength(JSON.stringify(b.ops)) - b.ops.length - 1).toBeLessThanOrEqual(opBytes * 10 + 5);
  });

  it('sends an op larger than the limit on its own', () => {
    const { batches } = splitBatch(batch, 10);
    expect(batches).toHaveLength(50);
  });
});
