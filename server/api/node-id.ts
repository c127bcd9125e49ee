// The one rule for node IDs (= raft IDs = certificate CNs) and for the
// cluster addresses nodes advertise. A node ID goes into a certificate's CN
// and its DNS names, next to the role names managers are dialled by, so it
// must be a plain ID and never one of those names.

/** 1–64 letters, digits, "_" or "-", starting with a letter or digit (swarmkit's IDs are 25 base-36 characters). */
const PLAIN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** swarm-manager, swarm-worker, swarm-ca, and whatever role swarm names next. */
const ROLE_NAME = /^swarm-/i;

export const NODE_ID_RULE = 'must be 1–64 letters, digits, "_" or "-", and not a swarm role name (swarm-…)';

export function isNodeID(id: unknown): id is string {
  return typeof id === 'string' && PLAIN_ID.test(id) && !ROLE_NAME.test(id);
}

/** An advertised cluster address (host or host:port): printable ASCII, no spaces, bounded. */
export const CLUSTER_ADDR_PATTERN = /^[\x21-\x7e]{1,256}$/;

/** The host of `host:port` (or of `[v6]:port`, brackets kept); a bare host is returned as is. */
export function hostOf(addr: string): string {
  const colon = addr.lastIndexOf(':');
  if (colon <= 0 || (addr.includes(']') && colon < addr.lastIndexOf(']'))) return addr;
  return addr.slice(0, colon);
}
