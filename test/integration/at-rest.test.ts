// Encryption at rest across real manager processes: a data dir whose raft log
// was written in plaintext (an older version) is upgraded in the background
// with the manager serving, leaving no plaintext byte on disk; and a manager
// that joins an autolocked swarm locks its own keys, comes back locked after a
// restart, and rejoins once unlocked.

import { lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openRaftKeys, raftKeyPath, raftKeysLocked } from '../../server/storage/encryption/raft-key-ring';
import { newManager, until, type ManagerProc } from '../cluster-harness';
import { tempDir } from './harness';

const SECRET_VALUE = 'at-rest-upgrade-secret-0c7d';
const ENV_VALUE = 'at-rest-upgrade-env-51aa';

const dirs = tempDir('swarmdeck-at-rest-');
const managers: ManagerProc[] = [];
afterAll(async () => {
  await Promise.all(managers.map((m) => m.stop()));
  dirs.remove();
});

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    const st = lstatSync(p);
    return st.isDirectory() ? files(p) : st.isFile() ? [p] : [];
  });
}

function holding(dir: string, needles: string[]): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const f of files(dir)) {
    const bytes = readFileSync(f);
    const hits = needles.filter((n) => bytes.includes(n));
    if (hits.length > 0) found[f.slice(dir.length)] = hits;
  }
  return found;
}

/** Turns an encrypted data dir back into what an older version left: plaintext rows, no key file. */
function decryptInPlace(dataDir: string): void {
  const opened = openRaftKeys(dataDir, { hasRaftLog: true });
  if (opened.state !== 'open') throw new Error('the keys did not open');
  const { codec } = opened.ring;
  const db = new Database(join(dataDir, 'swarmdeck.db'));
  try {
    for (const r of db.prepare('SELECT "index", "data" FROM "LogEntry"').all() as { index: number; data: string }[])
      db.prepare('UPDATE "LogEntry" SET "data" = ? WHERE "index" = ?').run(codec.decodeEntry(r.index, r.data), r.index);
    for (const r of db.prepare('SELECT "index", "data" FROM "Snapshot"').all() as { index: number; data: string }[])
      db.prepare('UPDATE "Snapshot" SET "data" = ? WHERE "index" = ?').run(
        codec.decodeSnapshot(r.index, r.data),
        r.index,
      );
  } finally {
    db.close();
  }
  rmSync(raftKeyPath(dataDir));
}

async function createSecretAndService(m: ManagerProc, name: string): Promise<void> {
  const secret = await m.api('POST', '/secrets/create', {
    Name: `${name}-pw`,
    Data: Buffer.from(SECRET_VALUE).toString('base64'),
  });
  expect(secret.status).toBe(201);
  const service = await m.api('POST', '/services/create', {
    Name: name,
    TaskTemplate: { ContainerSpec: { Image: 'busybox', Env: [`PASS=${ENV_VALUE}`] } },
  });
  expect(service.status).toBe(201);
}

describe('encryption at rest across processes', () => {
  it('upgrades a plaintext data dir in the background and leaves no plaintext on disk', async () => {
    const m = await newManager('upgrade', join(dirs.path, 'upgrade'), ['--sim-workers', '0']);
    managers.push(m);
    await m.start();
    await createSecretAndService(m, 'web');
    await m.stop();
    decryptInPlace(m.dataDir);
    const needles = [SECRET_VALUE, Buffer.from(SECRET_VALUE).toString('base64'), ENV_VALUE];
    expect(Object.keys(holding(m.dataDir, needles))).toContain('/swarmdeck.db');

    await m.start();
    expect(m.out).toContain('this raft log was stored unencrypted; encrypting it in the background');
    // it serves (and writes) while the pass runs
    await createSecretAndService(m, 'late');
    await until(
      'the re-encryption pass',
      () => /data key rotated: \d+ record\(s\) re-encrypted \(\d+ were plaintext\)/.test(m.out),
      30_000,
    );
    expect(holding(m.dataDir, needles)).toEqual({});
    const services = (await m.api('GET', '/services')).json as { Spec: { Name: string } }[];
    expect(services.map((s) => s.Spec.Name).sort()).toEqual(['late', 'web']);
    // and it starts again from the encrypted dir
    await m.stop();
    await m.start();
    expect(((await m.api('GET', '/secrets')).json as unknown[]).length).toBe(2);
  }, 120_000);

  it('a manager joining an autolocked swarm locks its keys, restarts locked and rejoins once unlocked', async () => {
    const m1 = await newManager('m1', join(dirs.path, 'm1'), ['--sim-workers', '0']);
    managers.push(m1);
    await m1.start();
    const swarm = (await m1.api('GET', '/swarm')).json as {
      Version: { Index: number };
      Spec: Record<string, unknown>;
      JoinTokens: { Manager: string };
    };
    const up = await m1.api('POST', `/swarm/update?version=${swarm.Version.Index}`, {
      ...swarm.Spec,
      EncryptionConfig: { AutoLockManagers: true },
    });
    expect(up.status).toBe(200);
    const key = ((await m1.api('GET', '/swarm/unlockkey')).json as { UnlockKey: string }).UnlockKey;
    expect(key).toMatch(/^SWMKEY-1-/);
    await until('m1 locks its keys', () => raftKeysLocked(m1.dataDir), 10_000);

    const m2 = await newManager('m2', join(dirs.path, 'm2'), ['--sim-workers', '0']);
    managers.push(m2);
    await m2.start(['--join', m1.clusterAddr, '--token', swarm.JoinTokens.Manager]);
    await until('m2 locks its keys', () => raftKeysLocked(m2.dataDir), 30_000);
    await createSecretAndService(m1, 'shared');

    await m2.stop();
    await m2.start([], 60_000, /swarmdeck locked: node (\w+)/);
    const locked = await m2.api('GET', '/services');
    expect([locked.status, locked.contentType]).toEqual([503, 'application/json']);
    const wrong = await m2.api('POST', '/swarm/unlock', { UnlockKey: 'SWMKEY-1-' + 'A'.repeat(43) });
    expect([wrong.status, wrong.json]).toEqual([401, { message: 'swarm could not be unlocked: invalid key provided' }]);
    const bad = await m2.api('POST', '/swarm/unlock', { UnlockKey: 'nope' });
    expect([bad.status, bad.json]).toEqual([400, { message: 'invalid key string' }]);

    const unlocked = await m2.api('POST', '/swarm/unlock', { UnlockKey: key }, 60_000);
    expect(unlocked.status).toBe(200);
    const names = async () =>
      ((await m2.api('GET', '/services')).json as { Spec: { Name: string } }[]).map((s) => s.Spec.Name);
    await until('m2 serves the swarm again', async () => (await names()).includes('shared'), 30_000);
    const health = await until(
      'm2 follows m1',
      async () => {
        const h = await m2.health();
        return h?.role === 'follower' && h.voters.length === 2 ? h : undefined;
      },
      30_000,
    );
    expect(health.voters.length).toBe(2);
  }, 180_000);
});
