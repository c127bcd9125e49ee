import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

function toBase36(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let s = '';
  while (n > 0n) {
    s = ALPHABET[Number(n % 36n)] + s;
    n /= 36n;
  }
  return s;
}

/** swarmkit identity.NewID: 25 lower-case base-36 characters from 128 random bits. */
export function newID(): string {
  const bytes = randomBytes(17);
  bytes[0] = (bytes[0] ?? 0) | 0x80; // top bit set keeps the length fixed
  return toBase36(bytes).slice(1, 26);
}

function base36Padded(bytes: Uint8Array, width: number): string {
  return toBase36(bytes).padStart(width, '0').slice(-width);
}

/** `SWMTKN-1-<50 base36 CA digest>-<25 base36 secret>`, swarm's join-token format. */
export function newJoinToken(caDigest: Uint8Array): string {
  return `SWMTKN-1-${base36Padded(caDigest, 50)}-${base36Padded(randomBytes(16), 25)}`;
}
