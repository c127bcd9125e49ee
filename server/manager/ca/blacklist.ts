// Removed nodes' certificates (swarmkit BlacklistedCertificates): a node that
// `docker node rm` took out may still hold a valid certificate; every manager
// refuses it by its node ID until that certificate expires, and a week after
// that the entry is dropped.

import type { Cluster, Node } from '../../api/types';
import { DEFAULT_NODE_CERT_EXPIRY_MS } from '../../ca';
import { nodeCertExpiryMs } from './expiry';

/** swarmkit expiredCertGrace: entries stay a week past their certificate's expiry. */
export const EXPIRED_CERT_GRACE_MS = 7 * 24 * 3_600_000;

/**
 * The blacklist with `node` added and stale entries dropped. The entry lasts until the last
 * certificate the CA issued the node expires (swarmkit RemoveNode reads it from the node's
 * certificate). A node with none on record (it was added before they were recorded) is refused
 * for the longest lifetime a certificate could have been given.
 */
export function blacklistWith(
  cluster: Cluster,
  node: Pick<Node, 'ID' | 'CertificateNotAfter'>,
  now: number,
): NonNullable<Cluster['BlacklistedCertificates']> {
  const kept = expireBlacklist(cluster.BlacklistedCertificates, now);
  const issued = node.CertificateNotAfter ? Date.parse(node.CertificateNotAfter) : NaN;
  const lifetime = Math.max(nodeCertExpiryMs(cluster.Spec), DEFAULT_NODE_CERT_EXPIRY_MS);
  const expiry = Number.isFinite(issued) ? issued : now + lifetime;
  return { ...kept, [node.ID]: { Expiry: new Date(expiry).toISOString() } };
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
