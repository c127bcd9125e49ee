// The swarm's CA on a manager: it signs node certificates with the root key
// its store replica holds (every manager has it, as in swarmkit), for the
// subject the store says the node has, never the one the CSR asks for.

import { runAs } from '../../store/audit-context';
import { X509Certificate } from 'node:crypto';
import { SwarmError, rpcError } from '../../api/errors';
import type { Cluster, Node } from '../../api/types';
import { CSRError, roleOU, signCSR, signerOf } from '../../ca';
import type { ClusterStore } from '../../store/cluster-store';
import type { MemoryStore } from '../../store/memory-store';
import { nodeCertExpiryMs } from './expiry';
import { renewRequestSchema, type RenewRequest } from '../../api/schemas/renew-request';
import { parseWire } from '../../api/schemas/wire';

export interface IssuedCertificate {
  /** The node's chain (leaf first), PEM. */
  certificate: string;
  /** The trust root the node should hold (the cluster's CACert). */
  rootCA: string;
}

/** Whether a node's certificates are refused: it was removed from the swarm (swarmkit BlacklistedCertificates). */
export function isBlacklisted(cluster: Cluster | undefined, nodeID: string): boolean {
  return !!cluster?.BlacklistedCertificates && Object.hasOwn(cluster.BlacklistedCertificates, nodeID);
}

/** Signs `csr` as `nodeID` in `role` with the swarm's current signer. */
export async function issueCertificate(
  view: Pick<MemoryStore, 'list'>,
  req: { nodeID: string; role: Node['Role']; csr: string },
  now = Date.now(),
): Promise<IssuedCertificate> {
  const cluster = view.list('cluster')[0];
  const rootCA = cluster?.RootCA;
  if (!cluster || !rootCA) throw new SwarmError('Unavailable', 'this manager has no certificate authority yet');
  if (isBlacklisted(cluster, req.nodeID))
    throw rpcError('PermissionDenied', `Permission denied: node ${req.nodeID} was removed from swarm`);
  try {
    const certificate = await signCSR(
      signerOf(rootCA),
      req.csr,
      { nodeID: req.nodeID, role: roleOU(req.role), clusterID: cluster.ID },
      nodeCertExpiryMs(cluster.Spec),
      now,
    );
    return { certificate, rootCA: rootCA.CACert };
  } catch (err) {
    if (err instanceof CSRError) throw rpcError('InvalidArgument', err.message);
    throw err;
  }
}

/** A node renewing: a new certificate for the role the store gives it now (swarmkit issueRenewCertificate). */
export async function renewCertificate(
  view: Pick<MemoryStore, 'list' | 'get'>,
  nodeID: string,
  csr: string,
): Promise<IssuedCertificate> {
  const node = view.get('node', nodeID);
  if (!node) throw rpcError('NotFound', `node ${nodeID} not found when attempting to renew certificate`);
  return issueCertificate(view, { nodeID, role: node.Role, csr });
}

/** NotAfter of a chain's leaf (RFC 3339). */
export function leafNotAfter(chainPem: string): string {
  return new Date(new X509Certificate(chainPem).validTo).toISOString();
}

/**
 * Keep on the node the expiry of the certificate just issued to it, the latest one kept: what a
 * later `node rm` blacklists it until. Run by the leader before the certificate goes out.
 */
export async function recordIssued(store: ClusterStore, nodeID: string, issued: IssuedCertificate): Promise<void> {
  const notAfter = leafNotAfter(issued.certificate);
  await runAs({ actor: { kind: 'control-loop', name: 'ca' }, action: 'issue node certificate' }, () =>
    store.update(
      (tx) => {
        const cur = tx.get('node', nodeID);
        if (!cur) throw rpcError('NotFound', `node ${nodeID} not found when attempting to renew certificate`);
        if (cur.CertificateNotAfter && Date.parse(cur.CertificateNotAfter) >= Date.parse(notAfter)) return;
        tx.update('node', { ...cur, CertificateNotAfter: notAfter });
      },
      { retry: true },
    ),
  );
}

/** A renewal as it arrives (`{ca: 'renew', csr, nodeID?}`): checked and bounded before anything is parsed or signed. */
export function parseRenewal(payload: unknown): RenewRequest {
  return parseWire(renewRequestSchema, payload, 'renewal');
}
