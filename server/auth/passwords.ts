// Passwords are kept as argon2id hashes (@node-rs/argon2, its defaults: 19 MiB,
// 2 passes, OWASP's recommendation). Verifying an unknown name still costs one
// verification, so a login's timing does not tell which names exist.

import { hash, verify } from '@node-rs/argon2';

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** A hash of a password no one knows, made once: what an unknown name is checked against. */
let decoy: Promise<string> | undefined;

/** Whether `password` matches `stored` (false for a malformed hash, never a throw). */
export async function passwordMatches(password: string, stored: string | undefined): Promise<boolean> {
  if (stored === undefined) {
    decoy ??= hash(`decoy-${Math.random()}`);
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
