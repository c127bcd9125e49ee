// Removed nodes' certificates (swarmkit BlacklistedCertificates): a node that
// `docker node rm` took out may still hold a valid certificate; every manager
// refuses it by its node ID until it has surely expired, and a week after
// that the entry is dropped.

import type { Cluster } from '../../api/types';
import { DEFAULT_NODE_CERT_EXPIRY_MS } from '../../ca';
import { nodeCertExpiryMs } from './expiry';

/** swarmkit expiredCertGrace: entries stay a week past their certificate's expiry. */
export const EXPIRED_CERT_GRACE_MS = 7 * 24 * 3_600_000;

/**
 * The blacklist with `nodeID` added and stale entries dropped. The node's last certificate is not kept
 * in the store, so its expiry is bounded by the longest lifetime a certificate could have been given.
 */
export function blacklistWith(
  cluster: Cluster,
  nodeID: string,
  now: number,
): NonNullable<Cluster['BlacklistedCertificates']> {
  const kept = expireBlacklist(cluster.BlacklistedCertificates, now);
  const lifetime = Math.max(nodeCertExpiryMs(cluster.Spec), DEFAULT_NODE_CERT_EXPIRY_MS);
  return { ...kept, [nodeID]: { Expiry: new Date(now + lifetime).toISOString() } };
}

export function expireBlacklist(
  list: Cluster['BlacklistedCertificates'],
  now: number,
): NonNullable<Cluster['BlacklistedCertificates']> {
  const out: NonNullable<Cluster['BlacklistedCertificates']> = {};
  for (const [id, entry] of Object.entries(list ?? {})) {
    const expiry = entry.Expiry ? Date.parse(entry.Expiry) : NaN;
    if (Number.isFinite(expiry) && expiry + EXPIRED_CERT_GRACE_MS < now) continue;
    out[id] = entry;
  }
  return out;
}
