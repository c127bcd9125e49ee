// Three manager processes whose raft logs get committed entries that cannot be
// applied (bad JSON, a batch of the wrong shape), written into the SQLite
// storage of the stopped members: all three come back up, record the same
// entries as failed (manager log, `docker info`), keep the same store, take
// writes, and a member restarted again replays past them.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteRaftStorage } from '../server/raft/storage/sqlite-storage';
import { openDb } from '../server/storage/db';
import { dockerBinary, dockerCli, tempDir } from './integration/harness';
import { startThreeManagers, until, type ManagerProc } from './cluster-harness';

const BAD_JSON = '{"ops": [{"op": "create", "kind": "service"';
const BAD_SHAPE = JSON.stringify({ ops: [{ op: 'create', kind: 'task', object: { ID: 'ghost', ServiceID: 42 } }] });

describe('committed entries that cannot be applied (3 manager processes)', () => {
  const data = tempDir('swarmdeck-bad-entry-');
  const ms: ManagerProc[] = [];
  const docker = dockerBinary();
  let badIndexes: number[] = [];

  const leader = async () => {
    const hs = await Promise.all(ms.map(async (m) => ({ m, h: await m.health() })));
    return hs.find((x) => x.h?.role === 'leader' && x.h.leaderReady)?.m;
  };
  const names = async (m: ManagerProc) =>
    ((await m.api('GET', '/services')).json as { Spec: { Name: string } }[]).map((s) => s.Spec.Name).sort();
  const spec = (name: string) => ({
    Name: name,
    TaskTemplate: { ContainerSpec: { Image: 'busybox:latest' } },
    Mode: { Replicated: { Replicas: 0 } },
  });
  const warnings = async (m: ManagerProc) => ((await m.api('GET', '/info')).json as { Warnings: string[] }).Warnings;

  beforeAll(async () => {
    await startThreeManagers(ms, data.path);
  }, 180_000);

  afterAll(async () => {
    for (const m of ms) m.signal('SIGCONT');
    await Promise.all(ms.map((m) => m.kill9()));
    data.remove();
  }, 30_000);

  it('all three record the bad entries, keep the same store and stay up; writes go on', async () => {
    const l = (await leader())!;
    expect((await l.api('POST', '/services/create', spec('before'))).status).toBe(201);
    // every member holds the whole log, and nothing moves: freeze them together, then stop them
    await until(
      'every member applied the same index',
      async () => {
        const hs = await Promise.all(ms.map((m) => m.health()));
        return hs.every((h) => h && h.applied === hs[0]!.applied && h.commit === h.applied);
      },
      20_000,
    );
    for (const m of ms) m.signal('SIGSTOP');
    await Promise.all(ms.map((m) => m.kill9()));

    // the same two committed entries appended to each member's log, as a leader would have replicated them
    const tails: string[] = [];
    for (const m of ms) {
      const db = await openDb(join(m.dataDir, 'swarmdeck.db'));
      try {
        const storage = new SqliteRaftStorage(db);
        const state = await storage.load();
        const last = state.entries.at(-1)!;
        tails.push(`${last.index}/${last.term}`);
        badIndexes = [last.index + 1, last.index + 2];
        await storage.save({
          entries: [
            { index: last.index + 1, term: last.term, type: 'normal', data: BAD_JSON },
            { index: last.index + 2, term: last.term, type: 'normal', data: BAD_SHAPE },
          ],
          hardState: { ...state.hardState, commit: last.index + 2 },
        });
        await storage.idle();
      } finally {
        await db.$disconnect();
      }
    }
    expect(new Set(tails).size, `the three logs end alike: ${tails.join(' ')}`).toBe(1);

    for (const m of ms) await m.start();
    const l2 = await until('a ready leader after the restart', leader, 60_000);
    for (const m of ms) {
      expect(m.running, `${m.name} is up`).toBe(true);
      const [a, b] = badIndexes;
      expect(m.out).toMatch(
        new RegExp(`raft: entry ${a} \\(term \\d+\\) failed to apply, the store moved past it: the entry is not JSON`),
      );
      expect(m.out).toMatch(
        new RegExp(`raft: entry ${b} \\(term \\d+\\) failed to apply.*op 0: task ghost: ServiceID is not a string`),
      );
      expect(await warnings(m)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^WARNING: 2 committed entries failed to apply; last: entry ${b} \\(term \\d+\\): op 0: task ghost`,
          ),
        ),
      ]);
    }

    // a write through a follower lands everywhere
    const follower = ms.find((m) => m !== l2)!;
    expect((await follower.api('POST', '/services/create', spec('after'))).status).toBe(201);
    for (const m of ms) await until(`${m.name} has the new service`, async () => (await names(m)).includes('after'));
    const stores = await Promise.all(ms.map(names));
    expect(stores.every((n) => JSON.stringify(n) === JSON.stringify(stores[0]))).toBe(true);
    expect(stores[0]).toEqual(['after', 'before']);
  }, 180_000);

  it.skipIf(!docker)(
    'docker info shows the warning',
    async () => {
      const m = ms[1]!;
      const run = dockerCli(m.ports.engine, `${data.path}/docker-config`, docker);
      const r = await run(['info']);
      expect(r.code, r.stderr).toBe(0);
      expect(`${r.stdout}\n${r.stderr}`).toMatch(/WARNING: 2 committed entries failed to apply; last: entry \d+/);
    },
    60_000,
  );

  it('a member restarted again replays past the bad entries', async () => {
    const m = ms[2]!;
    await m.stop();
    const mark = m.out.length;
    await m.start();
    expect(m.out.slice(mark)).toMatch(new RegExp(`raft: entry ${badIndexes[0]} \\(term \\d+\\) failed to apply`));
    await until('the restarted member has every service', async () => (await names(m)).includes('after'), 30_000);
    const l = await until('a ready leader', leader, 30_000);
    expect((await l.api('POST', '/services/create', spec('later'))).status).toBe(201);
    await until('the restarted member applies new writes', async () => (await names(m)).includes('later'), 30_000);
  }, 120_000);
});
