// The texts a locked or wrongly unlocked manager answers with: dockerd's own
// (moby daemon/cluster/errors.go) where the CLI shows them, swarmkit's
// (manager/encryption) for what only the logs see.

/** dockerd's errSwarmLocked (503): every swarm call on a manager that still waits for its unlock key. */
export const SWARM_LOCKED_MESSAGE =
  'Swarm is encrypted and needs to be unlocked before it can be used. Please use "docker swarm unlock" to unlock it.';

/** dockerd's invalidUnlockKey (401): the key parsed but does not open this node's keys. */
export const INVALID_UNLOCK_KEY_MESSAGE = 'swarm could not be unlocked: invalid key provided';

/** dockerd's notLockedError (409): `docker swarm unlock` on a manager that is not locked. */
export const NOT_LOCKED_MESSAGE = 'swarm is not locked';

/** swarmkit's ParseHumanReadableKey error (dockerd answers it as a 400): not a `SWMKEY-1-` string. */
export const INVALID_KEY_STRING_MESSAGE = 'invalid key string';

/**
 * Data that cannot be decrypted: wrong key, tampered bytes, an unknown envelope. Never swallowed into
 * "no data": a record that does not open stops the read (swarmkit's ErrCannotDecrypt).
 */
export class CannotDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CannotDecryptError';
  }
}

/** The unlock key (or the on-disk KEK) does not open the wrapped data keys (swarmkit's ErrInvalidKEK). */
export class InvalidKekError extends Error {
  constructor(readonly reason: string) {
    super(INVALID_UNLOCK_KEY_MESSAGE);
    this.name = 'InvalidKekError';
  }
}

/** A string that is not an unlock key at all. */
export class InvalidKeyStringError extends Error {
  constructor() {
    super(INVALID_KEY_STRING_MESSAGE);
    this.name = 'InvalidKeyStringError';
  }
}
