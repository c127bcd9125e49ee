// Join tokens, swarm's v1 form: SWMTKN-1-<sha256 of the root CA bundle in
// base 36, zero-padded to 50>-<16 random bytes in base 36, zero-padded to 25>
// (swarmkit GenerateJoinToken / ParseJoinToken).

import { newJoinToken } from '../api/ids';
import { bundleDigest } from './root-ca';

export const INVALID_JOIN_TOKEN_FORMAT = 'invalid join token';

export interface ParsedJoinToken {
  /** The root CA digest as hex (what `sha256:` digests print). */
  rootDigest: string;
  secret: string;
}

/** A new token bound to the root CA bundle `caCert`. */
export function joinTokenFor(caCert: string): string {
  return newJoinToken(Buffer.from(bundleDigest(caCert).slice('sha256:'.length), 'hex'));
}

/** Reads a token; throws `invalid join token` for anything not in the v1 form. */
export function parseJoinToken(token: string): ParsedJoinToken {
  const parts = token.trim().split('-');
  if (parts.length !== 4 || parts[0] !== 'SWMTKN' || parts[1] !== '1') throw new Error(INVALID_JOIN_TOKEN_FORMAT);
  const [digest, secret] = [parts[2]!, parts[3]!];
  if (!/^[0-9a-z]{50}$/.test(digest) || !/^[0-9a-z]{25}$/.test(secret)) throw new Error(INVALID_JOIN_TOKEN_FORMAT);
  let n = 0n;
  for (const ch of digest) n = n * 36n + BigInt(parseInt(ch, 36));
  if (n >= 1n << 256n) throw new Error(INVALID_JOIN_TOKEN_FORMAT);
  return { rootDigest: n.toString(16).padStart(64, '0'), secret };
}

/** swarmkit GetRemoteCA's refusal when a fetched root does not hash to the token's digest. */
export function fingerprintMismatch(expectedHex: string): string {
  return `remote CA does not match fingerprint. Expected: ${expectedHex}`;
}

/** Whether `bundle` is the root the token pins. */
export function tokenPins(token: ParsedJoinToken, bundle: string): boolean {
  return bundleDigest(bundle) === `sha256:${token.rootDigest}`;
}
