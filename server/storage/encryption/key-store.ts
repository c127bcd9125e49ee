// The raft key file on disk and the unlock step that opens it. The file sits
// beside the node's TLS key (<data dir>/certificates/swarm-raft-keys.json,
// 0600, replaced atomically and durably); the caller passes its path so this layer does
// not need to know the certificate layout.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir, makePrivate, PRIVATE_FILE_MODE } from '../../util/private-files';
import type { Key } from './envelope';
import { InvalidKekError } from './errors';
import { diskKek, parseKeyFile, serializeKeyFile, storedKek, unwrapDeks, wrapDeks, type Kek } from './kek';
import { initialDeks, type RaftDeks } from './raft-deks';
import { formatUnlockKey, generateUnlockKey, kekFromUnlockKey, parseUnlockKey } from './unlock-key';

export const RAFT_KEY_FILE = 'swarm-raft-keys.json';

export type LoadedRaftKeys =
  | { state: 'absent' }
  /** autolocked and no unlock key given: the manager answers SWARM_LOCKED_MESSAGE until unlocked */
  | { state: 'locked'; kekVersion: number }
  | { state: 'open'; deks: RaftDeks; kek: Kek };

/**
 * Replaces the key file atomically and durably: the file and its directory are synced before this
 * returns, because the raft log (synchronous=FULL) may hold records under a new DEK a moment later, and
 * a power cut must not leave a key file that predates them.
 */
export function saveRaftKeys(path: string, deks: RaftDeks, kek: Kek): void {
  const dir = dirname(path);
  ensurePrivateDir(dir);
  // as writePrivateFile, plus the syncs: a fresh 0600 temporary (O_EXCL), synced, renamed, the dir synced
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, serializeKeyFile(wrapDeks(deks, kek)));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/**
 * A new node's keys: a fresh DEK under a random on-disk KEK, or (autolock) under a fresh unlock key,
 * returned once as its `SWMKEY-1-` text and never stored.
 */
export function createRaftKeys(
  path: string,
  opts: { autolock: boolean; kekVersion?: number },
): {
  deks: RaftDeks;
  kek: Kek;
  unlockKey?: string;
} {
  const deks = initialDeks();
  const version = opts.kekVersion ?? 0;
  if (!opts.autolock) {
    const kek = diskKek(version);
    saveRaftKeys(path, deks, kek);
    return { deks, kek };
  }
  const raw = generateUnlockKey();
  const kek: Kek = { key: kekFromUnlockKey(raw), locked: true, version };
  saveRaftKeys(path, deks, kek);
  return { deks, kek, unlockKey: formatUnlockKey(raw) };
}

/**
 * Reads the key file. An unlocked node opens on its own; a locked one opens only with `unlockKey`
 * (throws InvalidKeyStringError for a malformed key, InvalidKekError for a wrong one). A damaged file
 * throws too: starting with no keys would strand the encrypted log.
 */
export function loadRaftKeys(path: string, unlockKey?: string): LoadedRaftKeys {
  if (!existsSync(path)) return { state: 'absent' };
  // an older copy of the data dir may have widened its mode: it holds the KEK when unlocked
  makePrivate(path);
  const file = parseKeyFile(readFileSync(path, 'utf8'));
  const onDisk = storedKek(file);
  if (onDisk) return { state: 'open', deks: unwrapDeks(file, onDisk.key), kek: onDisk };
  if (unlockKey === undefined) return { state: 'locked', kekVersion: file.kekVersion };
  const key: Key = kekFromUnlockKey(parseUnlockKey(unlockKey));
  const deks = unwrapDeks(file, key);
  return { state: 'open', deks, kek: { key, locked: true, version: file.kekVersion } };
}

/** `docker swarm unlock`: whether `unlockKey` opens this node's keys, as the error the API answers. */
export function tryUnlock(path: string, unlockKey: string): { deks: RaftDeks; kek: Kek } {
  const loaded = loadRaftKeys(path, unlockKey);
  if (loaded.state !== 'open') throw new InvalidKekError('no raft keys on this node');
  return { deks: loaded.deks, kek: loaded.kek };
}
