import { afterEach, describe, expect, it } from 'vitest';
import { decodeSnapshotData, encodeSnapshotData } from '../raft/apply';
import { currentAudit, runAs } from './audit-context';
import { MemoryStore } from './memory-store';
import { makeService, openTempStore } from './test-support';

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

async function store() {
  const s = await openTempStore({ clock: () => 1_765_000_000_123 });
  opened.push(s);
  return s;
}

const ann = { kind: 'account', id: 'a1', name: 'ann', role: 'operator' } as const;

describe('audit records of the write path', () => {
  it('stamp each batch with the actor of its writer, in the same entry as the change', async () => {
    const s = await store();
    const svc = makeService();
    await runAs({ actor: ann, action: 'POST /api/services' }, () => s.store.update((tx) => tx.create('service', svc)));
    await s.store.update((tx) =>
      tx.update('service', { ...s.store.view.get('service', svc.ID)!, Spec: { ...svc.Spec, Labels: { a: '1' } } }),
    );
    const [first, second] = s.store.view.audit.list();
    const index = s.store.view.get('service', svc.ID)!.Version.Index;
    expect(first).toMatchObject({
      actor: ann,
      action: 'POST /api/services',
      target: 'service web',
      changes: 'create service',
      result: 'ok',
      time: 1_765_000_000_123,
    });
    expect(second).toMatchObject({ index, actor: { kind: 'system', name: 'unattributed' }, action: 'update service' });
    // the raft entry itself holds the stamp: every manager applying it writes the same record
    const row = await s.db.logEntry.findUnique({ where: { index: first!.index } });
    expect(JSON.parse(row!.data).audit).toEqual({ actor: ann, action: 'POST /api/services' });
  });

  it("records an apply-time refusal as the write's result, and the store unchanged", async () => {
    const s = await store();
    const svc = makeService();
    await s.store.update((tx) => tx.create('service', svc));
    const v = s.store.view.get('service', svc.ID)!;
    const write = (w: string) =>
      runAs({ actor: { kind: 'control-loop', name: w } }, () =>
        s.store.update((tx) => tx.update('service', { ...v, Spec: { ...v.Spec, Labels: { w } } })),
      );
    const results = await Promise.allSettled([write('a'), write('b')]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const records = s.store.view.audit.list().slice(-2);
    expect(records.map((r) => r.result).sort()).toEqual(['ok', expect.stringContaining('update out of sequence')]);
  });

  it('applies a batch whose stamp is not sound, without a record', async () => {
    const s = await store();
    const before = s.store.view.audit.size;
    const svc = makeService();
    const index = s.store.view.index + 1;
    s.store.view.apply(index, {
      ops: [{ op: 'create', kind: 'service', object: svc }],
      audit: { actor: { kind: '??' } as never },
    });
    expect(s.store.view.get('service', svc.ID)).toBeDefined();
    expect(s.store.view.audit.size).toBe(before);
  });

  it('proposes notes as an audit-only entry that tells no watcher', async () => {
    const s = await store();
    let told = 0;
    s.store.view.watch(() => told++);
    const at = s.store.view.index;
    await s.store.note([
      {
        actor: { kind: 'system', name: 'console client 127.0.0.1 (no session)' },
        action: 'POST /api/services',
        result: 'refused (401): log in first',
      },
    ]);
    expect(s.store.view.index).toBe(at + 1);
    expect(told).toBe(0);
    expect(s.store.view.audit.list().at(-1)).toMatchObject({
      index: at + 1,
      action: 'POST /api/services',
      result: 'refused (401): log in first',
    });
    expect(s.store.view.audit.list().at(-1)!.changes).toBeUndefined();
  });

  it('stamps every part of a control-loop pass split across entries', async () => {
    const s = await store();
    const services = Array.from({ length: 6 }, (_, i) =>
      makeService({ Spec: { ...makeService().Spec, Name: `s${i}` } }),
    );
    await runAs({ actor: { kind: 'control-loop', name: 'allocator' } }, () =>
      s.store.update((tx) => services.forEach((x) => tx.create('service', x)), {
        retry: true,
        maxProposalBytes: 1_000,
      }),
    );
    const records = s.store.view.audit.list().filter((r) => r.actor.kind === 'control-loop');
    expect(records.length).toBeGreaterThan(1);
    expect(new Set(records.map((r) => r.index)).size).toBe(records.length);
  });

  it("runs watchers as nobody: what they start is not the watched writer's doing", async () => {
    const s = await store();
    const seen: unknown[] = [];
    s.store.view.watch(() => seen.push(currentAudit()));
    await runAs({ actor: ann }, () => s.store.update((tx) => tx.create('service', makeService())));
    expect(seen).toEqual([undefined]);
  });

  it('keeps the log in snapshots', async () => {
    const s = await store();
    await runAs({ actor: ann, action: 'POST /api/services' }, () =>
      s.store.update((tx) => tx.create('service', makeService())),
    );
    await s.store.note([{ actor: ann, action: 'login', result: 'ok' }]);
    const data = encodeSnapshotData(s.store.view, new Map());
    const other = new MemoryStore();
    expect(other.restore(decodeSnapshotData(data)).skipped).toEqual([]);
    expect(other.audit.list()).toEqual(s.store.view.audit.list());
    expect(other.audit.list().map((r) => r.action)).toContain('login');
  });
});
