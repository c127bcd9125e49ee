// The raft data keys (DEKs) and their rotation, modelled on swarmkit's
// manager/deks.go, as pure values:
//
// - `current` encrypts and decrypts; while a rotation runs, `pending` is the
//   key new writes use and the background re-encryption rewrites every record
//   under, and both keys decrypt (swarmkit's MultiDecrypter);
// - `needsRotation` asks for another rotation once the running one (if any) is
//   done; it is set when the cluster goes from unlocked to locked, because the
//   old DEK sat on disk under a KEK anybody with the disk could read.
//
// State moves: requestRotation → beginRotation (pending appears, request
// consumed) → finishRotation (pending becomes current; a request made meanwhile
// survives and starts the next round), exactly swarmkit's GetKeys/UpdateKeys.

import { timingSafeEqual } from 'node:crypto';
import { generateKey, type Key } from './envelope';

export interface RaftDeks {
  readonly current: Key;
  readonly pending?: Key;
  readonly needsRotation: boolean;
}

export function initialDeks(): RaftDeks {
  return { current: generateKey(), needsRotation: false };
}

/** The key a new raft entry or snapshot is written under. */
export function writeKey(deks: RaftDeks): Key {
  return deks.pending ?? deks.current;
}

/** Every key a stored record may be under, the most likely first. */
export function readKeys(deks: RaftDeks): Key[] {
  return deks.pending ? [deks.pending, deks.current] : [deks.current];
}

/** Whether the background re-encryption has work to do (swarmkit's RaftDEKManager.NeedsRotation). */
export function rotationWanted(deks: RaftDeks): boolean {
  return deks.needsRotation || deks.pending !== undefined;
}

export function requestRotation(deks: RaftDeks): RaftDeks {
  return { ...deks, needsRotation: true };
}

/**
 * Starts a rotation if one was requested and none is running: a fresh pending key, the request
 * consumed. Otherwise the same state (a running rotation is never restarted with another key).
 */
export function beginRotation(deks: RaftDeks, fresh: Key = generateKey()): RaftDeks {
  if (!deks.needsRotation || deks.pending) return deks;
  return { current: deks.current, pending: fresh, needsRotation: false };
}

/**
 * Ends the rotation that re-encrypted everything under `completed`: it becomes the current key.
 * Throws when `completed` is not the pending key (a stale re-encryption pass must not install a key
 * the records are not under).
 */
export function finishRotation(deks: RaftDeks, completed: Key): RaftDeks {
  if (!deks.pending || !sameKey(deks.pending, completed)) {
    throw new Error('finishing a raft DEK rotation that is not the one in progress');
  }
  return { current: deks.pending, needsRotation: deks.needsRotation };
}

export function sameKey(a: Key, b: Key): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
