// The envelope a raft entry's or snapshot's data is stored in. The columns
// (LogEntry.data, Snapshot.data) are text, so the envelope is text too:
//
//   swarmdeck-enc:1:aes-256-gcm:<base64 nonce>:<base64 ciphertext>:<base64 tag>
//
// Data without the prefix is plaintext from a data dir written before
// encryption at rest (raft entries and snapshots are JSON, which never starts
// with the prefix), so old data dirs stay readable and are told apart at a
// glance. Each record is bound to where it lives (`context`, e.g.
// "LogEntry:42") as GCM additional data, so a row copied onto another row
// fails to open instead of replaying.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CannotDecryptError } from './errors';

export const ENVELOPE_PREFIX = 'swarmdeck-enc:';
export const ENVELOPE_VERSION = 1;
export const ALGORITHM = 'aes-256-gcm';
export const KEY_BYTES = 32;
const NONCE_BYTES = 12; // GCM's natural nonce; random per record (2^32 records per key stays far below collision risk)
const TAG_BYTES = 16;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A 256-bit AES key: a raft data key (DEK) or a key-encryption key (KEK). */
export type Key = Buffer;

export function generateKey(): Key {
  return randomBytes(KEY_BYTES);
}

function checkKey(key: Key): void {
  if (key.length !== KEY_BYTES) throw new Error(`an ${ALGORITHM} key has ${KEY_BYTES} bytes, not ${key.length}`);
}

/** Whether stored data is in an envelope (encrypted) rather than legacy plaintext. */
export function isEncrypted(stored: string): boolean {
  return stored.startsWith(ENVELOPE_PREFIX);
}

/** Encrypts `plaintext` under `key`, bound to `context`. A fresh random nonce every call. */
export function seal(plaintext: string | Buffer, key: Key, context: string): string {
  checkKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([
    cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext),
    cipher.final(),
  ]);
  const tag = cipher.getAuthTag();
  return `${ENVELOPE_PREFIX}${ENVELOPE_VERSION}:${ALGORITHM}:${nonce.toString('base64')}:${body.toString('base64')}:${tag.toString('base64')}`;
}

interface Parsed {
  nonce: Buffer;
  body: Buffer;
  tag: Buffer;
}

function decodePart(part: string, what: string): Buffer {
  if (!B64.test(part)) throw new CannotDecryptError(`encrypted record has a malformed ${what}`);
  const bytes = Buffer.from(part, 'base64');
  // canonical only: Node's decoder ignores stray bits and characters, so two texts could carry one record
  if (bytes.toString('base64') !== part) throw new CannotDecryptError(`encrypted record has a malformed ${what}`);
  return bytes;
}

function parse(stored: string): Parsed {
  const parts = stored.slice(ENVELOPE_PREFIX.length).split(':');
  const [version, algorithm] = parts;
  if (version !== String(ENVELOPE_VERSION)) {
    throw new CannotDecryptError(`cannot decrypt record in envelope version ${version ?? '(none)'}`);
  }
  if (algorithm !== ALGORITHM)
    throw new CannotDecryptError(`cannot decrypt record encrypted using ${algorithm ?? '(none)'}`);
  if (parts.length !== 5) throw new CannotDecryptError('encrypted record is truncated or malformed');
  const nonce = decodePart(parts[2]!, 'nonce');
  const body = decodePart(parts[3]!, 'ciphertext');
  const tag = decodePart(parts[4]!, 'tag');
  if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) {
    throw new CannotDecryptError('encrypted record is truncated or malformed');
  }
  return { nonce, body, tag };
}

function openWith(p: Parsed, key: Key, context: string): Buffer | undefined {
  const decipher = createDecipheriv(ALGORITHM, key, p.nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(p.tag);
  try {
    return Buffer.concat([decipher.update(p.body), decipher.final()]);
  } catch {
    return undefined; // authentication failed: wrong key, wrong context or tampered bytes
  }
}

/**
 * Decrypts an envelope with the first of `keys` that authenticates it (during a DEK rotation records
 * are under the current or the pending key, as swarmkit's MultiDecrypter). Throws CannotDecryptError
 * when none does: never returns unauthenticated bytes.
 */
export function openBytes(stored: string, keys: readonly Key[], context: string): Buffer {
  if (!isEncrypted(stored)) throw new CannotDecryptError('record is not encrypted');
  const parsed = parse(stored);
  for (const key of keys) {
    checkKey(key);
    const plain = openWith(parsed, key, context);
    if (plain) return plain;
  }
  throw new CannotDecryptError(
    keys.length === 0 ? 'no decryption key available' : 'record could not be authenticated: wrong key or tampered data',
  );
}

export function open(stored: string, keys: readonly Key[], context: string): string {
  return openBytes(stored, keys, context).toString('utf8');
}

/**
 * Reads a stored record whichever way it was written: an envelope is opened (and must open), anything
 * else is legacy plaintext and returned as it is. `plaintext` tells the caller which it was, so a
 * background re-encryption knows what still needs rewriting.
 */
export function readRecord(
  stored: string,
  keys: readonly Key[],
  context: string,
): { data: string; plaintext: boolean } {
  if (!isEncrypted(stored)) return { data: stored, plaintext: true };
  return { data: open(stored, keys, context), plaintext: false };
}

/** Where a raft entry's data lives, as the additional data its envelope is bound to. */
export function entryContext(index: number): string {
  return `LogEntry:${index}`;
}

/** Where a snapshot's data lives. */
export function snapshotContext(index: number): string {
  return `Snapshot:${index}`;
}
