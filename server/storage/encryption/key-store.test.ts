import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INVALID_KEY_STRING_MESSAGE, INVALID_UNLOCK_KEY_MESSAGE } from './errors';
import { generateKey } from './envelope';
import { rotateKek } from './kek';
import { createRaftKeys, loadRaftKeys, RAFT_KEY_FILE, saveRaftKeys, tryUnlock } from './key-store';
import { sameKey } from './raft-deks';
import { formatUnlockKey, generateUnlockKey, kekFromUnlockKey, parseUnlockKey } from './unlock-key';

let dir: string;
let path: string;
let umask: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'swarmdeck-raftkeys-'));
  path = join(dir, 'certificates', RAFT_KEY_FILE);
  umask = process.umask(0o022); // the usual umask: a file given no mode would be world-readable
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

const mode = (p: string) => statSync(p).mode & 0o777;

describe('raft key file', () => {
  it('is absent on a node that never had one', () => {
    expect(loadRaftKeys(path)).toEqual({ state: 'absent' });
  });

  it('without autolock: written 0600 in a 0700 dir, reopened on its own after a restart', () => {
    const made = createRaftKeys(path, { autolock: false });
    expect(made.unlockKey).toBeUndefined();
    expect(mode(path)).toBe(0o600);
    expect(mode(join(dir, 'certificates'))).toBe(0o700);
    const loaded = loadRaftKeys(path);
    expect(loaded.state).toBe('open');
    if (loaded.state === 'open') expect(sameKey(loaded.deks.current, made.deks.current)).toBe(true);
    expect(readFileSync(path, 'utf8')).not.toContain(made.deks.current.toString('base64'));
  });

  it('with autolock: locked after a restart, opened by the unlock key only', () => {
    const made = createRaftKeys(path, { autolock: true, kekVersion: 4 });
    expect(made.unlockKey).toMatch(/^SWMKEY-1-[A-Za-z0-9+/]{43}$/);
    const raw = readFileSync(path, 'utf8');
    expect(raw).not.toContain(made.unlockKey!.slice('SWMKEY-1-'.length));
    expect(raw).not.toContain(made.kek.key.toString('base64'));

    expect(loadRaftKeys(path)).toEqual({ state: 'locked', kekVersion: 4 });
    const opened = tryUnlock(path, made.unlockKey!);
    expect(sameKey(opened.deks.current, made.deks.current)).toBe(true);
    expect(opened.kek.locked).toBe(true);

    expect(() => tryUnlock(path, formatUnlockKey(generateUnlockKey()))).toThrow(INVALID_UNLOCK_KEY_MESSAGE);
    expect(() => tryUnlock(path, 'SWMKEY-1-***')).toThrow(INVALID_KEY_STRING_MESSAGE);
  });

  it('unlock-key --rotate: after the new file is saved, the old key opens nothing', () => {
    const made = createRaftKeys(path, { autolock: true, kekVersion: 1 });
    const fresh = generateUnlockKey();
    const next = { key: kekFromUnlockKey(fresh), locked: true, version: 2 };
    const out = rotateKek(made.deks, made.kek, next);
    saveRaftKeys(path, out.deks, next);
    expect(() => tryUnlock(path, made.unlockKey!)).toThrow(INVALID_UNLOCK_KEY_MESSAGE);
    expect(sameKey(tryUnlock(path, formatUnlockKey(fresh)).deks.current, made.deks.current)).toBe(true);
    expect(parseUnlockKey(formatUnlockKey(fresh)).equals(fresh)).toBe(true);
  });

  it('refuses a damaged file instead of starting without keys', () => {
    createRaftKeys(path, { autolock: false });
    writeFileSync(path, '{"format":1');
    expect(() => loadRaftKeys(path)).toThrow(/not valid JSON/);
  });

  it('refuses an on-disk KEK that does not open the DEK', () => {
    createRaftKeys(path, { autolock: false });
    const file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    file.kek = generateKey().toString('base64');
    writeFileSync(path, JSON.stringify(file));
    expect(() => loadRaftKeys(path)).toThrow(INVALID_UNLOCK_KEY_MESSAGE);
  });
});
