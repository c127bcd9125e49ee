// The key-encryption key (KEK) that wraps the raft DEKs, and the file that
// holds them beside the node's TLS key (<data dir>/certificates/, 0600).
//
// Unlocked: the KEK is a random key kept in the same file, so the manager
// restarts on its own (swarm keeps its DEK readable on disk the same way).
// Autolock: the KEK is derived from the `SWMKEY-1-…` unlock key and is not on
// disk; the file only holds the wrapped DEKs, which open with the right key
// alone. The file is replaced atomically, so a lock, unlock or key rotation
// either happened or did not, whatever a crash interrupts.
//
// KEK changes follow swarmkit's compareKEKs: a candidate replaces the current
// KEK only if its version is newer; a same-version, different-key candidate is
// an error; going from unlocked to locked asks for a DEK rotation.

import { generateKey, KEY_BYTES, openBytes, seal, type Key } from './envelope';
import { CannotDecryptError, InvalidKekError } from './errors';
import { requestRotation, sameKey, type RaftDeks } from './raft-deks';

export interface Kek {
  readonly key: Key;
  /** true when the key comes from the unlock key (autolock), false for the random on-disk KEK */
  readonly locked: boolean;
  /** the cluster's unlock-key version this KEK belongs to (a raft index or counter), only ever grows */
  readonly version: number;
}

export function diskKek(version: number, key: Key = generateKey()): Kek {
  return { key, locked: false, version };
}

/** The on-disk form; `kek` is present exactly when unlocked. */
export interface RaftKeyFile {
  format: 1;
  locked: boolean;
  kekVersion: number;
  kek?: string;
  dek: string;
  pendingDek?: string;
  needsRotation?: true;
}

const DEK_CONTEXT = 'raft-dek';
const PENDING_DEK_CONTEXT = 'raft-dek-pending';

export function wrapDeks(deks: RaftDeks, kek: Kek): RaftKeyFile {
  const file: RaftKeyFile = {
    format: 1,
    locked: kek.locked,
    kekVersion: kek.version,
    dek: seal(deks.current, kek.key, DEK_CONTEXT),
  };
  if (!kek.locked) file.kek = kek.key.toString('base64');
  if (deks.pending) file.pendingDek = seal(deks.pending, kek.key, PENDING_DEK_CONTEXT);
  if (deks.needsRotation) file.needsRotation = true;
  return file;
}

function unwrapOne(wrapped: string, kek: Key, context: string): Key {
  try {
    const key = openBytes(wrapped, [kek], context);
    if (key.length !== KEY_BYTES) throw new CannotDecryptError('wrapped raft DEK has the wrong length');
    return key;
  } catch (e) {
    if (e instanceof CannotDecryptError) throw new InvalidKekError(e.message);
    throw e;
  }
}

/** The DEKs in `file`, opened with `kek`; InvalidKekError when the KEK is not the one they were wrapped with. */
export function unwrapDeks(file: RaftKeyFile, kek: Key): RaftDeks {
  const current = unwrapOne(file.dek, kek, DEK_CONTEXT);
  const pending = file.pendingDek === undefined ? undefined : unwrapOne(file.pendingDek, kek, PENDING_DEK_CONTEXT);
  return pending
    ? { current, pending, needsRotation: file.needsRotation === true }
    : { current, needsRotation: file.needsRotation === true };
}

/** The KEK an unlocked node's file carries; undefined when the node is locked (needs its unlock key). */
export function storedKek(file: RaftKeyFile): Kek | undefined {
  if (file.locked || file.kek === undefined) return undefined;
  return { key: Buffer.from(file.kek, 'base64'), locked: false, version: file.kekVersion };
}

export interface KekComparison {
  replace: boolean;
  unlockedToLocked: boolean;
}

export function compareKeks(current: Kek, candidate: Kek): KekComparison {
  const equal = sameKey(current.key, candidate.key) && current.locked === candidate.locked;
  if (current.version === candidate.version && !equal) {
    throw new Error('candidate KEK has the same version as the current KEK, but a different KEK value');
  }
  if (current.version >= candidate.version || equal) return { replace: false, unlockedToLocked: false };
  return { replace: true, unlockedToLocked: !current.locked && candidate.locked };
}

/**
 * Re-wraps the DEKs under `candidate` if it supersedes `current` (lock, unlock, unlock-key rotation).
 * The old unlock key opens nothing in the returned file. Going from unlocked to locked also requests
 * a DEK rotation, as swarmkit's UpdateKEK does.
 */
export function rotateKek(
  deks: RaftDeks,
  current: Kek,
  candidate: Kek,
): { deks: RaftDeks; file: RaftKeyFile | undefined; unlockedToLocked: boolean } {
  const { replace, unlockedToLocked } = compareKeks(current, candidate);
  if (!replace) return { deks, file: undefined, unlockedToLocked: false };
  const next = unlockedToLocked ? requestRotation(deks) : deks;
  return { deks: next, file: wrapDeks(next, candidate), unlockedToLocked };
}

export function serializeKeyFile(file: RaftKeyFile): string {
  return `${JSON.stringify(file)}\n`;
}

/** Parses the file's text; throws with a message naming what is wrong (a damaged file must not pass). */
export function parseKeyFile(text: string): RaftKeyFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('raft key file is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null) throw new Error('raft key file is not an object');
  const o = raw as Record<string, unknown>;
  if (o.format !== 1) throw new Error(`raft key file has unknown format ${JSON.stringify(o.format)}`);
  if (typeof o.locked !== 'boolean') throw new Error('raft key file: locked must be a boolean');
  if (typeof o.kekVersion !== 'number' || !Number.isSafeInteger(o.kekVersion) || o.kekVersion < 0) {
    throw new Error('raft key file: kekVersion must be a non-negative integer');
  }
  if (typeof o.dek !== 'string') throw new Error('raft key file: dek is missing');
  if (o.pendingDek !== undefined && typeof o.pendingDek !== 'string')
    throw new Error('raft key file: pendingDek must be a string');
  if (o.needsRotation !== undefined && o.needsRotation !== true)
    throw new Error('raft key file: needsRotation must be true when present');
  if (o.locked && o.kek !== undefined) throw new Error('raft key file: a locked node must not store its KEK');
  if (!o.locked) {
    if (typeof o.kek !== 'string' || Buffer.from(o.kek, 'base64').length !== KEY_BYTES) {
      throw new Error('raft key file: an unlocked node needs its 32-byte KEK');
    }
  }
  const file: RaftKeyFile = { format: 1, locked: o.locked, kekVersion: o.kekVersion, dek: o.dek };
  if (typeof o.kek === 'string') file.kek = o.kek;
  if (typeof o.pendingDek === 'string') file.pendingDek = o.pendingDek;
  if (o.needsRotation === true) file.needsRotation = true;
  return file;
}
