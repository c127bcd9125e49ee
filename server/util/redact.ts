// Secrets that can reach a message by accident: a join token pasted as the
// wrong argument and echoed back in a config error, or quoted by a refusal.

/** A swarm join token: `SWMTKN-1-<digest>-<secret>` (any part of one). */
const JOIN_TOKEN = /SWMTKN-[A-Za-z0-9-]*/g;
/** A manager unlock key (autolock): `SWMKEY-1-<base64>`. */
const UNLOCK_KEY = /SWMKEY-[A-Za-z0-9+/=-]*/g;

/** `text` with every join token replaced by `SWMTKN-…` and every unlock key by `SWMKEY-…`. */
export function redactSecrets(text: string): string {
  return text.replace(JOIN_TOKEN, 'SWMTKN-…').replace(UNLOCK_KEY, 'SWMKEY-…');
}
