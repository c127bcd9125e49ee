import { afterEach, describe, expect, it } from 'vitest';
import { SequenceConflict } from '../api/errors';
import type { Task } from '../api/types';
import { openStore } from './open';
import { makeNode, makeService, makeTask, openTempStore } from './test-support';
import type { AppliedEvent } from './batch';

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

describe('ClusterStore', () => {
  it('applies a batch only after it is durable and stamps Version.Index with the log index', async () => {
    const s = await openTempStore();
    opened.push(s);
    const events: AppliedEvent[] = [];
    s.store.view.watch((e) => events.push(e));
    const svc = makeService();
    await s.store.update((tx) => tx.create('service', svc));
    const stored = s.store.view.get('service', svc.ID)!;
    // the raft index: 1 is the founding member, 2 the leader's no-op
    expect(stored.Version.Index).toBe(3);
    expect(stored.Version.Index).toBe(s.log.status().commit);
    expect(events).toHaveLength(1);
    expect(events[0]!.index).toBe(3);
    expect(events[0]!.changes[0]).toMatchObject({ kind: 'service', action: 'create' });
    const row = await s.db.logEntry.findUnique({ where: { index: 3 } });
    expect(row?.type).toBe('normal');
    expect(row?.data).toContain(svc.ID);
  });

  it('counts its proposals (the /metrics counter), and nothing for a transaction that writes nothing', async () => {
    const s = await openTempStore();
    opened.push(s);
    const before = { ...s.store.proposals };
    await s.store.update((tx) => tx.create('service', makeService()));
    await s.store.update(() => undefined);
    expect(s.store.proposals).toEqual({ total: before.total + 1, failed: before.failed });
  });

  it('rejects an update carrying a stale Version.Index (optimistic concurrency)', async () => {
    const s = await openTempStore();
    opened.push(s);
    const svc = makeService();
    await s.store.update((tx) => tx.create('service', svc));
    const v1 = s.store.view.get('service', svc.ID)!;
    await s.store.update((tx) => tx.update('service', { ...v1, Spec: { ...v1.Spec, Labels: { a: '1' } } }));
    // v1 is now stale: both the fail-fast check and the apply-time check refuse it
    await expect(s.store.update((tx) => tx.update('service', { ...v1, Spec: { ...v1.Spec } }))).rejects.toBeInstanceOf(
      SequenceConflict,
    );
    expect(s.store.view.get('service', svc.ID)!.Spec.Labels).toEqual({ a: '1' });
  });

  it('refuses a concurrent writer at apply time and leaves the store untouched', async () => {
    const s = await openTempStore();
    opened.push(s);
    const svc = makeService();
    await s.store.update((tx) => tx.create('service', svc));
    const v = s.store.view.get('service', svc.ID)!;
    // both transactions read the same version before either is applied
    const a = s.store.update((tx) => tx.update('service', { ...v, Spec: { ...v.Spec, Labels: { w: 'a' } } }));
    const b = s.store.update((tx) => tx.update('service', { ...v, Spec: { ...v.Spec, Labels: { w: 'b' } } }));
    const results = await Promise.allSettled([a, b]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(s.store.view.get('service', svc.ID)!.Spec.Labels).toEqual({ w: 'a' });
  });

  it('keeps the task indexes (service, node, slot, desired state, observed state) in step with writes', async () => {
    const s = await openTempStore();
    opened.push(s);
    const node = makeNode();
    const svc = makeService();
    const t1 = makeTask(svc, { Slot: 1, NodeID: node.ID });
    const t2 = makeTask(svc, { Slot: 2 });
    await s.store.update((tx) => {
      tx.create('node', node);
      tx.create('service', svc);
      tx.create('task', t1);
      tx.create('task', t2);
    });
    const v = s.store.view;
    expect(
      v
        .tasksByService(svc.ID)
        .map((t) => t.ID)
        .sort(),
    ).toEqual([t1.ID, t2.ID].sort());
    expect(v.tasksByNode(node.ID).map((t) => t.ID)).toEqual([t1.ID]);
    expect(v.tasksBySlot(`${svc.ID}/2`).map((t) => t.ID)).toEqual([t2.ID]);
    const cur = v.get('task', t2.ID)!;
    await s.store.update((tx) => tx.update('task', { ...cur, DesiredState: 'shutdown', NodeID: node.ID }));
    expect(v.tasksByDesiredState('shutdown').map((t) => t.ID)).toEqual([t2.ID]);
    expect(v.tasksByDesiredState('running').map((t) => t.ID)).toEqual([t1.ID]);
    expect(v.tasksByNode(node.ID)).toHaveLength(2);
    expect(
      v
        .tasksByState('new')
        .map((t) => t.ID)
        .sort(),
    ).toEqual([t1.ID, t2.ID].sort());
    const t1now = v.get('task', t1.ID)!;
    await s.store.update((tx) => tx.update('task', { ...t1now, Status: { ...t1now.Status, State: 'running' } }));
    expect(v.tasksByState('running').map((t) => t.ID)).toEqual([t1.ID]);
    expect(v.tasksByState('new').map((t) => t.ID)).toEqual([t2.ID]);
    await s.store.update((tx) => tx.delete('task', t1.ID));
    expect(v.tasksByService(svc.ID).map((t) => t.ID)).toEqual([t2.ID]);
    expect(v.tasksBySlot(`${svc.ID}/1`)).toEqual([]);
    expect(v.tasksByState('running')).toEqual([]);
    // a store restored from an image indexes what it holds
    const copy = await openTempStore();
    opened.push(copy);
    copy.store.view.restore(v.image());
    expect(copy.store.view.tasksByState('new').map((t) => t.ID)).toEqual([t2.ID]);
  });

  it('restores the exact store after a restart, from the log and from a snapshot', async () => {
    const s = await openTempStore();
    const svc = makeService();
    await s.store.update((tx) => tx.create('service', svc));
    for (let i = 1; i <= 25; i++) {
      await s.store.update((tx) => tx.create('task', makeTask(svc, { Slot: i })));
    }
    const some = s.store.view.tasksByService(svc.ID)[3] as Task;
    await s.store.update((tx) => tx.update('task', { ...some, DesiredState: 'shutdown' }));
    await s.store.update((tx) => tx.delete('task', s.store.view.tasksByService(svc.ID)[0]!.ID));
    const before = s.store.view.image();
    await s.log.close();
    await s.storage.idle();
    await s.db.$disconnect();

    const again = await openStore(s.dir);
    // the same objects; the re-elected member appended its no-op
    expect(again.store.view.image()).toEqual({ ...before, index: before.index + 1 });
    // a snapshot, then compaction, then more entries: replay still matches
    await again.close();
    const snap = await openStore(s.dir, { snapshotInterval: 3, keepEntries: 1 });
    for (let i = 0; i < 7; i++) await snap.store.update((tx) => tx.create('task', makeTask(svc, { Slot: 100 + i })));
    const beforeSnap = snap.store.view.image();
    expect(await snap.db.snapshot.count()).toBe(1);
    expect(await snap.db.logEntry.count()).toBeLessThan(beforeSnap.index);
    await snap.close();
    const third = await openStore(s.dir);
    expect(third.store.view.image()).toEqual({ ...beforeSnap, index: beforeSnap.index + 1 });
    await third.close();
    await s.close().catch(() => undefined);
  });
  it('commits a large control-loop pass in parts, and refuses an oversized client transaction', async () => {
    const s = await openTempStore();
    opened.push(s);
    const svc = makeService();
    await s.store.update((tx) => tx.create('service', svc));
    const entries: number[] = [];
    s.store.view.watch((e) => entries.push(e.changes.length));
    const tasks = Array.from({ length: 40 }, (_, i) => makeTask(svc, { Slot: i + 1 }));
    const max = 8 * Buffer.byteLength(JSON.stringify({ op: 'create', kind: 'task', object: tasks[0] }));
    await s.store.update((tx) => tasks.forEach((t) => tx.create('task', t)), { retry: true, maxProposalBytes: max });
    expect(s.store.view.tasksByService(svc.ID)).toHaveLength(40);
    expect(entries.filter((n) => n > 0).length).toBeGreaterThanOrEqual(5);
    const more = Array.from({ length: 40 }, (_, i) => makeTask(svc, { Slot: 100 + i }));
    await expect(
      s.store.update((tx) => more.forEach((t) => tx.create('task', t)), { maxProposalBytes: max }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining('raft message is too large') });
    expect(s.store.view.tasksByService(svc.ID)).toHaveLength(40);
  });

  it('refuses a single object whose encoded entry exceeds the proposal limit, before it reaches the log', async () => {
    const s = await openTempStore();
    opened.push(s);
    const svc = makeService();
    await s.store.update((tx) => tx.create('service', svc));
    const index = s.store.view.index;
    const stored = s.store.view.get('service', svc.ID)!;
    // 512 KiB of quotes: under the limit as characters, four times that on the wire
    const huge = { ...stored, Spec: { ...stored.Spec, Labels: { q: '"'.repeat(512 * 1024) } } };
    const err = await s.store.update((tx) => tx.update('service', huge)).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, message: expect.stringMatching(/too large.*the limit is 1572864/) });
    expect((err as Error).message).toMatch(/the write is (\d+) bytes encoded/);
    expect(Number(/the write is (\d+)/.exec((err as Error).message)![1])).toBeGreaterThan(2 * 1024 * 1024);
    // the control-loop path is refused the same way
    await expect(s.store.update((tx) => tx.update('service', huge), { retry: true })).rejects.toMatchObject({
      status: 400,
    });
    expect(s.store.view.index).toBe(index);
    await s.store.update((tx) => tx.update('service', { ...stored, Spec: { ...stored.Spec, Labels: { q: 'ok' } } }));
    expect(s.store.view.index).toBe(index + 1);
  });
});
