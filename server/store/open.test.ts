import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../storage/db';
import { SqliteRaftStorage } from '../raft/storage/sqlite-storage';
import { openStore } from './open';
import { makeService } from './test-support';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'swarmdeck-open-'));
  dirs.push(d);
  return d;
};

describe('openStore', () => {
  it('founds a one-member raft group that leads at once, and comes back from storage', async () => {
    const dir = tempDir();
    const a = await openStore(dir, { id: 'n1', addr: '127.0.0.1:2377' });
    expect(a.log.isLeader()).toBe(true);
    expect(a.log.members()).toEqual(new Map([['n1', '127.0.0.1:2377']]));
    const svc = makeService();
    await a.store.update((tx) => tx.create('service', svc));
    await a.close();
    const b = await openStore(dir, { id: 'n1', addr: '127.0.0.1:2377' });
    expect(b.store.view.get('service', svc.ID)?.Spec.Name).toBe(svc.Spec.Name);
    expect(b.log.isLeader()).toBe(true);
    await b.close();
  });

  it('a joining member (peers given) does not found a group of its own', async () => {
    const j = await openStore(tempDir(), { id: 'n4', peers: { n1: '127.0.0.1:1' }, electionTick: 10 });
    expect(j.log.status().conf.voters).toEqual([]);
    expect(j.log.isLeader()).toBe(false);
    await expect(j.store.update((tx) => tx.create('service', makeService()))).rejects.toMatchObject({ status: 503 });
    await j.close();
  });

  it('adopts a data dir written by the single-member log (entries at term 1, no membership)', async () => {
    const dir = tempDir();
    const db = await openDb(join(dir, 'swarmdeck.db'));
    const svc = makeService();
    const batch = { ops: [{ op: 'create', kind: 'service', object: svc }] };
    await new SqliteRaftStorage(db).save({
      entries: [{ index: 1, term: 1, type: 'normal', data: JSON.stringify(batch) }],
    });
    await db.$disconnect();
    const s = await openStore(dir, { id: 'n1', addr: 'a:1' });
    expect(s.store.view.get('service', svc.ID)?.Version.Index).toBe(1);
    expect(s.log.isLeader()).toBe(true);
    expect(s.log.status().conf.voters).toEqual(['n1']);
    await s.store.update((tx) => tx.delete('service', svc.ID));
    await s.close();
  });

  it('keeps the event log across a restart, from the log and from a snapshot that compacted it', async () => {
    const dir = tempDir();
    let t = Date.UTC(2026, 11, 6, 11, 0, 0);
    const opts = { id: 'n1', addr: 'a:1', writerThread: false, snapshotInterval: 5, keepEntries: 0, clock: () => t };
    const a = await openStore(dir, opts);
    for (let i = 0; i < 12; i++) {
      t += 1000;
      await a.store.update((tx) =>
        tx.create('service', makeService({ Spec: { ...makeService().Spec, Name: `s${i}` } })),
      );
    }
    const before = a.store.view.events.list();
    expect(before.map((l) => l.event.Actor.Attributes.name)).toEqual([...Array(12).keys()].map((i) => `s${i}`));
    expect(a.log.status().snapshot?.index ?? 0).toBeGreaterThan(0);
    await a.close();
    const b = await openStore(dir, opts);
    expect(b.store.view.events.list()).toEqual(before);
    await b.close();
  });
});
