import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INVALID_UNLOCK_KEY_MESSAGE } from './errors';
import { openRaftKeys, raftKeyPath, raftKeysLocked, unlockRaftKeys, type RaftKeyRing } from './raft-key-ring';
import { newUnlockKey } from './unlock-key';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'swarmdeck-keyring-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fresh(hasRaftLog = false): RaftKeyRing {
  const opened = openRaftKeys(dir, { hasRaftLog });
  if (opened.state !== 'open') throw new Error('expected open keys');
  return opened.ring;
}

describe('raft key ring', () => {
  it('a new data dir gets unlocked keys; one with a plaintext log also asks for a rotation', () => {
    const ring = fresh();
    expect([ring.locked, ring.rotationWanted(), raftKeysLocked(dir)]).toEqual([false, false, false]);
    rmSync(raftKeyPath(dir));
    const upgraded = openRaftKeys(dir, { hasRaftLog: true });
    expect(upgraded.state === 'open' && upgraded.upgraded && upgraded.ring.rotationWanted()).toBe(true);
    // the request is on disk: a crash before the pass resumes it
    const again = openRaftKeys(dir, { hasRaftLog: true });
    expect(again.state === 'open' && !again.upgraded && again.ring.rotationWanted()).toBe(true);
  });

  it('follows the cluster: autolock on locks the file (and asks for a fresh DEK), off unlocks it', () => {
    const ring = fresh();
    const wanted: number[] = [];
    ring.onRotationWanted(() => wanted.push(1));
    const key = newUnlockKey();
    expect(ring.followUnlockKey(key, 10)).toBe(true);
    expect([ring.locked, ring.kekVersion, ring.rotationWanted(), wanted.length]).toEqual([true, 10, true, 1]);
    expect(readFileSync(raftKeyPath(dir), 'utf8')).not.toContain(key.slice('SWMKEY-1-'.length));
    expect(openRaftKeys(dir, { hasRaftLog: true })).toEqual({ state: 'locked', kekVersion: 10 });
    expect(raftKeysLocked(dir)).toBe(true);
    // the same key again, or an older view, changes nothing
    expect(ring.followUnlockKey(key, 11)).toBe(false);
    expect(ring.followUnlockKey(undefined, 9)).toBe(false);
    expect(unlockRaftKeys(dir, key).locked).toBe(true);

    expect(ring.followUnlockKey(undefined, 12)).toBe(true);
    expect([ring.locked, raftKeysLocked(dir)]).toEqual([false, false]);
    expect(ring.followUnlockKey(undefined, 13)).toBe(false);
  });

  it('a rotated unlock key opens the file, the old one does not, and the DEK is retired too', () => {
    const ring = fresh();
    const first = newUnlockKey();
    ring.followUnlockKey(first, 5);
    const pending = ring.beginRotation()!;
    ring.finishRotation(pending);
    expect(ring.rotationWanted()).toBe(false);

    const second = newUnlockKey();
    expect(ring.followUnlockKey(second, 8)).toBe(true);
    expect(ring.rotationWanted()).toBe(true);
    expect(() => unlockRaftKeys(dir, first)).toThrow(INVALID_UNLOCK_KEY_MESSAGE);
    const reopened = unlockRaftKeys(dir, second);
    expect(reopened.kekVersion).toBe(8);
    expect(reopened.rotationWanted()).toBe(true);
  });

  it('encodes records under the pending key once a rotation begins, and reads both until it ends', () => {
    const ring = fresh();
    const before = ring.codec.encodeEntry(1, 'one');
    ring.requestRotation();
    const pending = ring.beginRotation()!;
    const during = ring.codec.encodeEntry(2, 'two');
    expect(ring.codec.needsRewrite(before, 'LogEntry:1')).toBe(true);
    expect(ring.codec.needsRewrite(during, 'LogEntry:2')).toBe(false);
    expect([ring.codec.decodeEntry(1, before), ring.codec.decodeEntry(2, during)]).toEqual(['one', 'two']);
    ring.finishRotation(pending);
    expect(ring.codec.decodeEntry(2, during)).toBe('two');
    expect(() => ring.codec.decodeEntry(1, before)).toThrow();
  });
});
