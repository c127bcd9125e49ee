// How long a console login lasts. A session lasts 12 hours and is renewed
// (one write) once less than half is left, so an active user is not logged out
// mid-shift and an idle one is after 12 hours; however active, a session ends 7
// days after the login (a stolen cookie is not good for ever). At most one
// renewal write per session per 6 hours.

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** How often the leader removes expired sessions and share links. */
export const PURGE_INTERVAL_MS = 60 * 1000;
/** A share link's LastUsedAt is written at most this often (each use would otherwise be a raft entry). */
export const LINK_TOUCH_MS = 60 * 1000;

export function sessionExpiry(createdMs: number, nowMs: number): number {
  return Math.min(nowMs + SESSION_TTL_MS, createdMs + SESSION_MAX_MS);
}

/** The new expiry when a session should be renewed now, else undefined. */
export function renewedExpiry(createdMs: number, expiresMs: number, nowMs: number): number | undefined {
  if (expiresMs - nowMs > SESSION_TTL_MS / 2) return undefined;
  const next = sessionExpiry(createdMs, nowMs);
  return next > expiresMs ? next : undefined;
}
