// A manager's raft keys while it runs: the DEKs the storage's record codec
// encrypts with, the KEK that wraps them on disk, and the transitions that
// change them (lock, unlock, unlock-key rotation, DEK rotation). Every change
// is written to the key file before it is used, so a crash leaves a file that
// still opens everything on disk.

import { join } from 'node:path';
import type { Key } from './envelope';
import { diskKek, rotateKek, type Kek } from './kek';
import { createRaftKeys, loadRaftKeys, RAFT_KEY_FILE, saveRaftKeys, tryUnlock } from './key-store';
import { beginRotation, finishRotation, requestRotation, rotationWanted, sameKey, type RaftDeks } from './raft-deks';
import { recordCodec, type RaftRecordCodec } from './record-codec';
import { kekFromUnlockKey, parseUnlockKey } from './unlock-key';

/** Where a data dir keeps its raft keys: beside the node's TLS key. */
export function raftKeyPath(dataDir: string): string {
  return join(dataDir, 'certificates', RAFT_KEY_FILE);
}

export class RaftKeyRing {
  readonly codec: RaftRecordCodec;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly path: string,
    private deks: RaftDeks,
    private kek: Kek,
  ) {
    this.codec = recordCodec(() => this.deks);
  }

  /** Whether the KEK comes from the unlock key (autolock on): nothing on disk opens the DEKs. */
  get locked(): boolean {
    return this.kek.locked;
  }

  get kekVersion(): number {
    return this.kek.version;
  }

  /** Whether a DEK rotation is asked for or under way (the background pass has work). */
  rotationWanted(): boolean {
    return rotationWanted(this.deks);
  }

  /** The DEK rotation in progress (its key), if any. */
  pendingKey(): Key | undefined {
    return this.deks.pending;
  }

  /** Called whenever a DEK rotation becomes wanted. */
  onRotationWanted(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Ask for a fresh DEK (all records re-encrypted in the background). */
  requestRotation(): void {
    this.set(requestRotation(this.deks), this.kek);
  }

  /** Start the requested rotation: the pending key is on disk before any record uses it. */
  beginRotation(): Key | undefined {
    const next = beginRotation(this.deks);
    if (next !== this.deks) this.set(next, this.kek);
    return this.deks.pending;
  }

  /** Every record is under `completed` now: it becomes the only DEK. */
  finishRotation(completed: Key): void {
    this.set(finishRotation(this.deks, completed), this.kek);
  }

  /**
   * Follows the cluster's unlock key (swarmkit's updateKEK): with one, the KEK is derived from it; without,
   * a random KEK sits in the key file. `version` is the cluster object's raft index, so a stale view never
   * undoes a newer change. Going from unlocked to locked requests a DEK rotation (the old DEK was readable
   * with the KEK on disk). Rotating the unlock key requests one too (unlike swarmkit): a copy of the old
   * key file opened with the old key then yields a DEK that opens nothing on disk any more. Returns
   * whether the key file changed.
   */
  followUnlockKey(unlockKey: string | undefined, version: number): boolean {
    if (version <= this.kek.version) return false;
    let candidate: Kek;
    if (unlockKey) {
      const key = kekFromUnlockKey(parseUnlockKey(unlockKey));
      if (this.kek.locked && sameKey(this.kek.key, key)) return false;
      candidate = { key, locked: true, version };
    } else {
      if (!this.kek.locked) return false;
      candidate = diskKek(version);
    }
    const out = rotateKek(this.deks, this.kek, candidate);
    if (!out.file) return false;
    const rotatedUnlockKey = this.kek.locked && candidate.locked;
    this.set(rotatedUnlockKey ? requestRotation(out.deks) : out.deks, candidate);
    return true;
  }

  private set(deks: RaftDeks, kek: Kek): void {
    saveRaftKeys(this.path, deks, kek);
    this.deks = deks;
    this.kek = kek;
    if (deks.needsRotation) for (const cb of this.listeners) cb();
  }
}

export type OpenedRaftKeys =
  | { state: 'locked'; kekVersion: number }
  /** `upgraded`: the data dir held a plaintext raft log and its keys were just made (a rotation rewrites it) */
  | { state: 'open'; ring: RaftKeyRing; upgraded: boolean };

/**
 * A manager's keys at start-up. No key file: made now (unlocked; a cluster with autolock locks them once
 * it is read), and when the data dir already holds a raft log written before encryption, a DEK rotation
 * is requested so the background pass rewrites its plaintext rows.
 */
export function openRaftKeys(dataDir: string, opts: { hasRaftLog: boolean }): OpenedRaftKeys {
  const path = raftKeyPath(dataDir);
  const loaded = loadRaftKeys(path);
  if (loaded.state === 'locked') return loaded;
  if (loaded.state === 'open')
    return { state: 'open', ring: new RaftKeyRing(path, loaded.deks, loaded.kek), upgraded: false };
  const made = createRaftKeys(path, { autolock: false });
  const ring = new RaftKeyRing(path, made.deks, made.kek);
  if (opts.hasRaftLog) ring.requestRotation();
  return { state: 'open', ring, upgraded: opts.hasRaftLog };
}

/** `docker swarm unlock`: the keys opened by the unlock key (InvalidKeyStringError / InvalidKekError otherwise). */
export function unlockRaftKeys(dataDir: string, unlockKey: string): RaftKeyRing {
  const path = raftKeyPath(dataDir);
  const { deks, kek } = tryUnlock(path, unlockKey);
  return new RaftKeyRing(path, deks, kek);
}

/** Whether the data dir's raft keys wait for the unlock key (autolock). A damaged key file throws. */
export function raftKeysLocked(dataDir: string): boolean {
  return loadRaftKeys(raftKeyPath(dataDir)).state === 'locked';
}
