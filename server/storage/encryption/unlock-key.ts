// The manager unlock key as swarmkit prints and parses it
// (manager/encryption HumanReadableKey / ParseHumanReadableKey):
// `SWMKEY-1-` followed by the key's bytes in unpadded standard base64. A new
// key has 32 random bytes, so it reads `SWMKEY-1-` + 43 characters; `docker
// swarm unlock-key` prints exactly this string (with -q, nothing else).
//
// The key itself is not used as an AES key: the KEK is derived from it with
// HKDF-SHA256, so the derived key is bound to its purpose and a key of
// another length (an old or hand-typed one) still derives, then simply fails
// to open the wrapped data keys (dockerd's "invalid key provided").

import { hkdfSync, randomBytes } from 'node:crypto';
import { KEY_BYTES, type Key } from './envelope';
import { InvalidKeyStringError } from './errors';

export const UNLOCK_KEY_PREFIX = 'SWMKEY-1-';
const RAW_STD_B64 = /^[A-Za-z0-9+/]*$/;
const KEK_INFO = 'swarmdeck raft kek v1';

/** A fresh unlock key's bytes (swarmkit's GenerateSecretKey: 32 random bytes). */
export function generateUnlockKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function formatUnlockKey(key: Buffer): string {
  return UNLOCK_KEY_PREFIX + key.toString('base64').replace(/=+$/, '');
}

/** A fresh unlock key as the text `docker swarm unlock-key` shows. */
export function newUnlockKey(): string {
  return formatUnlockKey(generateUnlockKey());
}

/**
 * The bytes of an unlock key string; throws InvalidKeyStringError ("invalid key string") for anything
 * Go's base64.RawStdEncoding would refuse: no prefix, padding, characters outside the alphabet, or a
 * length no base64 text can have. Like swarmkit, surrounding whitespace is not forgiven here.
 */
export function parseUnlockKey(text: string): Buffer {
  if (!text.startsWith(UNLOCK_KEY_PREFIX)) throw new InvalidKeyStringError();
  const body = text.slice(UNLOCK_KEY_PREFIX.length);
  if (!RAW_STD_B64.test(body) || body.length % 4 === 1) throw new InvalidKeyStringError();
  const bytes = Buffer.from(body, 'base64');
  // Go refuses non-zero trailing bits only in Strict mode; swarmkit does not use it, so neither do we.
  return bytes;
}

/** The key-encryption key an unlock key stands for. */
export function kekFromUnlockKey(unlockKey: Buffer): Key {
  return Buffer.from(hkdfSync('sha256', unlockKey, Buffer.alloc(0), KEK_INFO, KEY_BYTES));
}
