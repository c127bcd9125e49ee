// Session and share-link tokens: `<id>.<secret>`, the secret 256 random bits.
// The store keeps only the secret's SHA-256, so a copy of the raft log or a
// snapshot lets no one in; a presented secret is compared in constant time.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { newID } from '../api/ids';

export interface IssuedToken {
  id: string;
  /** what the cookie or URL carries: `<id>.<secret>` */
  token: string;
  /** hex SHA-256 of the secret: what the store keeps */
  hash: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function issueToken(): IssuedToken {
  const id = newID();
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${id}.${secret}`, hash: hashSecret(secret) };
}

/** The parts of a presented token, or undefined when it has not the form `<id>.<secret>`. */
export function parseToken(token: string): { id: string; secret: string } | undefined {
  // 25-character IDs, 43 base64url characters of secret: anything else is not ours
  const m = /^([0-9a-z]{25})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

/** Whether `secret` is the one whose hash is `hash` (constant time in the secret). */
export function secretMatches(secret: string, hash: string): boolean {
  const want = Buffer.from(hash, 'hex');
  const got = Buffer.from(hashSecret(secret), 'hex');
  return want.length === got.length && timingSafeEqual(want, got);
}
